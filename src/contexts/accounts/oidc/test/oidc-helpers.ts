import type { FastifyInstance } from 'fastify';
import type { FakeIdp, FakeLogin } from './fake-idp.js';

/** Reads one cookie's value from a response's set-cookie header(s). */
export function cookieFrom(setCookie: string | string[] | undefined, name: string): string | undefined {
  for (const c of [setCookie ?? []].flat()) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c);
    if (m && m[1]) return m[1];
  }
  return undefined;
}

export type FlowOutcome = { location: string; session?: string; callbackPath?: string; flowCookie?: string };

/**
 * One sign-in through the fake provider with app.inject: start (our redirect), the fake's
 * authorization endpoint (over real HTTP), then our callback with the browser-binding cookie.
 */
export async function signInThrough(app: FastifyInstance, fake: FakeIdp, connectionId: string, login: FakeLogin | null, opts: { email?: string; flowCookie?: string } = {}): Promise<FlowOutcome> {
  if (login) fake.nextLogin(login);
  const start = await app.inject({ method: 'GET', url: `/api/auth/oidc/${connectionId}/start${opts.email ? `?email=${encodeURIComponent(opts.email)}` : ''}` });
  if (start.statusCode !== 302) throw new Error(`start answered ${start.statusCode}: ${start.body}`);
  const location = String(start.headers.location);
  if (!location.startsWith(fake.issuer)) return { location };
  const flowCookie = cookieFrom(start.headers['set-cookie'], 'thr_oidc')!;
  const atIdp = await fetch(location, { redirect: 'manual' });
  const back = new URL(atIdp.headers.get('location')!);
  const callbackPath = `${back.pathname}${back.search}`;
  const cb = await app.inject({ method: 'GET', url: callbackPath, headers: { cookie: `thr_oidc=${opts.flowCookie ?? flowCookie}` } });
  return { location: String(cb.headers.location), session: cookieFrom(cb.headers['set-cookie'], 'thr_session'), callbackPath, flowCookie };
}
