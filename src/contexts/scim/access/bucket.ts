import type { DbOrTx } from '../../../platform/db/database.js';
import { accessRepo, DEFAULT_RATE, type BucketRow } from './access.repo.js';

/**
 * The per-group token buckets, decided in process memory and shared across instances by writing
 * behind: each instance takes requests from what it last knew of the group's row in
 * `scim_rate_buckets` (refreshed by every authentication read while nothing of its own is being
 * written) and, `syncMs` after a response has been sent (`afterResponse`), subtracts what it took in one UPDATE that
 * returns the row as every instance left it. One instance is exact; several together can overshoot
 * by what the others took since their last write (at most `syncMs` of their traffic), and the
 * overshoot is then owed: the row may go below zero (down to minus one burst) and refills from there.
 */
export function createBucketGate(db: DbOrTx, now: () => Date, onError: (err: unknown) => void, syncMs = 100) {
  type State = { tenantId: string; row: BucketRow; pending: number; inflight: number; since: Date };
  const states = new Map<string, State>();
  let timer: NodeJS.Timeout | undefined;
  /** Something counted and not yet written. */
  let dirty = false;
  let writing: Promise<void> = Promise.resolve();

  const available = (r: BucketRow, at: number) => Math.min(r.burst, r.tokens + (r.perSecond * Math.max(0, at - r.refilledAt)) / 1000);
  /** The row after `n` requests taken at `since` (what the write will make of it). */
  const after = (r: BucketRow, n: number, since: number): BucketRow => ({ ...r, tokens: Math.max(-r.burst, available(r, since) - n), refilledAt: Math.max(r.refilledAt, since) });

  const write = async (groupId: string, st: State) => {
    const n = st.pending;
    // The requests are counted as taken when the first of them was (the bucket refills from then).
    const at = st.since;
    st.pending = 0;
    st.inflight = n;
    st.row = after(st.row, n, at.getTime());
    try {
      const row = await accessRepo.takeFromBucket(db, st.tenantId, groupId, n, at);
      if (row) st.row = row;
    } catch (err) {
      onError(err); // the row here keeps the requests taken; the database misses them
    } finally {
      st.inflight = 0;
    }
  };

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    writing = writing.then(async () => {
      for (const [groupId, st] of states) if (st.pending > 0) await write(groupId, st);
      // What was counted meanwhile is written after the next response (its own, or a later one).
      dirty = [...states.values()].some((st) => st.pending > 0);
    });
    return writing;
  };
  const later = () => {
    timer ??= setTimeout(() => void flush(), syncMs);
    timer.unref?.();
  };

  return {
    /**
     * Takes one request from the group's bucket; `seen` is the row as just read (undefined: no row
     * yet, the defaults apply). Returns 0 when taken, else the seconds until one is available.
     */
    take(groupId: string, tenantId: string, seen: BucketRow | undefined): number {
      let st = states.get(groupId);
      if (!st) {
        st = { tenantId, row: seen ?? { ...DEFAULT_RATE, tokens: DEFAULT_RATE.burst, refilledAt: now().getTime() }, pending: 0, inflight: 0, since: now() };
        states.set(groupId, st);
      } else if (seen && st.pending === 0 && st.inflight === 0) {
        st.row = seen;
      }
      const at = now().getTime();
      const left = available(st.pending > 0 ? after(st.row, st.pending, st.since.getTime()) : st.row, at);
      if (left >= 1) {
        if (st.pending === 0) st.since = new Date(at);
        st.pending += 1;
        dirty = true;
        return 0;
      }
      return st.row.perSecond > 0 ? Math.max(1, Math.ceil((1 - left) / st.row.perSecond)) : 60;
    },
    /** Schedules the write of what was taken (call it once a response has been sent). */
    afterResponse() {
      if (dirty && !timer) later();
    },
    /** Drops what this instance knows of a group (its limit was set, the bucket refilled); the next read sets it again. */
    forget(groupId: string) {
      states.delete(groupId);
    },
    flush,
  };
}
