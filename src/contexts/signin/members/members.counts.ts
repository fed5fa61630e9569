import { randomUUID } from 'node:crypto';

/**
 * After a write that may change how many members a group has (a create, an archive, a restore, a
 * removal, an import), the instance that made it NOTIFYs this channel (payload `tenantId:groupId`),
 * a second later and at most once a second per group, in a statement of its own: never in the
 * write's transaction, where a NOTIFY would make concurrent writers commit one at a time (decision 034).
 */
export const MEMBERS_CHANGED_CHANNEL = 'threshold_members_changed';
/** How long after a write of this instance its NOTIFY is sent (writes into one group meanwhile share it). */
export const MEMBERS_ANNOUNCE_DELAY_MS = 250;

export type MemberCountFilter = 'active' | 'archived' | 'all';

/**
 * A total is kept 15 s at most, a page 10 s; a write in a caller's transaction (SCIM, the
 * integration: their transactions end within milliseconds of the member write) holds its group's
 * totals and pages off for 2 s. Pages take at most `maxPageBytes` of memory together (16 MB).
 */
export const MEMBER_COUNTS = { ttlMs: 15_000, pageTtlMs: 10_000, pendingMs: 2_000, maxPageBytes: 16 * 1024 * 1024 };

/** What a write changes in a group: who is in it (totals and pages), or only members' details (pages). */
export type MemberWriteKind = 'roster' | 'details';

/**
 * How many members each group has (per `archived` filter, without a search), as the members page
 * last counted them, kept in this process so a page of a large group does not count it again on
 * every request (decision 034); and the pages themselves (the answer's JSON text, for callers who
 * see every site, without a search: decision 047), so a page read again is answered from memory.
 * No row in the database is written for it: a per-group counter row would be one hot row every
 * SCIM write into the group queues on (decision 031).
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
 * - a total is kept at most `ttlMs`, a page `pageTtlMs`: what bounds a lost NOTIFY, or one that
 *   arrived before the write's transaction (a caller's, still open a second later) committed;
 * - a write that changes only members' details (`details`: an edit, a photo, a new QR code) drops
 *   the group's pages and leaves its totals;
 * - pages beyond `maxPageBytes` (their texts' lengths) are let go, the least recently kept group's first.
 */
