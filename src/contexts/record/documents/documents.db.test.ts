import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { recordTenant } from '../../../../test/record-fixtures.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { purgeDueDocuments, sanitiseFileName } from './documents.service.js';

const env = useTestEnv();
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

async function withProfile() {
  const t = await createTestTenant(env, { kind: 'trust' });
  const r = await recordTenant(env, t, [{ name: 'A', type: 'maintained' }, { name: 'B', type: 'academy' }]);
  const made = await call(env.app, 'POST', '/api/record/profiles', { headers: t.owner.headers, body: { organisationId: r.org.id, profileTypeId: r.typeId('teaching'), firstName: 'Ada', lastName: 'Lovelace' } });
  const upload = (data: Buffer, headers: Record<string, string> = t.owner.headers, contentType = 'image/png', name = '../../etc/DBS scan<1>.png', key = 'enhanced_dbs') =>
    env.app.inject({ method: 'POST', url: `/api/record/profiles/${made.body.id}/checks/${key}/document?fileName=${encodeURIComponent(name)}`, headers: { ...headers, 'content-type': contentType }, payload: data });
  return { t, ...r, profile: made.body, upload };
}

describe('record documents', () => {
  it('sanitises names', () => {
    expect(sanitiseFileName('../../etc/DBS scan<1>.png', 'image/png')).toBe('DBS scan1.png');
    expect(sanitiseFileName('..', 'application/pdf')).toBe('document.pdf');
    expect(sanitiseFileName('cert.exe', 'image/jpeg')).toBe('cert.jpg');
  });

  it('401, 403 for a viewer uploading, 404 for another tenant or an organisation out of scope; size and type limits', async () => {
    const { t, upload, orgs } = await withProfile();
    expect((await upload(PNG, {})).statusCode).toBe(401);
    expect((await upload(PNG, (await t.as('viewer')).headers)).statusCode).toBe(403);
    const other = await createTestTenant(env);
    expect((await upload(PNG, other.owner.headers)).statusCode).toBe(404);
    expect((await upload(Buffer.from('MZ not a png'), t.owner.headers)).json().error.code).toBe('file_type_mismatch');
    expect((await upload(PNG, t.owner.headers, 'application/x-msdownload')).statusCode).toBe(415);
    expect((await upload(Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]), t.owner.headers)).statusCode).toBe(413);

    const ok = await upload(PNG);
    expect(ok.statusCode).toBe(201);
    const id = ok.json().id;
    expect(ok.json().fileName).toBe('DBS scan1.png');
    const got = await env.app.inject({ method: 'GET', url: `/api/record/documents/${id}`, headers: t.owner.headers });
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-disposition']).toBe('attachment; filename="DBS scan1.png"');
    expect(got.rawPayload.equals(PNG)).toBe(true);
    expect((await env.app.inject({ method: 'GET', url: `/api/record/documents/${id}`, headers: other.owner.headers })).statusCode).toBe(404);
    // A user scoped to the other school cannot fetch it.
    const scoped = await t.as('manager');
    await env.platform.database.query(`INSERT INTO user_scopes (tenant_id, user_id, kind, ref_id, level) VALUES ($1, $2, 'organisation', $3, 'edit')`, [t.tenantId, scoped.id, orgs[1]!.id]);
    expect((await env.app.inject({ method: 'GET', url: `/api/record/documents/${id}`, headers: scoped.headers })).statusCode).toBe(404);
  });

  it('DBS certificate images are deleted 6 months after upload by the scheduled job; the check stays', async () => {
    const { t, upload, profile } = await withProfile();
    const h = t.owner.headers;
    await call(env.app, 'PATCH', `/api/record/profiles/${profile.id}`, { headers: h, body: { version: 1, checks: { enhanced_dbs: { value: '2024-08-20', reference: '001234567890' } } } });
    const doc = (await upload(PNG)).json();
    expect(doc.deleteAfter).not.toBeNull();
    const identityDoc = (await upload(PNG, h, 'image/png', 'passport.png', 'identity')).json();
    expect(identityDoc.deleteAfter).toBeNull();
    expect(await purgeDueDocuments(env.platform)).toBe(0);
    env.clock.advance(184 * 24 * 3600_000);
    try {
      expect(await purgeDueDocuments(env.platform)).toBeGreaterThanOrEqual(1);
    } finally {
      env.clock.reset();
    }
    const gone = await env.app.inject({ method: 'GET', url: `/api/record/documents/${doc.id}`, headers: h });
    expect([gone.statusCode, gone.json().error.code]).toEqual([410, 'document_deleted']);
    expect(gone.json().error.message).toMatch(/6 months/);
    expect((await env.app.inject({ method: 'GET', url: `/api/record/documents/${identityDoc.id}`, headers: h })).statusCode).toBe(200);
    const p = await call(env.app, 'GET', `/api/record/profiles/${profile.id}`, { headers: h });
    expect(p.body.checks.find((c: any) => c.key === 'enhanced_dbs')).toMatchObject({ value: '2024-08-20', reference: '001234567890' });
    expect(p.body.documents.find((d: any) => d.id === doc.id).deletedAt).not.toBeNull();
    const audits = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'record.document.expired')));
    expect(audits).toHaveLength(1);
    // The deletion is in the profile's version history, by the system.
    const hist = (await call(env.app, 'GET', `/api/record/profiles/${profile.id}/history`, { headers: h })).body.items;
    expect(hist).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'Enhanced DBS — document', before: doc.fileName, after: null, actor: 'system' })]));
    expect(p.body.version).toBe(hist[0].version);
    // So is a document deleted by hand.
    expect((await env.app.inject({ method: 'DELETE', url: `/api/record/documents/${identityDoc.id}`, headers: h })).statusCode).toBe(204);
    const after = (await call(env.app, 'GET', `/api/record/profiles/${profile.id}/history`, { headers: h })).body.items;
    expect(after).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'Identity check — document', before: 'passport.png', after: null, actor: t.owner.email })]));
  });
});
