/**
 * Values resolved in the last `ttlMs`, kept in process memory, at most `max` (oldest out), each
 * belonging to a group (a tenant, a SCIM group) so a change can drop a group's entries at once.
 * Only what resolved is kept, so a flood of unknown keys costs memory nothing.
 *
 * A lookup that started before a drop does not put its (maybe stale) value back: take a `stamp()`
 * before reading the database and pass it to `set`, or use `resolve`, which does both. Used for
 * sessions and API keys (accounts), kiosk devices (sign-in) and SCIM credentials.
 */
export type CacheStamp = number & { readonly __cacheStamp: unique symbol };

export function createResolvedCache<V>(opts: { ttlMs: number; max?: number; groupOf: (value: V) => string }) {
  const max = opts.max ?? 10_000;
  const entries = new Map<string, { value: V; until: number }>();
  // Every drop moves the clock on; a value read from a stamp older than its group's (or the whole
  // cache's) last drop is not kept.
  let clock = 0;
  let droppedAll = 0;
  const dropped = new Map<string, number>();

  function get(key: string): V | undefined {
    const e = entries.get(key);
    if (!e) return undefined;
    if (e.until > Date.now()) return e.value;
    entries.delete(key);
    return undefined;
  }
  function stamp(): CacheStamp {
    return clock as CacheStamp;
  }
  function set(key: string, value: V, since: CacheStamp): void {
    if (opts.ttlMs <= 0) return;
    if (droppedAll > since || (dropped.get(opts.groupOf(value)) ?? 0) > since) return;
    if (entries.size >= max && !entries.has(key)) entries.delete(entries.keys().next().value!);
    entries.set(key, { value, until: Date.now() + opts.ttlMs });
  }
  return {
    get,
    stamp,
    set,
    /** The cached value of `key`, else `load`'s (kept unless a drop happened while it loaded). */
    async resolve(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
      const hit = get(key);
      if (hit !== undefined) return hit;
      const since = stamp();
      const value = await load();
      if (value !== undefined) set(key, value, since);
      return value;
    },
    /** Drops one group's entries, or every entry (`undefined`). */
    drop(group: string | undefined): void {
      clock++;
      if (group === undefined) {
        droppedAll = clock;
        entries.clear();
        return;
      }
      dropped.set(group, clock);
      for (const [k, e] of entries) if (opts.groupOf(e.value) === group) entries.delete(k);
    },
    get size() {
      return entries.size;
    },
  };
}

export type ResolvedCache<V> = ReturnType<typeof createResolvedCache<V>>;
