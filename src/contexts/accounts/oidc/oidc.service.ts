import type { Platform } from '../../../platform/platform.js';
import { decryptSecret } from '../../../platform/crypto.js';
import type { ConnectionWithDomains } from './oidc.repo.js';
import { createProvider, type Provider, type ProviderConnection } from './provider.js';
import { createOidcConnections } from './connections.js';
import { createPasswordSignInSetting } from './password-sign-in.js';
import { createOidcCodeFlow } from './code-flow.js';

export { FLOW_TTL_MS, type CallbackResult } from './code-flow.js';

export type OidcDeps = Pick<Platform, 'db' | 'now' | 'config' | 'log'>;

export const CALLBACK_PATH = '/api/auth/oidc/callback';

/** What the OIDC use cases share: the platform, the provider, the redirect URI and the connection as the provider takes it. */
export type OidcContext = OidcDeps & {
  provider: Provider;
  redirectUri: string;
  providerConnection: (c: ConnectionWithDomains) => ProviderConnection;
};

/**
 * Sign-in through the school's identity provider, by use case: connections admin
 * (`connections.ts`), "sign in only through the identity provider" (`password-sign-in.ts`), the
 * code flow (`code-flow.ts`) with its just-in-time users (`jit.ts`).
 */
export function createOidcService(deps: OidcDeps, provider: Provider = createProvider({ now: deps.now })) {
  const { config } = deps;
  const ctx: OidcContext = {
    ...deps,
    provider,
    redirectUri: `${config.publicUrl}${CALLBACK_PATH}`,
    providerConnection: (c) => ({ id: c.id, issuer: c.issuer, clientId: c.clientId, clientSecret: decryptSecret(config.secretKey, c.clientSecret), updatedAt: c.updatedAt }),
  };
  return { ...createOidcConnections(ctx), ...createPasswordSignInSetting(ctx), ...createOidcCodeFlow(ctx), redirectUri: ctx.redirectUri };
}

export type OidcService = ReturnType<typeof createOidcService>;
