import { z } from 'zod';
import { cliActor, defineCommand } from '../command.js';
import { runIntegrationJob } from '../integration-run.js';

export const integrationWondeSync = defineCommand({
  name: 'integration wonde-sync',
  summary: "Sync an organisation's staff from Wonde now (its Wonde connection must be set up)",
  options: {
    tenant: { type: 'string' },
    organisation: { type: 'string' },
  },
  args: z.object({ tenant: z.uuid(), organisation: z.uuid() }),
  async run(ctx, args) {
    return runIntegrationJob(ctx, args.tenant, (integration) => integration.wonde.startSync(args.tenant, args.organisation, cliActor));
  },
});
