import { z } from 'zod';
import { cliActor, defineCommand, tenantRef } from '../command.js';

export const apikeyCreate = defineCommand({
  name: 'apikey create',
  summary: 'Create an API key for a tenant; the key is printed once',
  options: {
    tenant: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
  },
  args: z.object({
    tenant: tenantRef,
    name: z.string().min(1).max(100),
    role: z.enum(['admin', 'manager', 'viewer']).default('admin'),
  }),
  async run(ctx, args) {
    const accounts = (await ctx.contexts()).accounts.service;
    const tenant = await accounts.findTenant(args.tenant);
    const { apiKey, key } = await accounts.createApiKey(tenant.id, { name: args.name, role: args.role }, cliActor);
    ctx.progress(`API key ${key.name} (${key.prefix}…) created with role ${key.role}; it is shown only now`);
    return { apiKey, apiKeyId: key.id };
  },
});
