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

describe('groups’ pages kept in memory (decision 047)', () => {
  const paging = (o: { maxPageBytes?: number; maxGroups?: number; pendingMs?: number } = {}) =>
    createMemberCounts({ ttlMs: 60_000, pageTtlMs: 60_000, pendingMs: 60_000, maxPageBytes: 1_000_000, ...o });
  const P = 'active:50:0';

  it('keeps a page per group and key, for its tenant only', () => {
    const c = paging();
    c.keepPage(T, G, P, '{"items":[],"total":0}', c.stamp());
    expect(c.page(T, G, P)).toBe('{"items":[],"total":0}');
    expect(c.page(T, G, 'active:50:50')).toBeUndefined();
    expect(c.page('tenant-2', G, P)).toBeUndefined();
    expect(c.page(T, 'group-2', P)).toBeUndefined();
  });

  it('a NOTIFY of a write into the group drops its pages and totals, and only its', () => {
    const c = paging();
    c.keepPage(T, G, P, 'a', c.stamp());
    c.keepPage(T, 'group-2', P, 'b', c.stamp());
    c.changed(c.payload(T, G));
    expect(c.page(T, G, P)).toBeUndefined();
    expect(c.page(T, 'group-2', P)).toBe('b');
    expect(c.pageBytes()).toBe(1);
  });

  it('an edit (details) drops the group’s pages and leaves its totals; a roster write drops both', () => {
    const c = paging();
    c.set(T, G, 'active', 12, c.stamp());
    c.keepPage(T, G, P, 'a', c.stamp());
    const edit = c.token();
    c.writing(T, G, edit, 'details');
    expect(c.page(T, G, P)).toBeUndefined();
    expect(c.get(T, G, 'active')).toBe(12);
    // While the edit is pending, no page is kept (it may have read the old row).
    c.keepPage(T, G, P, 'old', c.stamp());
    expect(c.page(T, G, P)).toBeUndefined();
    c.committed(T, G, edit, 'details');
    c.keepPage(T, G, P, 'new', c.stamp());
    expect(c.page(T, G, P)).toBe('new');
    const create = c.token();
    c.writing(T, G, create);
    expect(c.page(T, G, P)).toBeUndefined();
    expect(c.get(T, G, 'active')).toBeUndefined();
  });

  it('does not keep a page read before a drop, or before a pending write’s transaction ended', () => {
    const c = paging();
    const before = c.stamp();
    c.changed(c.payload(T, G));
    c.keepPage(T, G, P, 'stale', before);
    expect(c.page(T, G, P)).toBeUndefined();
    const token = c.token();
    c.writing(T, G, token, 'details');
    const during = c.stamp();
    c.committed(T, G, token, 'details');
    c.keepPage(T, G, P, 'stale', during);
    expect(c.page(T, G, P)).toBeUndefined();
    c.keepPage(T, G, P, 'fresh', c.stamp());
    expect(c.page(T, G, P)).toBe('fresh');
  });

  it('a kept page is not served while a write of this instance into its group is pending', () => {
    const c = paging();
    c.keepPage(T, G, P, 'a', c.stamp());
    c.writing(T, 'group-2', c.token());
    expect(c.page(T, G, P)).toBe('a');
    const token = c.token();
    c.writing(T, G, token, 'details');
    c.keepPage(T, G, P, 'b', c.stamp());
    expect(c.page(T, G, P)).toBeUndefined();
  });

  it('keeps nothing with `pageTtlMs` 0, or a page larger than `maxPageBytes`', () => {
    const off = createMemberCounts({ ttlMs: 60_000, pendingMs: 60_000, maxPageBytes: 100 });
    off.keepPage(T, G, P, 'a', off.stamp());
    expect(off.page(T, G, P)).toBeUndefined();
    const small = paging({ maxPageBytes: 3 });
    small.keepPage(T, G, P, 'abcd', small.stamp());
    expect(small.page(T, G, P)).toBeUndefined();
    expect(small.pageBytes()).toBe(0);
  });

  it('lets the least recently kept group’s pages go past `maxPageBytes`, and counts the bytes kept', () => {
    const c = paging({ maxPageBytes: 10 });
    c.keepPage(T, 'a', P, 'aaaa', c.stamp());
    c.keepPage(T, 'b', P, 'bbbb', c.stamp());
    c.keepPage(T, 'a', 'active:50:50', 'aa', c.stamp()); // 'a' is now the most recently kept
    expect(c.pageBytes()).toBe(10);
    c.keepPage(T, 'c', P, 'cc', c.stamp()); // 12 > 10: 'b' goes
    expect(c.page(T, 'b', P)).toBeUndefined();
    expect([c.page(T, 'a', P), c.page(T, 'a', 'active:50:50'), c.page(T, 'c', P)]).toEqual(['aaaa', 'aa', 'cc']);
    expect(c.pageBytes()).toBe(8);
    // A page kept again under its key replaces the old one's bytes.
    c.keepPage(T, 'c', P, 'c', c.stamp());
    expect(c.pageBytes()).toBe(7);
  });

  it('a group let go (past `maxGroups`) takes its pages with it', () => {
    const c = paging({ maxGroups: 2 });
    c.keepPage(T, 'a', P, 'aaaa', c.stamp());
    c.keepPage(T, 'b', P, 'bb', c.stamp());
    c.set(T, 'c', 'active', 3, c.stamp()); // lets 'a' go
    expect(c.page(T, 'a', P)).toBeUndefined();
    expect(c.pageBytes()).toBe(2);
    // A write into 'a' now cannot miss a page kept on a group entry that was let go.
    c.writing(T, 'a', c.token());
    expect(c.page(T, 'a', P)).toBeUndefined();
  });
});
