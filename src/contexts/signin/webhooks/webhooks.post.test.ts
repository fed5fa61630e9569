import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postTo } from './webhooks.service.js';

// Two receivers on one port at two loopback addresses, each answering with its own address.
const servers: Server[] = [];
let port = 0;
beforeAll(async () => {
  for (const host of ['127.0.0.1', '127.0.0.2']) {
    const s = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(`from ${host}`));
    });
    s.keepAliveTimeout = 5000;
    await new Promise<void>((ok, no) => s.once('error', no).listen(port, host, () => ok()));
    port = (s.address() as AddressInfo).port;
    servers.push(s);
  }
});
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
});

describe('postTo', () => {
  it('connects to the address it was given, even right after a delivery to the same name and port went elsewhere (no kept-alive connection reused)', async () => {
    const url = new URL(`http://receiver.example:${port}/hook`);
    const first = await postTo(url, '127.0.0.1', 4, { 'content-type': 'application/json' }, '{}', 5000);
    expect(first).toEqual({ status: 200, snippet: 'from 127.0.0.1' });
    // The name now points elsewhere (a re-pointed DNS name): the next delivery goes there.
    const second = await postTo(url, '127.0.0.2', 4, { 'content-type': 'application/json' }, '{}', 5000);
    expect(second).toEqual({ status: 200, snippet: 'from 127.0.0.2' });
  });
});