export function createMemberCounts(opts: { ttlMs: number; pendingMs: number; pageTtlMs?: number; maxPageBytes?: number; maxGroups?: number }) {
  const maxGroups = opts.maxGroups ?? 10_000;
  const pageTtlMs = opts.pageTtlMs ?? 0;
  const maxPageBytes = opts.maxPageBytes ?? 0;
  type Page = { body: string; until: number };
  type Group = {
    totals: Map<MemberCountFilter, { total: number; until: number }>;
    pages: Map<string, Page>;
    /** When the group's totals (`roster`) or pages (`details`, and every roster drop) were last dropped. */
    droppedAt: number;
    pagesDroppedAt: number;
    pending: Map<string, { until: number; kind: MemberWriteKind }>;
  };
  const groups = new Map<string, Group>();
  /** Groups with kept pages, least recently kept first, and the pages' total length. */
  const paged = new Map<string, Group>();
  let pageBytes = 0;
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
        const [oldestKey, oldest] = groups.entries().next().value!;
        dropPages(oldestKey, oldest);
        groups.delete(oldestKey);
        evictedAt = ++clock;
      }
      g = { totals: new Map(), pages: new Map(), droppedAt: 0, pagesDroppedAt: 0, pending: new Map() };
      groups.set(key, g);
    }
    return g;
  }
  /** Whether a write of this instance of `kind` (or any, when undefined) is still pending in the group. */
  function pending(g: Group, now: number, kind?: MemberWriteKind): boolean {
    let any = false;
    for (const [token, p] of g.pending) {
      if (p.until <= now) g.pending.delete(token);
      else if (kind === undefined || p.kind === kind) any = true;
    }
    return any;
  }
  function dropPages(key: string, g: Group) {
    for (const page of g.pages.values()) pageBytes -= page.body.length;
    g.pages.clear();
    paged.delete(key);
  }
  function drop(key: string, kind: MemberWriteKind, token?: string) {
    const g = entry(key);
    const at = ++clock;
    if (kind === 'roster') {
      g.totals.clear();
      g.droppedAt = at;
    }
    dropPages(key, g);
    g.pagesDroppedAt = at;
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
    /**
     * A write of this instance into the group: drops its pages (and totals, for a `roster` write)
     * and holds them off until `committed(…, token)` or `pendingMs`.
     */
    writing(tenantId: string, groupId: string, token: string, kind: MemberWriteKind = 'roster'): void {
      drop(keyOf(tenantId, groupId), kind);
      groups.get(keyOf(tenantId, groupId))!.pending.set(token, { until: Date.now() + opts.pendingMs, kind });
    },
    /** The transaction of the write `token` ended (committed or not): what it dropped goes again, and may be kept from now on. */
    committed(tenantId: string, groupId: string, token: string, kind: MemberWriteKind = 'roster'): void {
      drop(keyOf(tenantId, groupId), kind, token);
    },
    /** A NOTIFY of MEMBERS_CHANGED_CHANNEL arrived (a write into the group, here or elsewhere): its totals and pages go. */
    changed(payload: string): void {
      const [tenantId, groupId] = payload.split(':');
      if (!tenantId || !groupId) return;
      drop(keyOf(tenantId, groupId), 'roster');
    },
    stamp(): number {
      return clock;
    },
    /** The group's kept count under `filter`; undefined when none is kept or a write of this instance is pending. */
    get(tenantId: string, groupId: string, filter: MemberCountFilter): number | undefined {
      const g = groups.get(keyOf(tenantId, groupId));
      if (!g) return undefined;
      const now = Date.now();
      if (pending(g, now, 'roster')) return undefined;
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
      if (g.droppedAt > since || pending(g, now, 'roster')) return;
      g.totals.set(filter, { total, until: now + opts.ttlMs });
    },
    /** The group's kept page under `pageKey` (its filter, limit and offset); undefined when none is kept or a write of this instance is pending. */
    page(tenantId: string, groupId: string, pageKey: string): string | undefined {
      const key = keyOf(tenantId, groupId);
      const g = groups.get(key);
      if (!g) return undefined;
      const now = Date.now();
      const page = g.pages.get(pageKey);
      if (!page || pending(g, now)) return undefined;
      if (page.until > now) return page.body;
      pageBytes -= page.body.length;
      g.pages.delete(pageKey);
      if (g.pages.size === 0) paged.delete(key);
      return undefined;
    },
    /** Keeps a page read from the database after `since` (`stamp()`), unless the group changed meanwhile or a write is pending. */
    keepPage(tenantId: string, groupId: string, pageKey: string, body: string, since: number): void {
      if (pageTtlMs <= 0 || body.length > maxPageBytes) return;
      const key = keyOf(tenantId, groupId);
      const known = groups.get(key);
      if (!known && evictedAt > since) return;
      const g = known ?? entry(key);
      const now = Date.now();
      if (g.pagesDroppedAt > since || g.droppedAt > since || pending(g, now)) return;
      const old = g.pages.get(pageKey);
      if (old) pageBytes -= old.body.length;
      g.pages.set(pageKey, { body, until: now + pageTtlMs });
      pageBytes += body.length;
      paged.delete(key);
      paged.set(key, g);
      for (const [k, oldest] of paged) {
        if (pageBytes <= maxPageBytes) break;
        dropPages(k, oldest);
      }
    },
    /** The kept pages' total length (their JavaScript string lengths). */
    pageBytes(): number {
      return pageBytes;
    },
  };
}

export type MemberCounts = ReturnType<typeof createMemberCounts>;
