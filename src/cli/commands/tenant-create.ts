import { z } from 'zod';
import { PASSWORD_MIN } from '../../contexts/accounts/index.js';
import { cliActor, defineCommand } from '../command.js';

export const tenantCreate = defineCommand({
  name: 'tenant create',
  summary: 'Create a tenant and its owner',
  options: {
    name: { type: 'string' },
    'owner-email': { type: 'string' },
    'owner-password': { type: 'string' },
    'owner-name': { type: 'string' },
    kind: { type: 'string' },
  },
  args: z.object({
    name: z.string().min(1),
    ownerEmail: z.email(),
    ownerPassword: z.string().min(PASSWORD_MIN),
    ownerName: z.string().optional(),
    kind: z.enum(['school', 'trust', 'company']).optional(),
  }),
  async run(ctx, args) {
    const accounts = (await ctx.contexts()).accounts.service;
    const { tenant, owner } = await accounts.createTenant(args, cliActor);
    ctx.progress(`Tenant ${tenant.name} created; its owner is ${owner.email}`);
    return { tenantId: tenant.id, userId: owner.id };
  },
});
