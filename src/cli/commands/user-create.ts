import { z } from 'zod';
import { PASSWORD_MIN } from '../../contexts/accounts/index.js';
import { cliActor, defineCommand, tenantRef } from '../command.js';

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
    tenant: tenantRef,
    email: z.email(),
    password: z.string().min(PASSWORD_MIN),
    role: z.enum(['admin', 'manager', 'viewer']),
    name: z.string().optional(),
  }),
  async run(ctx, args) {
    const accounts = (await ctx.contexts()).accounts.service;
    const tenant = await accounts.findTenant(args.tenant);
    const user = await accounts.createUser(tenant.id, args, cliActor);
    ctx.progress(`User ${user.email} created as ${user.role}`);
    return { userId: user.id };
  },
});
