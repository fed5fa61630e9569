import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { cliActor, defineCommand, tenantRef } from '../command.js';
import { runIntegrationJob } from '../integration-run.js';

export const integrationImport = defineCommand({
  name: 'integration import',
  summary: "Import members of the linked groups into the Central Record (all links, or one organisation's)",
  options: {
    tenant: { type: 'string' },
    organisation: { type: 'string' },
  },
  args: z.object({ tenant: tenantRef, organisation: z.uuid().optional() }),
  async run(ctx, args) {
    return runIntegrationJob(ctx, args.tenant, async (integration, tenantId) => {
      let groupIds: string[] | undefined;
      if (args.organisation) {
        groupIds = (await integration.links.list(tenantId)).filter((l) => l.organisationId === args.organisation).map((l) => l.groupId);
        if (groupIds.length === 0) throw new AppError(409, 'no_linked_groups', 'No group is linked to this organisation');
      }
      return integration.people.startImport(tenantId, { groupIds }, cliActor);
    });
  },
});
