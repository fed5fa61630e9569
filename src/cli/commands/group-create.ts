import { z } from 'zod';
import { createAccountsService } from '../../contexts/accounts/index.js';
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
    const platform = await ctx.platform();
    const tenant = await createAccountsService(platform).findTenant(args.tenant);
    const group = await (await ctx.contexts()).signin.groups.create(tenant.id, { name: args.name, type: args.type }, cliActor);
    ctx.progress(`Group ${group.name} (${group.type}) created`);
    return { groupId: group.id };
  },
});
