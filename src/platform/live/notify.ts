import pg from 'pg';
import { sql } from 'drizzle-orm';
import type { Database, DbOrTx } from '../db/database.js';
import type { Logger } from '../logger.js';

/**
 * PostgreSQL LISTEN/NOTIFY behind one small interface, on PGlite (`pglite.listen`) and on
 * PostgreSQL (one dedicated connection per process, re-LISTENing after a reconnect). A NOTIFY sent
 * inside a transaction is delivered when it commits and never when it rolls back, so a live feed
 * fed from here only shows committed changes, on every instance.
 *
 * Delivery is best effort (a dropped connection loses the notifications of the gap): consumers
 * keep their own sequence and re-read what they missed from a table (see signin/live).
 */
export type NotifyListener = (payload: string) => void;

export interface Notifier {
  /** Queues a notification in `tx`; delivered on commit. */
  notify(tx: DbOrTx, channel: string, payload: string): Promise<void>;
  /** Calls `fn` for every notification on `channel` (in this process); returns the unsubscribe. */
  subscribe(channel: string, fn: NotifyListener): Promise<() => void>;
  close(): Promise<void>;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

function checkChannel(channel: string): void {
  if (!CHANNEL.test(channel)) throw new Error(`invalid notify channel ${JSON.stringify(channel)}`);
}

export function createNotifier(database: Database, log: Logger): Notifier {
  const listeners = new Map<string, Set<NotifyListener>>();
  const dispatch = (channel: string, payload: string) => {
    for (const fn of listeners.get(channel) ?? []) {
      try {
        fn(payload);
      } catch (err) {
        log.error({ err, channel }, 'notify listener failed');
      }
    }
  };
  const backend = database.kind === 'pglite' ? pgliteBackend(database, dispatch) : postgresBackend(database, log, dispatch);

  return {
    async notify(tx, channel, payload) {
      checkChannel(channel);
      await tx.execute(sql`SELECT pg_notify(${channel}, ${payload})`);
    },
    async subscribe(channel, fn) {
      checkChannel(channel);
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(fn);
      await backend.listen(channel);
      return () => {
        set.delete(fn);
      };
    },
    async close() {
      listeners.clear();
      await backend.close();
    },
  };
}

type Backend = { listen(channel: string): Promise<void>; close(): Promise<void> };

function pgliteBackend(database: Database, dispatch: (channel: string, payload: string) => void): Backend {
  const pglite = database.pglite!;
  const listening = new Map<string, Promise<unknown>>();
  let closed = false;
  return {
    async listen(channel) {
      if (closed) return;
      let p = listening.get(channel);
      if (!p) {
        p = pglite.listen(channel, (payload) => dispatch(channel, payload));
        listening.set(channel, p);
      }
      await p;
    },
    async close() {
      closed = true;
      // The database closes after us; its LISTENs end with it.
    },
  };
}

function postgresBackend(database: Database, log: Logger, dispatch: (channel: string, payload: string) => void): Backend {
  const channels = new Set<string>();
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;
  let retryMs = 250;

  const connect = (): Promise<pg.Client> => {
    connecting ??= (async () => {
      const c = new pg.Client(database.pool!.options);
      c.on('notification', (msg) => {
        if (msg.payload !== undefined) dispatch(msg.channel, msg.payload);
      });
      const lost = (err?: Error) => {
        if (client !== c) return;
        client = undefined;
        connecting = undefined;
        c.removeAllListeners('error');
        c.on('error', () => {});
        void c.end().catch(() => {});
        if (closed) return;
        log.warn({ err }, 'notify connection lost; reconnecting');
        const delay = retryMs;
        retryMs = Math.min(retryMs * 2, 10_000);
        setTimeout(() => {
          if (!closed) void connect().catch((e: unknown) => log.error({ err: e }, 'notify reconnect failed'));
        }, delay).unref();
      };
      c.on('error', lost);
      c.on('end', () => lost());
      try {
        await c.connect();
        for (const ch of channels) await c.query(`LISTEN "${ch}"`);
      } catch (err) {
        connecting = undefined;
        c.removeAllListeners('end');
        c.on('error', () => {});
        void c.end().catch(() => {});
        throw err;
      }
      client = c;
      retryMs = 250;
      return c;
    })();
    return connecting;
  };

  return {
    async listen(channel) {
      if (closed || channels.has(channel)) return;
      channels.add(channel);
      const c = await connect();
      // A connection made before this channel was added must LISTEN now.
      await c.query(`LISTEN "${channel}"`);
    },
    async close() {
      closed = true;
      const c = client;
      client = undefined;
      connecting = undefined;
      if (c) {
        c.removeAllListeners('end');
        c.removeAllListeners('error');
        c.on('error', () => {});
        await c.end().catch(() => {});
      }
    },
  };
}
