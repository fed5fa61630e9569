import { z } from 'zod';
import { cliActor, defineCommand, tenantRef } from '../command.js';
import { runIntegrationJob } from '../integration-run.js';

export const integrationPush = defineCommand({
  name: 'integration push',
  summary: "Push Central Record profiles into a linked group as members (optionally only some profile types, ids comma-separated)",
  options: {
    tenant: { type: 'string' },
    group: { type: 'string' },
    'profile-types': { type: 'string' },
  },
  args: z.object({
    tenant: tenantRef,
    group: z.uuid(),
    profileTypes: z
      .string()
      .optional()
      .transform((s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined))
      .pipe(z.array(z.uuid()).optional()),
  }),
  async run(ctx, args) {
    return runIntegrationJob(ctx, args.tenant, (integration, tenantId) => integration.people.startPush(tenantId, { groupId: args.group, profileTypeIds: args.profileTypes }, cliActor));
  },
});
