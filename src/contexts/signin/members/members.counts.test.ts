import { describe, expect, it } from 'vitest';
import { createMemberCounts } from './members.counts.js';

const T = 'tenant-1';
const G = 'group-1';
const kept = () => createMemberCounts({ ttlMs: 60_000, pendingMs: 60_000 });

describe('groups’ member totals kept in memory (decision 034)', () => {
  it('keeps a total per group and filter, for its tenant only', () => {
    const c = kept();
    c.set(T, G, 'active', 12, c.stamp());
    expect(c.get(T, G, 'active')).toBe(12);
    expect(c.get(T, G, 'archived')).toBeUndefined();
    expect(c.get('tenant-2', G, 'active')).toBeUndefined();
    expect(c.get(T, 'group-2', 'active')).toBeUndefined();
  });

  it('a NOTIFY of a write into the group drops its totals, and only its', () => {
    const c = kept();
    c.set(T, G, 'active', 12, c.stamp());
    c.set(T, G, 'all', 14, c.stamp());
    c.set(T, 'group-2', 'active', 3, c.stamp());
    c.changed(c.payload(T, G));
    expect(c.get(T, G, 'active')).toBeUndefined();
    expect(c.get(T, G, 'all')).toBeUndefined();
    expect(c.get(T, 'group-2', 'active')).toBe(3);
  });

  it('does not keep a total read before a drop (a snapshot older than the write)', () => {
    const c = kept();
    const since = c.stamp();
    c.changed(c.payload(T, G));
    c.set(T, G, 'active', 12, since);
    expect(c.get(T, G, 'active')).toBeUndefined();
    c.set(T, G, 'active', 13, c.stamp());
    expect(c.get(T, G, 'active')).toBe(13);
  });

  it('neither serves nor keeps a total while a write of this instance waits for its transaction to end', () => {
    const c = kept();
    c.set(T, G, 'active', 12, c.stamp());
    const token = c.token();
    c.writing(T, G, token);
    expect(c.get(T, G, 'active')).toBeUndefined();
    // Read after the write's statement but before its commit: the old total, not kept.
    c.set(T, G, 'active', 12, c.stamp());
    expect(c.get(T, G, 'active')).toBeUndefined();
    // A NOTIFY does not end the wait (it may come before a caller's transaction commits).
    c.changed(c.payload(T, G));
    c.set(T, G, 'active', 12, c.stamp());
    expect(c.get(T, G, 'active')).toBeUndefined();
    // Its transaction ended: counted afresh from now on, and kept.
    c.committed(T, G, token);
    c.set(T, G, 'active', 13, c.stamp());
    expect(c.get(T, G, 'active')).toBe(13);
  });

  it('ends the wait only for the write whose transaction ended', () => {
    const c = kept();
    const [a, b] = [c.token(), c.token()];
    c.writing(T, G, a);
    c.writing(T, G, b);
    c.committed(T, G, a);
    c.set(T, G, 'active', 12, c.stamp());
    expect(c.get(T, G, 'active')).toBeUndefined();
    c.committed(T, G, b);
    c.set(T, G, 'active', 12, c.stamp());
    expect(c.get(T, G, 'active')).toBe(12);
  });

  it('a total read before the write’s transaction ended is not kept', () => {
    const c = kept();
    const token = c.token();
    c.writing(T, G, token);
    const since = c.stamp();
    c.committed(T, G, token);
    c.set(T, G, 'active', 12, since);
    expect(c.get(T, G, 'active')).toBeUndefined();
  });

  it('gives each write its own token; a NOTIFY names the group', () => {
    const c = kept();
    expect(c.token()).not.toBe(c.token());
    expect(c.payload(T, G)).toBe(`${T}:${G}`);
  });

  it('stops waiting for a write that never committed once `pendingMs` has passed (here 0)', () => {
    const c = createMemberCounts({ ttlMs: 60_000, pendingMs: 0 });
    c.writing(T, G, c.token());
    c.set(T, G, 'active', 12, c.stamp());
    expect(c.get(T, G, 'active')).toBe(12);
  });

  it('keeps nothing with `ttlMs` 0', () => {
    const c = createMemberCounts({ ttlMs: 0, pendingMs: 60_000 });
    c.set(T, G, 'active', 12, c.stamp());
    expect(c.get(T, G, 'active')).toBeUndefined();
  });

  it('keeps at most `maxGroups` groups, and nothing read before one was let go', () => {
    const c = createMemberCounts({ ttlMs: 60_000, pendingMs: 60_000, maxGroups: 2 });
    const since = c.stamp();
    c.changed(c.payload(T, 'a'));
    c.set(T, 'b', 'active', 2, c.stamp());
    c.set(T, 'c', 'active', 3, c.stamp()); // lets 'a' go, and what it knew of its drop
    expect(c.get(T, 'c', 'active')).toBe(3);
    c.set(T, 'a', 'active', 1, since);
    expect(c.get(T, 'a', 'active')).toBeUndefined();
  });

  it('ignores a payload that names no group', () => {
    const c = kept();
    c.set(T, G, 'active', 12, c.stamp());
    c.changed('nonsense');
    expect(c.get(T, G, 'active')).toBe(12);
  });
});
