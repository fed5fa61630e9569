import { z } from 'zod';
import { createAccountsService } from '../../contexts/accounts/index.js';
import { createSigninServices } from '../../contexts/signin/index.js';
import { cliActor, defineCommand } from '../command.js';

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
    tenant: z.uuid(),
    group: z.uuid(),
    name: z.string().trim().min(1).max(200),
    email: z.email().optional(),
    role: z.string().trim().max(200).optional(),
  }),
  async run(ctx, args) {
    const platform = await ctx.platform();
    await createAccountsService(platform).tenantOf(args.tenant);
    const member = await createSigninServices(platform).members.create(platform.db, args.tenant, args.group, { fullName: args.name, email: args.email ?? null, role: args.role ?? '' }, cliActor, 'api');
    ctx.progress(`Member ${member.fullName} added`);
    return { memberId: member.id };
  },
});
