import { eq, inArray, sql } from 'drizzle-orm';
import type { Platform } from '../../platform/platform.js';
import { AppError, badRequest, tooManyRequests } from '../../platform/errors.js';
import { hashToken, newToken } from '../../platform/crypto.js';
import { clearAttempts, countAttempt, keysWithAttempts, lockedSeconds, lockKey, releaseAttempt } from '../../platform/lockout.js';
import { notifyUsers } from './notifications/notify.js';
import { recordAudit, systemActor, type Actor } from '../../platform/audit/audit.js';
import type { Principal, Role } from '../../platform/http/principal.js';
import { inTransaction } from '../../platform/db/tx.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { apiKeys, sessions, tenants, users } from './accounts.tables.js';
import { accountsRepo } from './accounts.repo.js';
import { presentMe } from './accounts.presenters.js';
import { createAuthCache } from './auth-cache.js';
import { dummyHash, hashPassword, PASSWORD_MIN, verifyPassword } from './passwords.js';

export { SESSION_TTL_MS } from './accounts.repo.js';
export const LOGIN_USER_POLICY = { limit: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
const LOGIN_IP_POLICY = { limit: 30, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
/** Distinct addresses failing one account in LOGIN_USER_POLICY's window that lock the account itself. */
export const LOGIN_ACCOUNT_ADDRESSES = 5;

export type AccountsDeps = Pick<Platform, 'db' | 'now' | 'log' | 'jobs'>;

export const emailTaken = (field: string) => new AppError(409, 'email_taken', 'A user with this email already exists', { field });

export function assertPassword(password: string, field = 'password') {
  if (password.length < PASSWORD_MIN) {
    throw new AppError(400, 'weak_password', `The password must have at least ${PASSWORD_MIN} characters`, { field });
  }
}

/** How stale a session's last-seen may get before it is written again (an API key's last-used: a minute). */
export const LAST_SEEN_EVERY_MS = 5 * 60_000;

type SessionRow = NonNullable<Awaited<ReturnType<typeof accountsRepo.sessionWithUser>>>;
type ApiKeyRow = NonNullable<Awaited<ReturnType<typeof accountsRepo.apiKeyByHash>>>;
/** The in-memory caches of resolved credentials (see auth-cache.ts); without them every request reads. */
export type AuthCaches = {
  sessions: ReturnType<typeof createAuthCache<{ tenantId: string; row: SessionRow }>>;
  apiKeys: ReturnType<typeof createAuthCache<{ tenantId: string; row: ApiKeyRow }>>;
};
export function createAuthCaches(ttlMs: number): AuthCaches {
  return { sessions: createAuthCache({ ttlMs }), apiKeys: createAuthCache({ ttlMs }) };
}

export function createAccountsService(deps: AccountsDeps, caches?: AuthCaches) {
  const { db, now } = deps;
  const touches = createTouchBuffer(db, (err) => deps.log.warn({ err }, 'could not write last-seen times'));

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
      const [tenant] = await t.insert(tenants).values({ name: input.name, kind: input.kind ?? 'school' }).returning();
      const [owner] = await t
        .insert(users)
        .values({ tenantId: tenant!.id, email: input.ownerEmail, name: input.ownerName ?? '', passwordHash, role: 'owner' })
        .returning();
      await recordAudit(t, tenant!.id, actor, { action: 'tenant.created', targetType: 'tenant', targetId: tenant!.id, summary: `Tenant ${input.name} created` });
      return { tenant: tenant!, owner: owner! };
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
      const [user] = await t
        .insert(users)
        .values({ tenantId, email: input.email, name: input.name ?? '', passwordHash, role: input.role })
        .returning();
      await recordAudit(t, tenantId, actor, { action: 'user.created', targetType: 'user', targetId: user!.id, summary: `User ${input.email} created as ${input.role}` });
      return user!;
    });
  }

  /**
   * Password sign-in. Same 401 for an unknown email and a wrong password. Every attempt is counted
   * before the password is checked (so concurrent guesses cannot slip past a limit): 30 per
   * address and 5 per account and address in 15 minutes; when 5 different addresses fail on one
   * account within 15 minutes, the account itself is locked for 15 minutes and its user told.
   */
  async function login(input: { email: string; password: string; ip: string }) {
    const at = now();
    const ipKey = `login:ip:${input.ip}`;
    const ipLock = await countAttempt(db, ipKey, LOGIN_IP_POLICY, at);
    if (ipLock > 0) throw tooManyRequests(ipLock, 'Too many sign-in attempts from this address, try again later');
    const user = await accountsRepo.findUserByEmail(db, input.email);
    const accountKey = user ? `login:user:${user.id}` : undefined;
    const pairPrefix = user ? `login:user-ip:${user.id}:` : undefined;
    if (user) {
      const locked = await lockedSeconds(db, accountKey!, at);
      if (locked > 0) throw tooManyRequests(locked, 'This account is locked after failed sign-ins from several places; try again later or reset your password');
      const pairLock = await countAttempt(db, `${pairPrefix}${input.ip}`, LOGIN_USER_POLICY, at);
      if (pairLock > 0) throw tooManyRequests(pairLock, 'Too many failed sign-ins to this account from here, try again later');
    }
    const ok = user && !user.disabledAt ? await verifyPassword(user.passwordHash, input.password) : (await verifyPassword(await dummyHash(), input.password), false);
    if (!ok || !user) {
      if (user) await lockAccountIfWidelyFailing(user, pairPrefix!, at);
      throw new AppError(401, 'invalid_credentials', 'Wrong email or password');
    }
    await clearAttempts(db, `${pairPrefix}${input.ip}`);
    await releaseAttempt(db, ipKey, at);
    const tenant = await accountsRepo.findTenant(db, user.tenantId);
    if (tenant?.passwordSignInOff) {
      throw new AppError(403, 'password_signin_off', 'Your organisation signs in only through its identity provider: use its button');
    }
    const pendingTotp = Boolean(user.totpEnabledAt);
    const { token, session } = await accountsRepo.insertSession(db, user, at, pendingTotp);
    return { token, csrfToken: session.csrfToken, user, session, totpRequired: pendingTotp };
  }

  /** Failures from LOGIN_ACCOUNT_ADDRESSES different addresses in the window lock the account (once), and its user is told. */
  async function lockAccountIfWidelyFailing(user: { id: string; tenantId: string; email: string }, pairPrefix: string, at: Date) {
    const addresses = await keysWithAttempts(db, pairPrefix, new Date(at.getTime() - LOGIN_USER_POLICY.windowMs));
    if (addresses < LOGIN_ACCOUNT_ADDRESSES) return;
    await inTransaction(db, async (tx) => {
      if (!(await lockKey(tx, `login:user:${user.id}`, new Date(at.getTime() + LOGIN_USER_POLICY.lockMs), at))) return;
      await recordAudit(tx, user.tenantId, systemActor, { action: 'user.locked_out', targetType: 'user', targetId: user.id, summary: `Sign-in to ${user.email} locked for 15 minutes after failures from ${addresses} addresses` });
      await notifyUsers(tx, deps, user.tenantId, [user.id], {
        title: 'Your account was locked for 15 minutes',
        body: `Someone failed to sign in to your account from ${addresses} different places within 15 minutes, so sign-in is paused for 15 minutes. If this was not you, change your password (or reset it) once you are back in.`,
      });
    });
  }

  async function logout(sessionId: string) {
    await db.delete(sessions).where(eq(sessions.id, sessionId));
  }

  /** Resolves a session cookie to a principal (undefined when unknown, expired or owing TOTP). */
  async function principalFromSession(token: string) {
    const at = now();
    const hash = hashToken(token);
    let row = caches?.sessions.get(hash)?.row;
    if (row && row.session.expiresAt <= at) row = undefined;
    if (!row) {
      row = await accountsRepo.sessionWithUser(db, hash, at);
      if (!row) return undefined;
      caches?.sessions.set(hash, { tenantId: row.user.tenantId, row });
    }
    if (at.getTime() - row.session.lastSeenAt.getTime() > LAST_SEEN_EVERY_MS) {
      touches.session(row.session.id, at);
      row.session.lastSeenAt = at;
    }
    const principal: Principal = {
      kind: 'user',
      tenantId: row.user.tenantId,
      id: row.user.id,
      label: row.user.email,
      role: row.user.role,
      scopes: row.scopes,
      sessionId: row.session.id,
    };
    return { principal, session: row.session, user: row.user, tenant: row.tenant };
  }

  async function createApiKey(tenantId: string, input: { name: string; role?: 'admin' | 'manager' | 'viewer' }, actor: Actor) {
    const token = newToken('thr_key_');
    return inTransaction(db, async (t) => {
      const [row] = await t
        .insert(apiKeys)
        .values({ tenantId, name: input.name, role: input.role ?? 'admin', prefix: token.slice(0, 12), tokenHash: hashToken(token), createdBy: actor.kind === 'user' ? actor.id : null })
        .returning();
      await recordAudit(t, tenantId, actor, { action: 'apikey.created', targetType: 'api_key', targetId: row!.id, summary: `API key ${input.name} created` });
      return { apiKey: token, key: row! };
    });
  }

  async function principalFromApiKey(token: string): Promise<Principal | undefined> {
    const hash = hashToken(token);
    let row = caches?.apiKeys.get(hash)?.row;
    if (!row) {
      row = await accountsRepo.apiKeyByHash(db, hash);
      if (!row) return undefined;
      caches?.apiKeys.set(hash, { tenantId: row.tenantId, row });
    }
    const at = now();
    if (!row.lastUsedAt || at.getTime() - row.lastUsedAt.getTime() > 60_000) {
      touches.apiKey(row.id, at);
      row.lastUsedAt = at;
    }
    return { kind: 'apikey', tenantId: row.tenantId, id: row.id, label: `API key ${row.name}`, role: row.role, scopes: [] };
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
    const rows = await db.select().from(tenants).where(sql`lower(${tenants.name}) = lower(${value})`).limit(10);
    if (rows.length === 0) throw new AppError(404, 'tenant_not_found', `No tenant has the id or name "${value}"`, { field: 'tenant' });
    if (rows.length > 1) throw new AppError(409, 'tenant_name_ambiguous', `More than one tenant is named "${value}": use the tenant id (Settings › Security shows it)`, { field: 'tenant' });
    return rows[0]!;
  }

  async function me(p: Principal) {
    if (p.kind !== 'user' || !p.id || !p.sessionId) {
      throw new AppError(400, 'not_a_user_session', 'Only a signed-in user has a profile');
    }
    const user = await accountsRepo.findUser(db, p.tenantId, p.id);
    const [session] = await db.select().from(sessions).where(eq(sessions.id, p.sessionId));
    if (!user || !session) throw new AppError(401, 'unauthenticated', 'Authentication required');
    return presentMe(user, await tenantOf(p.tenantId), session.csrfToken, session.pendingTotp, session.mfaByIdp);
  }

  return { createTenant, createUser, login, logout, principalFromSession, createApiKey, principalFromApiKey, tenantOf, findTenant, me, flushTouches: touches.flush, afterResponse: touches.afterResponse };
}

