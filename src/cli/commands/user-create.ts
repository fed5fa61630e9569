import { z } from 'zod';
import { createAccountsService } from '../../contexts/accounts/index.js';
import { cliActor, defineCommand } from '../command.js';

export const userCreate = defineCommand({
  name: 'user create',
  summary: 'Create a user in a tenant (roles: admin, manager, viewer)',
  options: {
    tenant: { type: 'string' },
    email: { type: 'string' },
    password: { type: 'string' },
    role: { type: 'string' },
    name: { type: 'string' },
  },
  args: z.object({
    tenant: z.uuid(),
    email: z.email(),
    password: z.string(),
    role: z.enum(['admin', 'manager', 'viewer']),
    name: z.string().optional(),
  }),
  async run(ctx, args) {
    const accounts = createAccountsService(await ctx.platform());
    await accounts.tenantOf(args.tenant);
    const user = await accounts.createUser(args.tenant, args, cliActor);
    ctx.progress(`User ${user.email} created as ${user.role}`);
    return { userId: user.id };
  },
});
