import { hashToken, newToken, decryptSecret, encryptSecret } from '../../../platform/crypto.js';
import { recordAudit } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/http/principal.js';
import { notFound } from '../../../platform/errors.js';
import { accountsRepo } from '../accounts.repo.js';
import { checkClaims, domainOf, REFUSAL_MESSAGES, type ConnectionRules, type RefusalReason } from './claims.js';
import { oidcRepo, type ConnectionWithDomains } from './oidc.repo.js';
import type { OidcPreset } from './oidc.tables.js';
import { ProviderError, randomCodeVerifier, randomNonce, randomState } from './provider.js';
import { admit, signInThrough } from './jit.js';
import type { OidcContext } from './oidc.service.js';

/** How long a started sign-in may take at the IdP. */
export const FLOW_TTL_MS = 10 * 60_000;

export type CallbackResult =
  | { ok: true; token: string; totpRequired: boolean }
  | { ok: false; reason: RefusalReason };

/** How people call the provider ("Also sign out of Microsoft"). */
const PROVIDER_NAMES: Record<OidcPreset, string> = { entra: 'Microsoft', google: 'Google', okta: 'Okta', generic: 'your identity provider' };

function rulesOf(c: ConnectionWithDomains): ConnectionRules {
  return {
    preset: c.preset,
    domains: c.domains,
    idpTenantId: c.idpTenantId,
    idpEnforcesMfa: c.idpEnforcesMfa,
    allowedGroups: c.allowedGroups,
    groupRoles: c.groupRoles,
    jitRole: c.jitRole,
  };
}

/**
 * The code flow (PKCE, state, nonce): which buttons an email gets, the start, the IdP's answer
 * checked and turned into a session of ours (creating the user just in time: `jit.ts`), and where
 * to sign out of the IdP too.
 */
