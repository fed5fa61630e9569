import { z } from 'zod';
import { cliActor, defineCommand, tenantRef } from '../command.js';

export const scimToken = defineCommand({
  name: 'scim token',
  summary: 'A new SCIM token for a SCIM group (the previous one stops working); baseUrl from PUBLIC_URL',
  options: {
    tenant: { type: 'string' },
    group: { type: 'string' },
  },
  args: z.object({ tenant: tenantRef, group: z.uuid() }),
  async run(ctx, args) {
    const { accounts, scim } = await ctx.contexts();
    const tenant = await accounts.service.findTenant(args.tenant);
    const { baseUrl, token } = await scim.access.generateToken(tenant.id, args.group, cliActor);
    ctx.progress('SCIM token generated; paste the base URL and token into the identity provider (the token is not shown again)');
    return { baseUrl, token };
  },
});
