import { randomUUID } from 'node:crypto';
import type { Platform } from '../../../platform/platform.js';
import { accessRepo } from './access.repo.js';

export const REQUEST_LOG_DAYS = 30;

/**
 * The most time one batch row's requests span (its `lastAt` − `firstAt`): a write of the buffer
 * spans a quarter of a second, or a little more when the process stalls; past this, a group's
 * requests are split across rows.
 */
export const BATCH_SPAN_MS = 1000;

export type LogEntry = {
  tenantId: string;
  groupId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  scimType?: string;
  errorDetail?: string;
  requestId: string;
};

/** A request as the log keeps it: one element of a batch's `entries` (JSON). */
type StoredEntry = { id: string; at: string; method: string; path: string; status: number; durationMs: number; scimType?: string | null; errorDetail?: string | null; requestId?: string | null };

/** A request of the log as a page shows it. */
export type LoggedRequest = { id: string; at: Date; method: string; path: string; status: number; durationMs: number; scimType: string | null; errorDetail: string | null; requestId: string | null };

/** Newest first; a tie in time by id, as the table's order was. */
const newestFirst = (a: LoggedRequest, b: LoggedRequest) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * The request log the SCIM tab shows: written a batch a row (a group's requests written together,
 * `scimRequestLogBatches`), paged a request at a time, and cleaned up after 30 days.
 */
export function createScimRequestLog(deps: Pick<Platform, 'db' | 'now'>) {
  const { db, now } = deps;
  return {
    /**
     * Writes requests to the log, in one statement: a row for each group's among them, or more
     * where they span more than `BATCH_SPAN_MS` (so a page far back finds its batches by their
     * last request's time alone: `logBatches`).
     */
    async log(entries: Array<LogEntry & { at: Date }>): Promise<void> {
      if (entries.length === 0) return;
      type Batch = { tenantId: string; groupId: string; stored: StoredEntry[]; first: number; last: number };
      const open = new Map<string, Batch>();
      const batches: Batch[] = [];
      for (const e of entries) {
        const key = `${e.tenantId}/${e.groupId}`;
        const t = e.at.getTime();
        let batch = open.get(key);
        if (!batch || Math.max(batch.last, t) - Math.min(batch.first, t) > BATCH_SPAN_MS) {
          batch = { tenantId: e.tenantId, groupId: e.groupId, stored: [], first: t, last: t };
          open.set(key, batch);
          batches.push(batch);
        }
        batch.stored.push({ id: randomUUID(), at: e.at.toISOString(), method: e.method, path: e.path, status: e.status, durationMs: e.durationMs, scimType: e.scimType ?? null, errorDetail: e.errorDetail ?? null, requestId: e.requestId });
        batch.first = Math.min(batch.first, t);
        batch.last = Math.max(batch.last, t);
      }
      await accessRepo.insertLogBatches(
        db,
        batches.map((b) => ({ tenantId: b.tenantId, groupId: b.groupId, firstAt: new Date(b.first), lastAt: new Date(b.last), entries: JSON.stringify(b.stored) })),
      );
    },

    /**
     * A page of the group's log, newest first (the group is checked by the caller): its requests
     * before `before`, `limit` of them and any more of the same moment as the last (the next page
     * starts before that moment, so a moment is never split between pages: at a few thousand
     * requests a second, many share a millisecond). Batches are read a few at a time (more each
     * time), newest last request first, until none left can hold a request the page needs: the
     * next batch's `lastAt` bounds everything after it.
     */
    async page(tenantId: string, groupId: string, page: { limit: number; before?: Date }) {
      let found: LoggedRequest[] = [];
      /** How many of `found` the page shows: `limit`, and the rest of the last one's moment. */
      let shown = 0;
      let after: { lastAt: Date; id: string } | undefined;
      let take = 4;
      for (;;) {
        const batches = await accessRepo.logBatches(db, tenantId, groupId, { limit: take, before: page.before, spanMs: BATCH_SPAN_MS, after });
        let done = batches.length < take;
        for (const b of batches) {
          // Past the page, `found` keeps one request older than it (so there is more); a batch
          // whose requests are all older than that one has nothing the page needs, nor any after it.
          const older = found[shown];
          if (shown >= page.limit && older && b.lastAt < older.at) {
            done = true;
            break;
          }
          for (const e of JSON.parse(b.entries) as StoredEntry[]) {
            const at = new Date(e.at);
            if (page.before && !(at < page.before)) continue;
            found.push({ id: e.id, at, method: e.method, path: e.path, status: e.status, durationMs: e.durationMs, scimType: e.scimType ?? null, errorDetail: e.errorDetail ?? null, requestId: e.requestId ?? null });
          }
          found.sort(newestFirst);
          shown = Math.min(page.limit, found.length);
          const edge = found[shown - 1]?.at.getTime();
          while (shown < found.length && found[shown]!.at.getTime() === edge) shown++;
          found = found.slice(0, shown + 1);
          after = { lastAt: b.lastAt, id: b.id };
        }
        if (done) break;
        take = Math.min(take * 2, 64);
      }
      const items = found.slice(0, shown);
      return { items, nextBefore: found.length > shown ? items.at(-1)!.at.toISOString() : null };
    },

    /** Drops request log batches whose requests are all older than 30 days (the scheduled `scim.request_log_cleanup` job). */
    async cleanup(): Promise<void> {
      await accessRepo.deleteLogBefore(db, new Date(now().getTime() - REQUEST_LOG_DAYS * 24 * 3600_000));
    },
  };
}

