import type { Platform } from '../../../platform/platform.js';
import { AppError, badRequest, conflict, notFound } from '../../../platform/errors.js';
import { decryptSecret, encryptSecret, hashToken, newToken } from '../../../platform/crypto.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { assertCan } from '../../../platform/http/permissions.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { accountsRepo } from '../accounts.repo.js';
import { tenantRepo } from '../tenant/tenant.repo.js';
import { usersRepo } from '../users/users.repo.js';
import { checkClaims, domainOf, jitDecision, REFUSAL_MESSAGES, type ConnectionRules, type RefusalReason } from './claims.js';
import { oidcRepo, type ConnectionWithDomains } from './oidc.repo.js';
import type { ConnectionCreate, ConnectionPatch } from './oidc.schemas.js';
import type { OidcPreset } from './oidc.tables.js';
import { createProvider, parseIssuerUrl, ProviderError, randomCodeVerifier, randomNonce, randomState, type Provider, type ProviderConnection } from './provider.js';

export type OidcDeps = Pick<Platform, 'db' | 'now' | 'config' | 'log'>;

/** How long a started sign-in may take at the IdP. */
export const FLOW_TTL_MS = 10 * 60_000;
export const CALLBACK_PATH = '/api/auth/oidc/callback';

export type CallbackResult =
  | { ok: true; token: string; totpRequired: boolean }
  | { ok: false; reason: RefusalReason };

/** How people call the provider ("Also sign out of Microsoft"). */
const PROVIDER_NAMES: Record<OidcPreset, string> = { entra: 'Microsoft', google: 'Google', okta: 'Okta', generic: 'your identity provider' };

const ENTRA_ISSUER = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0\/?$/i;

