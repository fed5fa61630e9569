import { z } from 'zod';
import { cliActor, defineCommand, tenantRef } from '../command.js';
import { runIntegrationJob } from '../integration-run.js';

export const integrationMergeAll = defineCommand({
  name: 'integration merge-all',
  summary: 'Merge every suggested duplicate pair with the default rule (each merge can be undone in the web app)',
  options: { tenant: { type: 'string' } },
  args: z.object({ tenant: tenantRef }),
  async run(ctx, args) {
    return runIntegrationJob(ctx, args.tenant, (integration, tenantId) => integration.merge.startMergeAll(tenantId, {}, cliActor));
  },
});
