/** What became of one item of a batch: its value, or the error it alone gets. */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

/** A promise's outcome as a `Settled`, never a rejection. */
export async function settle<O>(work: Promise<O>): Promise<Settled<O>> {
  try {
    return { ok: true, value: await work };
  } catch (error) {
    return { ok: false, error };
  }
}

export type CoalescerOptions<I, O> = {
  /** The most items one batch takes. */
  maxBatch: number;
  /** The most batches of one key under way at once; an item that finds them all busy waits for the next. */
  maxInFlight: number;
  /** Does the work of a batch of one key: an outcome per item, in the items' order. */
  run: (key: string, items: I[]) => Promise<Array<Settled<O>>>;
};

/**
 * Work for the same key done together when it arrives together (decision 048): an item is run at
 * once while fewer than `maxInFlight` batches of its key are under way, so a lone item is never
 * delayed (no timer); items that arrive while they are all busy wait, and go together, up to
 * `maxBatch` of them, as soon as one finishes. Per process, in memory: nothing is kept between
 * batches but the queue of waiting items.
 */
export function createCoalescer<I, O>(opts: CoalescerOptions<I, O>) {
  if (opts.maxBatch < 1 || opts.maxInFlight < 1) throw new Error('createCoalescer: maxBatch and maxInFlight must be at least 1');
  type Waiting = { item: I; resolve: (o: O) => void; reject: (e: unknown) => void };
  const keys = new Map<string, { running: number; queue: Waiting[] }>();

  function pump(key: string, state: { running: number; queue: Waiting[] }) {
    while (state.running < opts.maxInFlight && state.queue.length > 0) {
      const batch = state.queue.splice(0, opts.maxBatch);
      state.running++;
      const finish = (outcomes: Array<Settled<O>> | undefined, failure?: unknown) => {
        batch.forEach((w, i) => {
          const o = outcomes?.[i];
          if (o?.ok) w.resolve(o.value);
          else w.reject(o ? o.error : (failure ?? new Error('createCoalescer: the batch gave no outcome for an item')));
        });
        state.running--;
        if (state.running === 0 && state.queue.length === 0) keys.delete(key);
        else pump(key, state);
      };
      let started: Promise<Array<Settled<O>>>;
      try {
        started = opts.run(
          key,
          batch.map((w) => w.item),
        );
      } catch (err) {
        started = Promise.reject(err);
      }
      started.then(
        (outcomes) => finish(outcomes),
        (err: unknown) => finish(undefined, err),
      );
    }
  }

  return {
    /** The item's outcome, once its batch is done. */
    submit(key: string, item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        let state = keys.get(key);
        if (!state) keys.set(key, (state = { running: 0, queue: [] }));
        state.queue.push({ item, resolve, reject });
        pump(key, state);
      });
    },
    /** Keys with work under way or waiting (for tests). */
    get busyKeys(): number {
      return keys.size;
    },
  };
}