export function presentConnection(c: ConnectionWithDomains) {
  return {
    id: c.id,
    preset: c.preset,
    label: c.label,
    issuer: c.issuer,
    clientId: c.clientId,
    clientSecretSet: c.clientSecret.length > 0,
    scopes: c.scopes,
    domains: c.domains,
    idpTenantId: c.idpTenantId,
    idpEnforcesMfa: c.idpEnforcesMfa,
    enabled: c.enabled,
    jitEnabled: c.jitEnabled,
    jitRole: c.jitRole,
    jitScopes: c.jitScopes,
    allowedGroups: c.allowedGroups,
    groupRoles: c.groupRoles,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

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

/** The preset's own rules: Entra needs its directory id (and a tenant-specific issuer). */
function assertPresetRules(c: { preset: string; issuer: string; idpTenantId?: string | null }) {
  parseIssuerUrl(c.issuer);
  if (c.preset !== 'entra') return;
  if (!c.idpTenantId) throw badRequest('idp_tenant_required', 'Microsoft Entra ID needs the directory (tenant) id', 'idpTenantId');
  const m = ENTRA_ISSUER.exec(c.issuer);
  if (m && ['common', 'organizations', 'consumers'].includes(m[1]!.toLowerCase())) {
    throw badRequest('invalid_issuer', 'Use the tenant-specific issuer https://login.microsoftonline.com/<tenant id>/v2.0', 'issuer');
  }
  if (m && m[1]!.toLowerCase() !== c.idpTenantId.toLowerCase()) {
    throw badRequest('invalid_issuer', 'The issuer’s tenant id differs from the directory (tenant) id', 'issuer');
  }
}

export function createOidcService(deps: OidcDeps, provider: Provider = createProvider({ now: deps.now })) {
  const { db, now, config } = deps;
  const redirectUri = `${config.publicUrl}${CALLBACK_PATH}`;

  const providerConnection = (c: ConnectionWithDomains): ProviderConnection => ({
    id: c.id,
    issuer: c.issuer,
    clientId: c.clientId,
    clientSecret: decryptSecret(config.secretKey, c.clientSecret),
    updatedAt: c.updatedAt,
  });

  async function assertDomainsFree(tx: DbOrTx, tenantId: string, connectionId: string | null, domains: string[]) {
    const owners = await oidcRepo.domainOwners(tx, domains);
    const taken = owners.find((o) => o.connectionId !== connectionId);
    if (taken) {
      const where = taken.tenantId === tenantId ? 'another connection of this organisation' : 'another organisation';
      throw new AppError(409, 'domain_taken', `${taken.domain} is already served by ${where}`, { field: 'domains' });
    }
  }

  async function list(principal: Principal) {
    assertCan(principal, 'settings.manage');
    return oidcRepo.list(db, principal.tenantId);
  }

  async function get(principal: Principal, id: string) {
    assertCan(principal, 'settings.manage');
    const c = await oidcRepo.find(db, principal.tenantId, id);
    if (!c) throw notFound('Connection');
    return c;
  }

  async function create(principal: Principal, actor: Actor, input: ConnectionCreate) {
    assertCan(principal, 'settings.manage');
    const { tenantId } = principal;
    const domains = [...new Set(input.domains)];
    assertPresetRules(input);
    return inTransaction(db, async (tx) => {
      await assertDomainsFree(tx, tenantId, null, domains);
      const row = await oidcRepo.insert(tx, {
        tenantId,
        preset: input.preset,
        label: input.label,
        issuer: input.issuer.replace(/\/+$/, ''),
        clientId: input.clientId,
        clientSecret: encryptSecret(config.secretKey, input.clientSecret),
        scopes: input.scopes ?? 'openid email profile',
        idpTenantId: input.idpTenantId ?? null,
        idpEnforcesMfa: input.idpEnforcesMfa ?? false,
        enabled: input.enabled ?? true,
        jitEnabled: input.jitEnabled ?? false,
        jitRole: input.jitRole ?? 'viewer',
        jitScopes: input.jitScopes ?? [],
        allowedGroups: input.allowedGroups ?? [],
        groupRoles: input.groupRoles ?? [],
        createdAt: now(),
        updatedAt: now(),
      });
      await oidcRepo.replaceDomains(tx, tenantId, row.id, domains);
      await recordAudit(tx, tenantId, actor, {
        action: 'oidc.connection_created',
        targetType: 'oidc_connection',
        targetId: row.id,
        summary: `Identity provider connection ${input.label} created (${input.preset}, ${domains.join(', ')})`,
        data: { preset: input.preset, issuer: row.issuer, clientId: row.clientId, domains },
      });
      return (await oidcRepo.find(tx, tenantId, row.id))!;
    });
  }

  async function update(principal: Principal, actor: Actor, id: string, patch: ConnectionPatch) {
    assertCan(principal, 'settings.manage');
    const { tenantId } = principal;
    return inTransaction(db, async (tx) => {
      const current = await oidcRepo.find(tx, tenantId, id);
      if (!current) throw notFound('Connection');
      const next = { ...current, ...patch };
      assertPresetRules(next);
      const tenant = (await accountsRepo.findTenant(tx, tenantId))!;
      if (tenant.passwordSignInOff && current.enabled && patch.enabled === false && !(await otherEnabled(tx, tenantId, id))) {
        throw conflict('last_connection', 'Password sign-in is off and this is the only connection on: turn password sign-in back on first');
      }
      const { clientSecret, domains, ...rest } = patch;
      const set = {
        ...rest,
        ...(rest.issuer ? { issuer: rest.issuer.replace(/\/+$/, '') } : {}),
        ...(clientSecret ? { clientSecret: encryptSecret(config.secretKey, clientSecret) } : {}),
        updatedAt: now(),
      };
      await oidcRepo.update(tx, tenantId, id, set);
      if (domains) {
        const unique = [...new Set(domains)];
        await assertDomainsFree(tx, tenantId, id, unique);
        await oidcRepo.replaceDomains(tx, tenantId, id, unique);
      }
      const changed = Object.keys(patch).filter((k) => k !== 'clientSecret');
      await recordAudit(tx, tenantId, actor, {
        action: 'oidc.connection_updated',
        targetType: 'oidc_connection',
        targetId: id,
        summary: `Identity provider connection ${next.label} changed (${[...changed, ...(clientSecret ? ['client secret'] : [])].join(', ')})`,
        data: { ...Object.fromEntries(changed.map((k) => [k, patch[k as keyof ConnectionPatch]])), clientSecretChanged: Boolean(clientSecret) },
      });
      return (await oidcRepo.find(tx, tenantId, id))!;
    });
  }

  async function otherEnabled(tx: DbOrTx, tenantId: string, exceptId: string) {
    return (await oidcRepo.list(tx, tenantId)).some((c) => c.id !== exceptId && c.enabled);
  }

  async function remove(principal: Principal, actor: Actor, id: string) {
    assertCan(principal, 'settings.manage');
    const { tenantId } = principal;
    await inTransaction(db, async (tx) => {
      const current = await oidcRepo.find(tx, tenantId, id);
      if (!current) throw notFound('Connection');
      const tenant = (await accountsRepo.findTenant(tx, tenantId))!;
      if (tenant.passwordSignInOff && current.enabled && !(await otherEnabled(tx, tenantId, id))) {
        throw conflict('last_connection', 'Password sign-in is off and this is the only connection on: turn password sign-in back on first');
      }
      await oidcRepo.remove(tx, tenantId, id);
      await recordAudit(tx, tenantId, actor, {
        action: 'oidc.connection_deleted',
        targetType: 'oidc_connection',
        targetId: id,
        summary: `Identity provider connection ${current.label} deleted`,
        data: { issuer: current.issuer, domains: current.domains },
      });
    });
  }

  /** "Test connection": discovery, keys, code flow support and the client credentials. */
  async function test(principal: Principal, actor: Actor, id: string) {
    const c = await get(principal, id);
    const checks = await provider.test(providerConnection(c), redirectUri);
    const ok = checks.every((x) => x.ok);
    await recordAudit(db, principal.tenantId, actor, {
      action: 'oidc.connection_tested',
      targetType: 'oidc_connection',
      targetId: id,
      summary: `Identity provider connection ${c.label} tested: ${ok ? 'all checks passed' : checks.filter((x) => !x.ok).map((x) => x.message).join('; ')}`,
      data: { ok, checks },
    });
    return { ok, checks };
  }

  async function settings(principal: Principal) {
    assertCan(principal, 'settings.manage');
    const tenant = (await accountsRepo.findTenant(db, principal.tenantId))!;
    return { passwordSignInOff: tenant.passwordSignInOff, redirectUri };
  }

  /** "Sign in only through the identity provider" (owner only); needs a connection that is on. */
  async function setPasswordSignInOff(principal: Principal, actor: Actor, off: boolean) {
    assertCan(principal, 'tenant.manage');
    const { tenantId } = principal;
    await inTransaction(db, async (tx) => {
      const tenant = await tenantRepo.findForUpdate(tx, tenantId);
      if (!tenant) throw notFound('Tenant');
      if (tenant.passwordSignInOff === off) return;
      if (off && !(await oidcRepo.list(tx, tenantId)).some((c) => c.enabled)) {
        throw badRequest('no_enabled_connection', 'Add and turn on an identity provider connection first', 'passwordSignInOff');
      }
      await tenantRepo.update(tx, tenantId, { passwordSignInOff: off });
      await recordAudit(tx, tenantId, actor, {
        action: 'tenant.updated',
        targetType: 'tenant',
        targetId: tenantId,
        summary: off ? 'Password sign-in turned off: sign in only through the identity provider' : 'Password sign-in turned back on',
        data: { passwordSignInOff: { from: tenant.passwordSignInOff, to: off } },
      });
    });
    return settings(principal);
  }

  /** Recovery from the command line: password sign-in on again for the tenant (audited). */
  async function restorePasswordSignIn(tenantId: string, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const tenant = await tenantRepo.findForUpdate(tx, tenantId);
      if (!tenant) throw notFound('Tenant');
      await tenantRepo.update(tx, tenantId, { passwordSignInOff: false });
      await recordAudit(tx, tenantId, actor, {
        action: 'tenant.password_signin_restored',
        targetType: 'tenant',
        targetId: tenantId,
        summary: 'Password sign-in turned back on from the command line (recovery)',
        data: { passwordSignInOff: { from: tenant.passwordSignInOff, to: false } },
      });
      return { wasOff: tenant.passwordSignInOff };
    });
  }

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
    deps.log.info({ reason, detail, connectionId: c?.id }, 'oidc sign-in refused');
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
      deps.log.info('oidc callback with an unknown state');
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

    const existing = await accountsRepo.findUserByEmail(db, identity.email);
    if (existing && existing.tenantId !== c.tenantId) return refuse(flow.tenantId, c, 'wrong_tenant', undefined, identity.email);
    if (existing?.disabledAt) return refuse(flow.tenantId, c, 'user_disabled', undefined, identity.email);
    if (!existing && !c.jitEnabled) return refuse(flow.tenantId, c, 'unknown_user', undefined, identity.email);
    const jit = existing ? undefined : jitDecision(rules, identity);
    if (jit && !jit.ok) return refuse(flow.tenantId, c, jit.reason, identity.groups ? `groups: ${identity.groups.join(', ')}` : 'no groups claim', identity.email);

    const result = await inTransaction(db, async (tx) => {
      const actorLabel = `OpenID Connect: ${c.label}`;
      let user = existing;
      if (!user) {
        const role = jit!.ok ? jit!.role : 'viewer';
        user = await accountsRepo.insertUser(tx, { tenantId: c.tenantId, email: identity.email, name: identity.name, passwordHash: null, role, sessionsValidAfter: at });
        if (c.jitScopes.length > 0) await usersRepo.replaceScopes(tx, c.tenantId, user.id, c.jitScopes);
        await recordAudit(tx, c.tenantId, { kind: 'system', id: null, label: actorLabel }, {
          action: 'user.created',
          targetType: 'user',
          targetId: user.id,
          summary: `User ${identity.email} created as ${role} on first sign-in through ${c.label}`,
          data: { via: 'oidc', connectionId: c.id, role, groups: identity.groups ?? [], scopes: c.jitScopes },
        });
      }
      const totpRequired = Boolean(user.totpEnabledAt) && !identity.mfa;
      const { token } = await accountsRepo.insertSession(tx, user, at, totpRequired, { authMethod: 'oidc', oidcConnectionId: c.id, mfaByIdp: identity.mfa });
      await recordAudit(tx, c.tenantId, { kind: 'user', id: user.id, label: user.email }, {
        action: 'oidc.signed_in',
        targetType: 'user',
        targetId: user.id,
        summary: `${user.email} signed in through ${c.label}${identity.mfa ? ' (multi-factor at the identity provider)' : ''}`,
        data: { connectionId: c.id, mfaByIdp: identity.mfa, created: !existing },
      });
      return { ok: true as const, token, totpRequired };
    });
    return result;
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

  return { list, get, create, update, remove, test, settings, setPasswordSignInOff, restorePasswordSignIn, discover, start, callback, endSession, redirectUri };
}

export type OidcService = ReturnType<typeof createOidcService>;
