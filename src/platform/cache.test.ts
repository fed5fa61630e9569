import { afterEach, describe, expect, it, vi } from 'vitest';
import { createResolvedCache } from './cache.js';

type Row = { id: string; tenantId: string };
const cacheOf = (ttlMs = 1000, max?: number) => createResolvedCache<Row>({ ttlMs, max, groupOf: (r) => r.tenantId });

describe('createResolvedCache', () => {
  afterEach(() => vi.useRealTimers());

  it('keeps a resolved value for ttlMs, then reads again; an unknown key is not kept', async () => {
    vi.useFakeTimers();
    const cache = cacheOf(1000);
    const load = vi.fn(async () => ({ id: 'a', tenantId: 't1' }));
    expect(await cache.resolve('k', load)).toEqual({ id: 'a', tenantId: 't1' });
    expect(await cache.resolve('k', load)).toEqual({ id: 'a', tenantId: 't1' });
    expect(load).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1001);
    await cache.resolve('k', load);
    expect(load).toHaveBeenCalledTimes(2);
    expect(await cache.resolve('unknown', async () => undefined)).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('keeps nothing with a ttl of 0, and at most max entries (oldest out)', async () => {
    const off = cacheOf(0);
    await off.resolve('k', async () => ({ id: 'a', tenantId: 't1' }));
    expect(off.size).toBe(0);
    const small = cacheOf(1000, 2);
    for (const k of ['a', 'b', 'c']) await small.resolve(k, async () => ({ id: k, tenantId: 't1' }));
    expect([small.get('a'), small.get('b')?.id, small.get('c')?.id]).toEqual([undefined, 'b', 'c']);
  });

  it('drops one group, or all; other groups stay', async () => {
    const cache = cacheOf();
    await cache.resolve('a', async () => ({ id: 'a', tenantId: 't1' }));
    await cache.resolve('b', async () => ({ id: 'b', tenantId: 't2' }));
    cache.drop('t1');
    expect([cache.get('a'), cache.get('b')?.id]).toEqual([undefined, 'b']);
    cache.drop(undefined);
    expect(cache.size).toBe(0);
  });

  it('a lookup that started before a drop of its group (or of all) does not put its value back', async () => {
    const cache = cacheOf();
    for (const drop of ['t1', undefined]) {
      let release!: () => void;
      const pending = cache.resolve('a', () => new Promise<Row>((r) => (release = () => r({ id: 'a', tenantId: 't1' }))));
      cache.drop(drop);
      release();
      expect(await pending).toEqual({ id: 'a', tenantId: 't1' });
      expect(cache.get('a')).toBeUndefined();
    }
    // A drop of another group does not stop it.
    let release!: () => void;
    const pending = cache.resolve('a', () => new Promise<Row>((r) => (release = () => r({ id: 'a', tenantId: 't1' }))));
    cache.drop('t2');
    release();
    await pending;
    expect(cache.get('a')?.id).toBe('a');
  });
});