/**
 * Sessions' last-seen and API keys' last-used times, written after the responses: collected for a
 * second after a response has been sent, then one UPDATE per kind for all of them. A request never waits for it.
 */
function createTouchBuffer(db: DbOrTx, onError: (err: unknown) => void, delayMs = 1000) {
  let sessionsSeen = new Map<string, Date>();
  let keysUsed = new Map<string, Date>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const s = sessionsSeen;
    const k = keysUsed;
    sessionsSeen = new Map();
    keysUsed = new Map();
    writing = writing.then(async () => {
      const latest = (m: Map<string, Date>) => new Date(Math.max(...[...m.values()].map((d) => d.getTime())));
      try {
        if (s.size > 0) await db.update(sessions).set({ lastSeenAt: latest(s) }).where(inArray(sessions.id, [...s.keys()]));
        if (k.size > 0) await db.update(apiKeys).set({ lastUsedAt: latest(k) }).where(inArray(apiKeys.id, [...k.keys()]));
      } catch (err) {
        onError(err);
      }
    });
    return writing;
  };
  const later = () => {
    timer ??= setTimeout(() => void flush(), delayMs);
    timer.unref?.();
  };
  return {
    session(id: string, at: Date) {
      sessionsSeen.set(id, at);
    },
    apiKey(id: string, at: Date) {
      keysUsed.set(id, at);
    },
    /** Schedules the write (call it once a response has been sent). */
    afterResponse() {
      if (sessionsSeen.size > 0 || keysUsed.size > 0) later();
    },
    flush,
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
