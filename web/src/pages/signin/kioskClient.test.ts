import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ApiError, isUnreachable } from '../../api';
import { deviceLabel, kioskCall } from './kioskClient';

describe('deviceLabel (a paired kiosk named by its browser when no name is given)', () => {
  it.each([
    ['Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', 'Safari on iPad'],
    ['Mozilla/5.0 (Linux; Android 14; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', 'Chrome on Android'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0', 'Edge on Windows'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36', 'Chrome on Linux'],
    ['Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', 'Chrome on ChromeOS'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0', 'Firefox on Mac'],
    ['curl/8.5.0', 'Browser on an unknown system'],
  ])('%s → %s', (ua, label) => {
    expect(deviceLabel(ua)).toBe(label);
  });
});

describe('kioskCall (errors a proxy in front of the server answers)', () => {
  const answer = (status: number, body: string, type: string) => async () => new Response(body, { status, headers: { 'content-type': type } });
  const withFetch = async (fetchImpl: () => Promise<Response>, run: () => Promise<unknown>) => {
    const saved = { fetch: globalThis.fetch, storage: (globalThis as { localStorage?: unknown }).localStorage };
    globalThis.fetch = fetchImpl as typeof fetch;
    (globalThis as { localStorage?: unknown }).localStorage = { getItem: () => 'device-token' };
    try {
      return await run().then(
        () => undefined,
        (err: unknown) => err,
      );
    } finally {
      globalThis.fetch = saved.fetch;
      (globalThis as { localStorage?: unknown }).localStorage = saved.storage;
    }
  };

  it("a proxy's HTML 502 page is an ApiError with its status, and counts as the server unreachable (the kiosk goes offline)", async () => {
    const err = await withFetch(answer(502, '<html><body><h1>502 Bad Gateway</h1></body></html>', 'text/html'), () => kioskCall('GET', '/api/kiosk/config'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 502, code: 'http_error' });
    expect(isUnreachable(err)).toBe(true);
  });

  it("a proxy's HTML 413 keeps its status (the offline queue halves its batch on it)", async () => {
    const err = await withFetch(answer(413, '<html><body>413 Request Entity Too Large</body></html>', 'text/html'), () => kioskCall('POST', '/api/kiosk/replay', { events: [] }));
    expect(err).toMatchObject({ status: 413 });
    expect(isUnreachable(err)).toBe(false);
  });

  it("the server's own JSON error keeps its code; a refusal (4xx) is an answer, not the network", async () => {
    const err = await withFetch(answer(409, JSON.stringify({ error: { code: 'already_signed_in', message: 'Already signed in' } }), 'application/json'), () => kioskCall('POST', '/api/kiosk/sign-in', {}));
    expect(err).toMatchObject({ status: 409, code: 'already_signed_in', message: 'Already signed in' });
    expect(isUnreachable(err)).toBe(false);
    expect(isUnreachable(new ApiError(503, 'service_unavailable', 'The database cannot be reached'))).toBe(true);
    expect(isUnreachable(new ApiError(0, 'network_error', 'No connection'))).toBe(true);
  });
});

describe('isUnreachable (one name for "the server is out of reach")', () => {
  it('is used by its own name: no page or module of the web app renames it', () => {
    const root = path.join(import.meta.dirname, '../..');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.test.ts'));
    const aliases = files.flatMap((f) => [...readFileSync(path.join(root, f), 'utf8').matchAll(/(?:const|let|var)\s+(\w+)\s*=\s*isUnreachable\b(?!\s*\()/g)].map((m) => `${f}: ${m[1]}`));
    expect(files.length).toBeGreaterThan(20);
    expect(aliases).toEqual([]);
  });
});
