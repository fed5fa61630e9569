import { randomUUID } from 'node:crypto';

/**
 * After a write that may change how many members a group has (a create, an archive, a restore, a
 * removal, an import), the instance that made it NOTIFYs this channel (payload `tenantId:groupId`),
 * a second later and at most once a second per group, in a statement of its own: never in the
 * write's transaction, where a NOTIFY would make concurrent writers commit one at a time (decision 034).
 */
export const MEMBERS_CHANGED_CHANNEL = 'threshold_members_changed';
/** How long after a write of this instance its NOTIFY is sent (writes into one group meanwhile share it). */
export const MEMBERS_ANNOUNCE_DELAY_MS = 1000;

export type MemberCountFilter = 'active' | 'archived' | 'all';

/**
 * A total is kept 15 s at most; a write in a caller's transaction (SCIM, the integration: their
 * transactions end within milliseconds of the member write) holds its group's totals off for 2 s.
 */
export const MEMBER_COUNTS = { ttlMs: 15_000, pendingMs: 2_000 };

/**
 * How many members each group has (per `archived` filter, without a search), as the members page
 * last counted them, kept in this process so a page of a large group does not count it again on
 * every request (decision 034). No row in the database is written for it: a per-group counter row
 * would be one hot row every SCIM write into the group queues on (decision 031).
 *
 * Exact on this instance; on the others once the write's NOTIFY has arrived (about a second
 * after it), and at worst after `ttlMs`:
 * - a write of this instance calls `writing` (before its statement) with a token: the group's
 *   totals are dropped and, until `committed` (the writer's own transaction ended) or `pendingMs`
 *   has passed (a caller's transaction: SCIM, the integration), neither served nor kept, so a page
 *   read after the write's answer counts afresh;
 * - a NOTIFY (`changed`, another instance's write, or this one's own) drops the group's totals;
 * - a count read before a drop is not kept (`stamp` before reading, pass it to `set`), so a page
 *   that counted from a snapshot older than a write does not put the old total back;
 * - a total is kept at most `ttlMs`: what bounds a lost NOTIFY, or one that arrived before the
 *   write's transaction (a caller's, still open a second later) committed.
 */
export function createMemberCounts(opts: { ttlMs: number; pendingMs: number; maxGroups?: number }) {
  const maxGroups = opts.maxGroups ?? 10_000;
  type Group = { totals: Map<MemberCountFilter, { total: number; until: number }>; droppedAt: number; pending: Map<string, number> };
  const groups = new Map<string, Group>();
  let clock = 0;
  /** The clock when an entry (and what it knew of drops) was last evicted. */
  let evictedAt = 0;
  const instance = randomUUID();
  let sequence = 0;
  const keyOf = (tenantId: string, groupId: string) => `${tenantId}:${groupId}`;

  function entry(key: string): Group {
    let g = groups.get(key);
    if (!g) {
      if (groups.size >= maxGroups) {
        groups.delete(groups.keys().next().value!);
        evictedAt = ++clock;
      }
      g = { totals: new Map(), droppedAt: 0, pending: new Map() };
      groups.set(key, g);
    }
    return g;
  }
  function pending(g: Group, now: number): boolean {
    for (const [token, until] of g.pending) {
      if (until > now) return true;
      g.pending.delete(token);
    }
    return false;
  }
  function drop(key: string, token?: string) {
    const g = entry(key);
    g.totals.clear();
    g.droppedAt = ++clock;
    if (token !== undefined) g.pending.delete(token);
  }

  return {
    /** A token for a write (unique to this instance). */
    token(): string {
      return `${instance}.${++sequence}`;
    },
    /** The payload a write's NOTIFY carries. */
    payload(tenantId: string, groupId: string): string {
      return keyOf(tenantId, groupId);
    },
    /** A write of this instance into the group: drops its totals and holds them off until `committed(…, token)` or `pendingMs`. */
    writing(tenantId: string, groupId: string, token: string): void {
      drop(keyOf(tenantId, groupId));
      groups.get(keyOf(tenantId, groupId))!.pending.set(token, Date.now() + opts.pendingMs);
    },
    /** The transaction of the write `token` ended (committed or not): the group's totals go again, and may be kept from now on. */
    committed(tenantId: string, groupId: string, token: string): void {
      drop(keyOf(tenantId, groupId), token);
    },
    /** A NOTIFY of MEMBERS_CHANGED_CHANNEL arrived (a write into the group, here or elsewhere). */
    changed(payload: string): void {
      const [tenantId, groupId] = payload.split(':');
      if (!tenantId || !groupId) return;
      drop(keyOf(tenantId, groupId));
    },
    stamp(): number {
      return clock;
    },
    /** The group's kept count under `filter`; undefined when none is kept or a write of this instance is pending. */
    get(tenantId: string, groupId: string, filter: MemberCountFilter): number | undefined {
      const g = groups.get(keyOf(tenantId, groupId));
      if (!g) return undefined;
      const now = Date.now();
      if (pending(g, now)) return undefined;
      const t = g.totals.get(filter);
      if (!t) return undefined;
      if (t.until > now) return t.total;
      g.totals.delete(filter);
      return undefined;
    },
    /** Keeps a count read from the database after `since` (`stamp()`), unless the group changed meanwhile or a write is pending. */
    set(tenantId: string, groupId: string, filter: MemberCountFilter, total: number, since: number): void {
      if (opts.ttlMs <= 0) return;
      const key = keyOf(tenantId, groupId);
      const known = groups.get(key);
      if (!known && evictedAt > since) return;
      const g = known ?? entry(key);
      const now = Date.now();
      if (g.droppedAt > since || pending(g, now)) return;
      g.totals.set(filter, { total, until: now + opts.ttlMs });
    },
  };
}

export type MemberCounts = ReturnType<typeof createMemberCounts>;
