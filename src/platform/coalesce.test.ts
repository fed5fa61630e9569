import { describe, expect, it } from 'vitest';
import { createCoalescer, settle, type Settled } from './coalesce.js';

/** A batch runner whose batches finish when the test says: each call's items, and a way to end it. */
function gate() {
  const calls: Array<{ key: string; items: number[]; finish: (outcomes?: Array<Settled<string>>) => void; fail: (err: unknown) => void }> = [];
  const run = (key: string, items: number[]) =>
    new Promise<Array<Settled<string>>>((resolve, reject) => {
      calls.push({ key, items, finish: (outcomes) => resolve(outcomes ?? items.map((i) => ({ ok: true, value: `${key}:${i}` }))), fail: reject });
    });
  return { calls, run };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('createCoalescer', () => {
  it('runs a lone item at once, alone', async () => {
    const g = gate();
    const c = createCoalescer({ maxBatch: 10, maxInFlight: 1, run: g.run });
    const out = c.submit('k', 1);
    expect(g.calls.map((x) => x.items)).toEqual([[1]]);
    g.calls[0]!.finish();
    await expect(out).resolves.toBe('k:1');
    expect(c.busyKeys).toBe(0);
  });

  it('items that arrive while the key is busy wait and go together, in order, when a batch finishes', async () => {
    const g = gate();
    const c = createCoalescer({ maxBatch: 10, maxInFlight: 1, run: g.run });
    const outs = [1, 2, 3, 4].map((i) => c.submit('k', i));
    expect(g.calls.map((x) => x.items)).toEqual([[1]]);
    g.calls[0]!.finish();
    await tick();
    expect(g.calls.map((x) => x.items)).toEqual([[1], [2, 3, 4]]);
    g.calls[1]!.finish();
    await expect(Promise.all(outs)).resolves.toEqual(['k:1', 'k:2', 'k:3', 'k:4']);
    expect(c.busyKeys).toBe(0);
  });

  it('keeps at most maxInFlight batches of a key under way and at most maxBatch items in one', async () => {
    const g = gate();
    const c = createCoalescer({ maxBatch: 2, maxInFlight: 2, run: g.run });
    const outs = [1, 2, 3, 4, 5, 6, 7].map((i) => c.submit('k', i));
    expect(g.calls.map((x) => x.items)).toEqual([[1], [2]]);
    g.calls[1]!.finish();
    await tick();
    expect(g.calls.map((x) => x.items)).toEqual([[1], [2], [3, 4]]);
    g.calls[0]!.finish();
    await tick();
    expect(g.calls.map((x) => x.items)).toEqual([[1], [2], [3, 4], [5, 6]]);
    g.calls[2]!.finish();
    g.calls[3]!.finish();
    await tick();
    expect(g.calls.map((x) => x.items)).toEqual([[1], [2], [3, 4], [5, 6], [7]]);
    g.calls[4]!.finish();
    await expect(Promise.all(outs)).resolves.toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `k:${i}`));
  });

  it('keys do not wait for each other', async () => {
    const g = gate();
    const c = createCoalescer({ maxBatch: 10, maxInFlight: 1, run: g.run });
    void c.submit('a', 1);
    void c.submit('a', 2);
    const b = c.submit('b', 3);
    expect(g.calls.map((x) => [x.key, x.items])).toEqual([
      ['a', [1]],
      ['b', [3]],
    ]);
    g.calls[1]!.finish();
    await expect(b).resolves.toBe('b:3');
    expect(c.busyKeys).toBe(1);
  });

  it("gives each item its own outcome, and every item of a batch whose run fails that failure; the next batch still runs", async () => {
    const g = gate();
    const c = createCoalescer({ maxBatch: 10, maxInFlight: 1, run: g.run });
    const first = settle(c.submit('k', 1));
    const rest = [2, 3].map((i) => settle(c.submit('k', i)));
    const boom = new Error('boom');
    g.calls[0]!.fail(boom);
    expect(await first).toEqual({ ok: false, error: boom });
    await tick();
    g.calls[1]!.finish([
      { ok: false, error: 'taken' },
      { ok: true, value: 'made' },
    ]);
    expect(await Promise.all(rest)).toEqual([
      { ok: false, error: 'taken' },
      { ok: true, value: 'made' },
    ]);
    expect(c.busyKeys).toBe(0);
  });

  it('a run that throws before it returns a promise, or gives too few outcomes, rejects its items', async () => {
    const thrown = createCoalescer<number, string>({
      maxBatch: 10,
      maxInFlight: 1,
      run: () => {
        throw new Error('at once');
      },
    });
    await expect(thrown.submit('k', 1)).rejects.toThrow('at once');
    const short = createCoalescer<number, string>({ maxBatch: 10, maxInFlight: 1, run: async () => [] });
    await expect(short.submit('k', 1)).rejects.toThrow(/no outcome/);
    expect(() => createCoalescer({ maxBatch: 0, maxInFlight: 1, run: async () => [] })).toThrow();
  });
});
