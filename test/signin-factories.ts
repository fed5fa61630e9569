import { randomInt, randomUUID } from 'node:crypto';
import type { TestEnv } from './harness.js';
import { call, type TestTenant } from './factories.js';

/** Sign-in fixtures made through the API as the tenant's owner, so they are valid by construction. */
export async function makeSite(env: TestEnv, t: TestTenant, body: Record<string, unknown> = {}) {
  const r = await call(env.app, 'POST', '/api/signin/sites', { headers: t.owner.headers, body: { name: `Site ${randomUUID().slice(0, 6)}`, timezone: 'Europe/London', ...body } });
  if (r.status !== 201) throw new Error(`makeSite: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { id: string; name: string };
}

export async function makeGroup(env: TestEnv, t: TestTenant, body: Record<string, unknown> = {}, siteIds: string[] = []) {
  const r = await call(env.app, 'POST', '/api/signin/groups', { headers: t.owner.headers, body: { name: `Group ${randomUUID().slice(0, 6)}`, type: 'repeat', ...body } });
  if (r.status !== 201) throw new Error(`makeGroup: ${r.status} ${JSON.stringify(r.body)}`);
  for (const siteId of siteIds) {
    const site = await call(env.app, 'GET', `/api/signin/sites/${siteId}`, { headers: t.owner.headers });
    const ids = [...(site.body.groups as Array<{ id: string }>).map((g) => g.id), r.body.id];
    const put = await call(env.app, 'PUT', `/api/signin/sites/${siteId}/groups`, { headers: t.owner.headers, body: { groupIds: ids } });
    if (put.status !== 200) throw new Error(`makeGroup site: ${put.status} ${JSON.stringify(put.body)}`);
  }
  return r.body as { id: string; name: string; type: string };
}

export async function makeMember(env: TestEnv, t: TestTenant, groupId: string, body: Record<string, unknown> = {}) {
  const r = await call(env.app, 'POST', `/api/signin/groups/${groupId}/members`, { headers: t.owner.headers, body: { fullName: `Person ${randomUUID().slice(0, 6)}`, ...body } });
  if (r.status !== 201) throw new Error(`makeMember: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { id: string; fullName: string; version: number; groupId: string };
}

/** A paired kiosk of the site: its bearer headers. */
export async function pairKiosk(env: TestEnv, t: TestTenant, siteId: string) {
  const code = await call(env.app, 'POST', `/api/signin/sites/${siteId}/kiosk-pairings`, { headers: t.owner.headers });
  if (code.status !== 201) throw new Error(`pairing: ${code.status} ${JSON.stringify(code.body)}`);
  // From an address of its own: pairing is limited per address, and on PostgreSQL a worker's test
  // files share one database (and so the limit's counters) within its window.
  const remoteAddress = `10.${randomInt(256)}.${randomInt(256)}.${1 + randomInt(254)}`;
  const pair = await call(env.app, 'POST', '/api/kiosk/pair', { body: { code: code.body.code, name: 'Front desk' }, remoteAddress });
  if (pair.status !== 201) throw new Error(`pair: ${pair.status} ${JSON.stringify(pair.body)}`);
  return { headers: { authorization: `Bearer ${pair.body.deviceToken}` }, token: pair.body.deviceToken as string, deviceId: pair.body.device.id as string };
}

/** A tenant with a site, a repeat group shown on it and a paired kiosk. */
export async function kioskSetup(env: TestEnv, t: TestTenant, groupBody: Record<string, unknown> = {}) {
  const site = await makeSite(env, t);
  const group = await makeGroup(env, t, groupBody, [site.id]);
  const kiosk = await pairKiosk(env, t, site.id);
  return { site, group, kiosk };
}
