import { z } from 'zod';
import { cliActor, defineCommand, tenantRef } from '../command.js';

export const memberCreate = defineCommand({
  name: 'member create',
  summary: 'Add a member to a repeat group',
  options: {
    tenant: { type: 'string' },
    group: { type: 'string' },
    name: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string' },
  },
  args: z.object({
    tenant: tenantRef,
    group: z.uuid(),
    name: z.string().trim().min(1).max(200),
    email: z.email().optional(),
    role: z.string().trim().max(200).optional(),
  }),
  async run(ctx, args) {
    const platform = await ctx.platform();
    const { accounts, signin } = await ctx.contexts();
    const tenant = await accounts.service.findTenant(args.tenant);
    const member = await signin.members.create(platform.db, tenant.id, args.group, { fullName: args.name, email: args.email ?? null, role: args.role ?? '' }, cliActor, 'api');
    ctx.progress(`Member ${member.fullName} added`);
    return { memberId: member.id };
  },
});
