import type { Platform } from '../../platform/platform.js';
import { AppError, badRequest } from '../../platform/errors.js';
import { hashToken, newToken } from '../../platform/crypto.js';
import { recordAudit, systemActor, type Actor } from '../../platform/audit/audit.js';
import type { Principal, Role } from '../../platform/http/principal.js';
import { inTransaction } from '../../platform/db/tx.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { accountsRepo } from './accounts.repo.js';
import { presentMe } from './accounts.presenters.js';
import { createCredentials, type AuthCaches, type ResolvedSession } from './credentials.js';
import { createLogin } from './login.js';
import { hashPassword, PASSWORD_MIN } from './passwords.js';

export { SESSION_TTL_MS } from './accounts.repo.js';
export { LOGIN_USER_POLICY, LOGIN_ACCOUNT_ADDRESSES } from './login.js';
export { LAST_SEEN_EVERY_MS, createAuthCaches, type AuthCaches } from './credentials.js';

export type AccountsDeps = Pick<Platform, 'db' | 'now' | 'log' | 'jobs'>;

export const emailTaken = (field: string) => new AppError(409, 'email_taken', 'A user with this email already exists', { field });

export function assertPassword(password: string, field = 'password') {
  if (password.length < PASSWORD_MIN) {
    throw new AppError(400, 'weak_password', `The password must have at least ${PASSWORD_MIN} characters`, { field });
  }
}

export function createAccountsService(deps: AccountsDeps, caches?: AuthCaches) {
  const { db } = deps;
  const credentials = createCredentials(deps, caches);
  const { login } = createLogin(deps);

  async function createTenant(input: {
    name: string;
    kind?: 'school' | 'trust' | 'company';
    ownerEmail: string;
    ownerPassword: string;
    ownerName?: string;
  }, actor: Actor = systemActor, tx: DbOrTx = db) {
    assertPassword(input.ownerPassword, 'ownerPassword');
    const passwordHash = await hashPassword(input.ownerPassword);
    return inTransaction(tx, async (t) => {
      if (await accountsRepo.findUserByEmail(t, input.ownerEmail)) {
        throw emailTaken('ownerEmail');
      }
      const tenant = await accountsRepo.insertTenant(t, { name: input.name, kind: input.kind ?? 'school' });
      const owner = await accountsRepo.insertUser(t, { tenantId: tenant.id, email: input.ownerEmail, name: input.ownerName ?? '', passwordHash, role: 'owner' });
      await recordAudit(t, tenant.id, actor, { action: 'tenant.created', targetType: 'tenant', targetId: tenant.id, summary: `Tenant ${input.name} created` });
      return { tenant, owner };
    });
  }

  async function createUser(tenantId: string, input: { email: string; password?: string; role: Role; name?: string }, actor: Actor, tx: DbOrTx = db) {
    if (input.role === 'owner') throw badRequest('invalid_role', 'A tenant has exactly one owner: hand ownership over instead', 'role');
    if (input.password !== undefined) assertPassword(input.password);
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    return inTransaction(tx, async (t) => {
      if (await accountsRepo.findUserByEmail(t, input.email)) {
        throw emailTaken('email');
      }
      const user = await accountsRepo.insertUser(t, { tenantId, email: input.email, name: input.name ?? '', passwordHash, role: input.role });
      await recordAudit(t, tenantId, actor, { action: 'user.created', targetType: 'user', targetId: user.id, summary: `User ${input.email} created as ${input.role}` });
      return user;
    });
  }

  async function logout(sessionId: string) {
    await accountsRepo.deleteSession(db, sessionId);
  }

  async function createApiKey(tenantId: string, input: { name: string; role?: 'admin' | 'manager' | 'viewer' }, actor: Actor) {
    const token = newToken('thr_key_');
    return inTransaction(db, async (t) => {
      const row = await accountsRepo.insertApiKey(t, { tenantId, name: input.name, role: input.role ?? 'admin', prefix: token.slice(0, 12), tokenHash: hashToken(token), createdBy: actor.kind === 'user' ? actor.id : null });
      await recordAudit(t, tenantId, actor, { action: 'apikey.created', targetType: 'api_key', targetId: row.id, summary: `API key ${input.name} created` });
      return { apiKey: token, key: row };
    });
  }

  async function tenantOf(tenantId: string) {
    const tenant = await accountsRepo.findTenant(db, tenantId);
    if (!tenant) throw new AppError(404, 'not_found', 'Tenant not found');
    return tenant;
  }

  /** A tenant named by its id or, where no other tenant has it, its name (case-insensitive): the CLI's --tenant. */
  async function findTenant(ref: string) {
    const value = ref.trim();
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return tenantOf(value);
    const rows = await accountsRepo.tenantsByName(db, value, 10);
    if (rows.length === 0) throw new AppError(404, 'tenant_not_found', `No tenant has the id or name "${value}"`, { field: 'tenant' });
    if (rows.length > 1) throw new AppError(409, 'tenant_name_ambiguous', `More than one tenant is named "${value}": use the tenant id (Settings › Security shows it)`, { field: 'tenant' });
    return rows[0]!;
  }

  /**
   * `resolved`: the session, user and tenant the request was authenticated with (read by the auth
   * hook, maybe from the credentials cache, which accounts changes invalidate): answered from them
   * without a round trip. Without them (or for another session), read afresh.
   */
  async function me(p: Principal, resolved?: ResolvedSession) {
    if (p.kind !== 'user' || !p.id || !p.sessionId) {
      throw new AppError(400, 'not_a_user_session', 'Only a signed-in user has a profile');
    }
    if (resolved && resolved.session.id === p.sessionId && resolved.user.id === p.id) {
      return presentMe(resolved.user, p.scopes, resolved.tenant, resolved.session.csrfToken, resolved.session.pendingTotp, resolved.session.mfaByIdp);
    }
    const user = await accountsRepo.findUser(db, p.tenantId, p.id);
    const session = await accountsRepo.sessionById(db, p.tenantId, p.sessionId);
    if (!user || !session) throw new AppError(401, 'unauthenticated', 'Authentication required');
    return presentMe(user, p.scopes, await tenantOf(p.tenantId), session.csrfToken, session.pendingTotp, session.mfaByIdp);
  }

  /** The user's scopes (sign-in answers them with the user). */
  const scopesOf = (u: { tenantId: string; id: string }) => accountsRepo.userScopes(db, u.tenantId, u.id);

  return { createTenant, createUser, login, logout, ...credentials, createApiKey, tenantOf, findTenant, me, scopesOf };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
