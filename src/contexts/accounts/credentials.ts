import type { Platform } from '../../platform/platform.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { hashToken } from '../../platform/crypto.js';
import type { Principal } from '../../platform/http/principal.js';
import { accountsRepo } from './accounts.repo.js';
import { createAuthCache } from './auth-cache.js';

/** How stale a session's last-seen may get before it is written again (an API key's last-used: a minute). */
export const LAST_SEEN_EVERY_MS = 5 * 60_000;

type SessionRow = NonNullable<Awaited<ReturnType<typeof accountsRepo.sessionWithUser>>>;
/** The session a request was authenticated with, its user and tenant (as `principalFromSession` returns them). */
export type ResolvedSession = Pick<SessionRow, 'session' | 'user' | 'tenant'>;
type ApiKeyRow = NonNullable<Awaited<ReturnType<typeof accountsRepo.apiKeyByHash>>>;
/** The in-memory caches of resolved credentials (see auth-cache.ts); without them every request reads. */
export type AuthCaches = {
  sessions: ReturnType<typeof createAuthCache<{ tenantId: string; row: SessionRow }>>;
  apiKeys: ReturnType<typeof createAuthCache<{ tenantId: string; row: ApiKeyRow }>>;
};
export function createAuthCaches(ttlMs: number): AuthCaches {
  return { sessions: createAuthCache({ ttlMs }), apiKeys: createAuthCache({ ttlMs }) };
}

/**
 * A request's credential resolved to a principal: a session cookie or an API key, through the
 * caches when given; their last-seen and last-used times written behind (`createTouchBuffer`).
 */
export function createCredentials(deps: Pick<Platform, 'db' | 'now' | 'log'>, caches?: AuthCaches) {
  const { db, now } = deps;
  const touches = createTouchBuffer(db, (err) => deps.log.warn({ err }, 'could not write last-seen times'));

  /** Resolves a session cookie to a principal (undefined when unknown, expired or owing TOTP). */
  async function principalFromSession(token: string) {
    const at = now();
    const hash = hashToken(token);
    let row = caches?.sessions.get(hash)?.row;
    if (row && row.session.expiresAt <= at) row = undefined;
    if (!row) {
      const since = caches?.sessions.stamp();
      row = await accountsRepo.sessionWithUser(db, hash, at);
      if (!row) return undefined;
      if (since !== undefined) caches?.sessions.set(hash, { tenantId: row.user.tenantId, row }, since);
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

  async function principalFromApiKey(token: string): Promise<Principal | undefined> {
    const hash = hashToken(token);
    let row = caches?.apiKeys.get(hash)?.row;
    if (!row) {
      const since = caches?.apiKeys.stamp();
      row = await accountsRepo.apiKeyByHash(db, hash);
      if (!row) return undefined;
      if (since !== undefined) caches?.apiKeys.set(hash, { tenantId: row.tenantId, row }, since);
    }
    const at = now();
    if (!row.lastUsedAt || at.getTime() - row.lastUsedAt.getTime() > 60_000) {
      touches.apiKey(row.id, at);
      row.lastUsedAt = at;
    }
    return { kind: 'apikey', tenantId: row.tenantId, id: row.id, label: `API key ${row.name}`, role: row.role, scopes: [] };
  }

  return { principalFromSession, principalFromApiKey, flushTouches: touches.flush, afterResponse: touches.afterResponse };
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
        if (s.size > 0) await accountsRepo.touchSessions(db, [...s.keys()], latest(s));
        if (k.size > 0) await accountsRepo.touchApiKeys(db, [...k.keys()], latest(k));
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
