import { z } from 'zod';
import { createAccountsService } from '../../contexts/accounts/index.js';
import { createScimAccessService } from '../../contexts/scim/index.js';
import { cliActor, defineCommand } from '../command.js';

export const scimToken = defineCommand({
  name: 'scim token',
  summary: 'A new SCIM token for a SCIM group (the previous one stops working); baseUrl from PUBLIC_URL',
  options: {
    tenant: { type: 'string' },
    group: { type: 'string' },
  },
  args: z.object({ tenant: z.uuid(), group: z.uuid() }),
  async run(ctx, args) {
    const platform = await ctx.platform();
    await createAccountsService(platform).tenantOf(args.tenant);
    const { baseUrl, token } = await createScimAccessService(platform).generateToken(args.tenant, args.group, cliActor);
    ctx.progress('SCIM token generated; paste the base URL and token into the identity provider (the token is not shown again)');
    return { baseUrl, token };
  },
});
