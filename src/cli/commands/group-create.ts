import { z } from 'zod';
import { cliActor, defineCommand, tenantRef } from '../command.js';

export const groupCreate = defineCommand({
  name: 'group create',
  summary: 'Create a sign-in group (its type is fixed: standard, repeat or scim)',
  options: {
    tenant: { type: 'string' },
    name: { type: 'string' },
    type: { type: 'string' },
  },
  args: z.object({
    tenant: tenantRef,
    name: z.string().trim().min(1).max(200),
    type: z.enum(['standard', 'repeat', 'scim']),
  }),
  async run(ctx, args) {
    const { accounts, signin } = await ctx.contexts();
    const tenant = await accounts.service.findTenant(args.tenant);
    const group = await signin.groups.create(tenant.id, { name: args.name, type: args.type }, cliActor);
    ctx.progress(`Group ${group.name} (${group.type}) created`);
    return { groupId: group.id };
  },
});
