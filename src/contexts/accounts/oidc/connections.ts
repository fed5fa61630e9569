import { AppError, badRequest, conflict, notFound } from '../../../platform/errors.js';
import { encryptSecret } from '../../../platform/crypto.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { assertCan } from '../../../platform/http/permissions.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { accountsRepo } from '../accounts.repo.js';
import { oidcRepo } from './oidc.repo.js';
import type { ConnectionCreate, ConnectionPatch } from './oidc.schemas.js';
import { parseIssuerUrl } from './provider.js';
import type { OidcContext } from './oidc.service.js';

const ENTRA_ISSUER = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0\/?$/i;

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

/** Connections admin (settings.manage): list, create, change, delete and test a tenant's identity provider connections. */
export function createOidcConnections(ctx: OidcContext) {
  const { db, now, config, provider, providerConnection, redirectUri } = ctx;

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

  return { list, get, create, update, remove, test };
}

/** Whether the tenant has another connection that is on (password sign-in off needs one). */
export async function otherEnabled(tx: DbOrTx, tenantId: string, exceptId: string) {
  return (await oidcRepo.list(tx, tenantId)).some((c) => c.id !== exceptId && c.enabled);
}
