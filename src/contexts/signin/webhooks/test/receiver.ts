import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

/** A request the receiver heard. */
export type Received = { headers: IncomingHttpHeaders; body: string; at: number };
/** How a path answers its `n`th request (from 1): a status code, or never ('hang'). */
export type Behaviour = (n: number) => number | 'hang';

/**
 * A real HTTP receiver for webhook tests, on 127.0.0.1 and a port of its own: it keeps every
 * request by path, and each path answers as its behaviour says (200 "thanks" unless told).
 * `start()` in a beforeAll, `stop()` in an afterAll.
 */
export function webhookReceiver() {
  const received = new Map<string, Received[]>();
  const behaviours = new Map<string, Behaviour>();
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const p = req.url ?? '/';
      const list = received.get(p) ?? [];
      list.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      received.set(p, list);
      const answer = (behaviours.get(p) ?? (() => 200))(list.length);
      if (answer === 'hang') return; // never answers: the sender must time out
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end(answer === 200 ? 'thanks' : `no: ${answer}`);
    });
  });
  let base = '';
  return {
    /** Listens; resolves once `base` is known. */
    async start(): Promise<void> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async stop(): Promise<void> {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
    /** `http://127.0.0.1:<port>`, once started. */
    get base(): string {
      return base;
    },
    /** How many requests it heard, on every path. */
    get hits(): number {
      return hits;
    },
    /** The requests a path heard, oldest first; undefined while it has heard none. */
    received: (p: string): Received[] | undefined => received.get(p),
    /** A new path of its own (`/hook-…`), answering as `behaviour` says. */
    path(behaviour?: Behaviour): string {
      const p = `/hook-${randomUUID().slice(0, 8)}`;
      if (behaviour) behaviours.set(p, behaviour);
      return p;
    },
  };
}
