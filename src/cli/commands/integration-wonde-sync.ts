import { z } from 'zod';
import { cliActor, defineCommand, tenantRef } from '../command.js';
import { runIntegrationJob } from '../integration-run.js';

export const integrationWondeSync = defineCommand({
  name: 'integration wonde-sync',
  summary: "Sync an organisation's staff from Wonde now (its Wonde connection must be set up)",
  options: {
    tenant: { type: 'string' },
    organisation: { type: 'string' },
  },
  args: z.object({ tenant: tenantRef, organisation: z.uuid() }),
  async run(ctx, args) {
    return runIntegrationJob(ctx, args.tenant, (integration, tenantId) => integration.wonde.startSync(tenantId, args.organisation, cliActor));
  },
});
