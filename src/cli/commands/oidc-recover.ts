import { z } from 'zod';
import { cliActor, defineCommand } from '../command.js';

/**
 * Recovery when the identity provider is unusable and the tenant signs in only through it:
 * password sign-in on again, so the owner can sign in with a password (audited).
 */
export const oidcRecover = defineCommand({
  name: 'oidc recover',
  summary: 'Turn password sign-in back on for a tenant that signs in only through its identity provider (audited)',
  options: { tenant: { type: 'string' } },
  args: z.object({ tenant: z.uuid() }),
  async run(ctx, args) {
    const { accounts } = await ctx.contexts();
    await accounts.service.tenantOf(args.tenant);
    const { wasOff } = await accounts.oidc.restorePasswordSignIn(args.tenant, cliActor);
    ctx.progress(wasOff ? 'Password sign-in is on again: the owner can sign in with their password.' : 'Password sign-in was already on.');
    return { tenantId: args.tenant, passwordSignIn: true, wasOff };
  },
});