export function createOidcCodeFlow(ctx: OidcContext) {
  const { db, now, config, provider, providerConnection, redirectUri } = ctx;

  /** The sign-in page's question: which buttons for this email, and may it use a password? */
  async function discover(email: string) {
    const c = email.includes('@') ? await oidcRepo.byDomain(db, domainOf(email)) : undefined;
    if (!c) return { connections: [], passwordSignIn: true };
    const tenant = await accountsRepo.findTenant(db, c.tenantId);
    return {
      connections: c.enabled ? [{ id: c.id, label: c.label, preset: c.preset }] : [],
      passwordSignIn: !tenant?.passwordSignInOff,
    };
  }

  /** Starts a sign-in: a flow row and the IdP's URL; `browserToken` goes in a cookie. */
  async function start(connectionId: string, loginHint?: string): Promise<{ refused: RefusalReason } | { url: string; browserToken: string }> {
    const c = /^[0-9a-f-]{36}$/i.test(connectionId) ? await oidcRepo.findAnyTenant(db, connectionId) : undefined;
    if (!c || !c.enabled) throw notFound('Connection');
    const state = randomState();
    const nonce = randomNonce();
    const codeVerifier = randomCodeVerifier();
    const browserToken = newToken('', 24);
    let url: URL;
    try {
      url = await provider.authorizationUrl(providerConnection(c), { redirectUri, scopes: c.scopes, state, nonce, codeVerifier, loginHint });
    } catch (err) {
      await refuse(c.tenantId, c, 'issuer_unreachable', (err as Error).message);
      return { refused: 'issuer_unreachable' };
    }
    const at = now();
    await oidcRepo.insertFlow(db, {
      stateHash: hashToken(state),
      browserHash: hashToken(browserToken),
      tenantId: c.tenantId,
      connectionId: c.id,
      nonce,
      codeVerifier: encryptSecret(config.secretKey, codeVerifier),
      createdAt: at,
      expiresAt: new Date(at.getTime() + FLOW_TTL_MS),
    });
    return { url: url.href, browserToken };
  }

  async function refuse(tenantId: string, c: Pick<ConnectionWithDomains, 'id' | 'label'> | undefined, reason: RefusalReason, detail?: string, email?: string) {
    ctx.log.info({ reason, detail, connectionId: c?.id }, 'oidc sign-in refused');
    await recordAudit(db, tenantId, { kind: 'system', id: null, label: c ? `OpenID Connect: ${c.label}` : 'OpenID Connect' }, {
      action: 'oidc.refused',
      targetType: 'oidc_connection',
      targetId: c?.id,
      summary: `Sign-in${email ? ` of ${email}` : ''} through ${c?.label ?? 'the identity provider'} refused: ${REFUSAL_MESSAGES[reason]}`,
      data: { reason, ...(detail ? { detail: detail.slice(0, 500) } : {}), ...(email ? { email } : {}) },
    });
    return { ok: false as const, reason };
  }

  /** The IdP's answer: checks everything, then a session of ours (or a refusal with its reason). */
  async function callback(query: Record<string, string | undefined>, browserToken: string | undefined): Promise<CallbackResult> {
    const state = query.state;
    const flow = state ? await oidcRepo.flowByState(db, hashToken(state)) : undefined;
    if (!flow) {
      ctx.log.info('oidc callback with an unknown state');
      return { ok: false, reason: 'state_invalid' };
    }
    const c = await oidcRepo.find(db, flow.tenantId, flow.connectionId);
    const at = now();
    if (!browserToken || hashToken(browserToken) !== flow.browserHash) return refuse(flow.tenantId, c, 'state_invalid', 'started in another browser');
    if (flow.expiresAt <= at) return refuse(flow.tenantId, c, 'state_invalid', 'expired');
    if (!(await oidcRepo.useFlow(db, flow.id, at))) return refuse(flow.tenantId, c, 'state_invalid', 'state already used (replay)');
    if (!c || !c.enabled) return refuse(flow.tenantId, c, 'connection_disabled');
    if (query.error) return refuse(flow.tenantId, c, 'idp_error', `${query.error}${query.error_description ? `: ${query.error_description}` : ''}`);

    const currentUrl = new URL(redirectUri);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) currentUrl.searchParams.set(k, v);
    let claims;
    try {
      claims = await provider.redeem(providerConnection(c), currentUrl, { state: state!, nonce: flow.nonce, codeVerifier: decryptSecret(config.secretKey, flow.codeVerifier) });
    } catch (err) {
      if (err instanceof ProviderError) {
        const reason: RefusalReason = err.kind === 'unreachable' ? 'issuer_unreachable' : err.kind === 'idp_error' ? 'idp_error' : err.kind === 'state_invalid' ? 'state_invalid' : 'token_invalid';
        return refuse(flow.tenantId, c, reason, err.detail ? `${err.detail}: ${err.message}` : err.message);
      }
      throw err;
    }
    const rules = rulesOf(c);
    const checked = checkClaims(rules, claims);
    if (!checked.ok) return refuse(flow.tenantId, c, checked.reason, checked.detail, typeof claims.email === 'string' ? claims.email : undefined);
    const { identity } = checked;

    const admitted = await admit(db, c, rules, identity);
    if (!admitted.ok) return refuse(flow.tenantId, c, admitted.reason, admitted.detail, identity.email);
    return signInThrough(db, c, identity, admitted, at);
  }

  /** Where to offer signing out of the IdP too, for a session that began there. */
  async function endSession(principal: Principal) {
    if (!principal.sessionId) return { url: null, label: null };
    const session = await accountsRepo.sessionById(db, principal.tenantId, principal.sessionId);
    if (session?.authMethod !== 'oidc' || !session.oidcConnectionId) return { url: null, label: null };
    const c = await oidcRepo.find(db, principal.tenantId, session.oidcConnectionId);
    if (!c) return { url: null, label: null };
    try {
      return { url: await provider.endSessionUrl(providerConnection(c), `${config.publicUrl}/login`), label: PROVIDER_NAMES[c.preset] };
    } catch {
      return { url: null, label: PROVIDER_NAMES[c.preset] };
    }
  }

  return { discover, start, callback, endSession };
}