/** Text PostgreSQL refuses (NUL) or cannot encode (a lone UTF-16 surrogate) made storable. */
export function storableText(text: string, max: number): string {
  // Almost every text is fine as it is: one scan for the characters that need work, none of the replacing.
  if (!text.includes('\u0000') && !/[\ud800-\udfff]/.test(text)) return text.length > max ? text.slice(0, max) : text;
  return text
    .slice(0, max)
    .replaceAll('\u0000', '\ufffd')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** The entry's texts made storable, in place (every entry reaching the buffer is its own object). */
function makeStorable(e: LogEntry & { at: Date }): LogEntry & { at: Date } {
  e.method = storableText(e.method, 16);
  e.path = storableText(e.path, 2000);
  if (e.scimType !== undefined) e.scimType = storableText(e.scimType, 100);
  if (e.errorDetail !== undefined) e.errorDetail = storableText(e.errorDetail, 2000);
  e.requestId = storableText(e.requestId, 100);
  return e;
}

/** Rejected requests (no or a wrong token) of one group are summed over this long: one entry each. */
export const REJECTED_WINDOW_MS = 60_000;

/**
 * The request log is written in batches, a few hundred milliseconds after the requests (one
 * insert of a row per group instead of a write per request: `createScimRequestLog`'s `log`).
 * Entries are made storable first; if a write still fails, each group's requests are written on
 * their own, and a group's that still fail request by request, so one bad entry loses only itself.
 * Entries still buffered when a process dies are lost; the log is a troubleshooting aid, not an
 * audit trail (changes are in the audit log).
 *
 * Rejected requests (401: no or a wrong token) cost an entry each only for the first of a group in
 * a minute; the rest of that minute are counted and written as one entry ("N more rejected
 * requests"), so junk traffic adds at most two entries a minute per group.
 */
export function createRequestLogBuffer(access: { log(entries: Array<LogEntry & { at: Date }>): Promise<void> }, now: () => Date, onError: (err: unknown) => void, opts = { maxRows: 200, delayMs: 250 }) {
  let pending: Array<LogEntry & { at: Date }> = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  /** Per group: when its rejection minute started, and the rejections counted since its first. */
  const rejected = new Map<string, { since: Date; tenantId: string; count: number; last: LogEntry }>();
  let rejectTimer: NodeJS.Timeout | undefined;

  /** Writes `batch`; if that fails, each group's part of it on its own (`byGroup`), then request by request. */
  const write = async (batch: Array<LogEntry & { at: Date }>, byGroup = true): Promise<void> => {
    if (batch.length === 0) return;
    try {
      await access.log(batch);
    } catch (err) {
      if (batch.length === 1) return onError(err);
      if (!byGroup) {
        for (const e of batch) await write([e], false);
        return;
      }
      const groups = new Map<string, Array<LogEntry & { at: Date }>>();
      for (const e of batch) {
        const key = `${e.tenantId}/${e.groupId}`;
        groups.set(key, [...(groups.get(key) ?? []), e]);
      }
      if (groups.size === 1) return write(batch, false);
      for (const part of groups.values()) await write(part, false);
    }
  };
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    writing = writing.then(() => write(batch)).catch(onError);
    return writing;
  };
  const push = (entry: LogEntry & { at: Date }) => {
    pending.push(makeStorable(entry));
    if (pending.length >= opts.maxRows) void flush();
    else {
      timer ??= setTimeout(() => void flush(), opts.delayMs);
      timer.unref?.();
    }
  };
  /** Writes the counts of rejection minutes that have ended (or all of them, on close). */
  const closeRejections = (all: boolean) => {
    const at = now();
    for (const [groupId, r] of rejected) {
      if (!all && at.getTime() - r.since.getTime() < REJECTED_WINDOW_MS) continue;
      rejected.delete(groupId);
      if (r.count > 0) {
        push({
          ...r.last,
          path: '(rejected requests)',
          at,
          durationMs: 0,
          scimType: undefined,
          errorDetail: `${r.count} more request${r.count === 1 ? '' : 's'} with no or a wrong token since ${r.since.toISOString()}`,
        });
      }
    }
    if (rejectTimer) clearTimeout(rejectTimer);
    rejectTimer = undefined;
    if (rejected.size > 0) {
      rejectTimer = setTimeout(() => closeRejections(false), REJECTED_WINDOW_MS);
      rejectTimer.unref?.();
    }
  };
  return {
    /** Buffers one request's row; the entry becomes the buffer's (it is stamped and made storable in place). */
    add(entry: LogEntry) {
      const at = now();
      if (entry.status === 401) {
        const r = rejected.get(entry.groupId);
        if (r && at.getTime() - r.since.getTime() < REJECTED_WINDOW_MS) {
          r.count += 1;
          r.last = entry;
          return;
        }
        if (r) closeRejections(false);
        rejected.set(entry.groupId, { since: at, tenantId: entry.tenantId, count: 0, last: entry });
        if (!rejectTimer) {
          rejectTimer = setTimeout(() => closeRejections(false), REJECTED_WINDOW_MS);
          rejectTimer.unref?.();
        }
      }
      // The entry is the caller's own object (made for this call), so it is stamped, not copied.
      const row = entry as LogEntry & { at: Date };
      row.at = at;
      push(row);
    },
    /** Writes everything buffered now, rejected-request counts included (on close; tests). */
    flush() {
      closeRejections(true);
      return flush();
    },
  };
}
