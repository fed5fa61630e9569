import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../test/harness.js';
import { call, createTestTenant } from '../../../test/factories.js';
import { makeGroup, makeSite } from '../../../test/signin-factories.js';
import { recordTenant } from '../../../test/record-fixtures.js';

const env = useTestEnv();
const NUL = 'a\u0000b';
const LONE = 'a\ud800b';

describe('the text boundary: NUL and unpaired surrogates', () => {
  it('are a 400 invalid_text naming the field in bodies, query strings and imported cells, never a 500', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const site = await makeSite(env, t);
    const group = await makeGroup(env, t);
    const { org } = await recordTenant(env, t);
    const cases: Array<{ method: 'GET' | 'POST' | 'PATCH' | 'PUT'; url: string; body?: unknown; headers?: Record<string, string>; field: string }> = [
      { method: 'POST', url: '/api/auth/login', body: { email: `x${NUL}@example.test`, password: 'whatever-long' }, field: 'body.email' },
      { method: 'POST', url: '/api/auth/password-reset/request', body: { email: `x${NUL}@example.test` }, field: 'body.email' },
      { method: 'POST', url: '/api/signin/sites', body: { name: NUL }, headers: h, field: 'body.name' },
      { method: 'PATCH', url: `/api/signin/sites/${site.id}`, body: { address: LONE }, headers: h, field: 'body.address' },
      { method: 'POST', url: '/api/signin/block-list', body: { fullName: 'Ann Other', reason: NUL }, headers: h, field: 'body.reason' },
      { method: 'POST', url: `/api/signin/groups/${group.id}/members`, body: { fullName: NUL }, headers: h, field: 'body.fullName' },
      { method: 'POST', url: '/api/record/organisations', body: { name: LONE, type: 'academy' }, headers: h, field: 'body.name' },
      { method: 'PATCH', url: '/api/tenant', body: { name: LONE }, headers: h, field: 'body.name' },
      { method: 'POST', url: '/api/signin/sites', body: { name: 'ok', [`k${NUL}`]: 1 }, headers: h, field: 'body.ka?b' },
      { method: 'GET', url: `/api/signin/visits?person=${encodeURIComponent(NUL)}`, headers: h, field: 'querystring.person' },
      { method: 'GET', url: `/api/signin/groups/${group.id}/members?q=%00`, headers: h, field: 'querystring.q' },
      { method: 'GET', url: '/api/audit?targetId=%00', headers: h, field: 'querystring.targetId' },
      { method: 'POST', url: `/api/signin/groups/${group.id}/members/import/preview`, body: { csv: `fullName,role\nAda${NUL},Teacher\n` }, headers: h, field: 'body.csv' },
    ];
    for (const c of cases) {
      const res = await call(env.app, c.method, c.url, { headers: c.headers, body: c.body });
      expect(res.status, c.url).toBe(400);
      expect(res.body.error, c.url).toMatchObject({ code: 'invalid_text', field: c.field });
    }
    // A cell inside an uploaded file: refused at preview, naming the row and column.
    const csv = `Surname,Forename,Job Title\nLovelace,Ada${NUL},Teacher\n`;
    for (const url of ['/api/record/import/preview', '/api/record/import']) {
      const res = await call(env.app, 'POST', url, { headers: h, body: { organisationId: org.id, fileName: 'scr.csv', content: Buffer.from(csv).toString('base64') } });
      expect(res.status, url).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_text', field: 'file' });
      expect(res.body.error.message).toMatch(/data row 1, column "Forename"/);
    }
    // Paired surrogates (emoji) and ordinary text are fine.
    expect((await call(env.app, 'POST', '/api/signin/sites', { headers: h, body: { name: 'Site 🏫 ünïcode' } })).status).toBe(201);
  });

  it('filter dates the database cannot hold are a 400 naming the field (found by the fuzz suite)', async () => {
    const t = await createTestTenant(env);
    for (const url of ['/api/signin/visits?to=0000-01-01', '/api/signin/visits/export.csv?from=0000-01-01', '/api/signin/visits?from=9999-12-31']) {
      const res = await call(env.app, 'GET', url, { headers: t.owner.headers });
      expect(res.status, url).toBe(400);
      expect(res.body.error.field, url).toMatch(/^querystring\.(from|to)$/);
    }
  });
});
