import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { recordTenant } from '../../../../test/record-fixtures.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { writeXlsx } from '../../../platform/xlsx.js';
import { workbookOf } from '../../../../test/zip.js';

const env = useTestEnv();

const CSV = [
  'Single Central Record - Northgate Primary,,,,,,',
  'Surname,Forename,Job Title,Staff Type,Start Date,DBS Certificate Number,Enhanced DBS,Identity Check,Lived or worked outside the UK',
  'Lovelace,Ada,Teacher,Teaching Staff,01/09/2020,001234567890,20-Aug-2020,31/08/2020,No',
  'Hopper,Grace,TA,Support Staff,2021-01-04,009876543210,03/01/2021,03-Jan-2021,yes',
].join('\n');

describe('record import', () => {
  it('401, 403 for a viewer, 404 for another tenant’s organisation', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const { org } = await recordTenant(env, t);
    const body = { organisationId: org.id, fileName: 'scr.csv', content: Buffer.from(CSV).toString('base64') };
    expect((await call(env.app, 'POST', '/api/record/import/preview', { body })).status).toBe(401);
    expect((await call(env.app, 'POST', '/api/record/import', { headers: (await t.as('viewer')).headers, body })).status).toBe(403);
    const other = await createTestTenant(env);
    expect((await call(env.app, 'POST', '/api/record/import/preview', { headers: other.owner.headers, body })).status).toBe(404);
  });

  it('guesses the mapping, previews, understands UK dates, imports all rows in one go (audited)', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const { org } = await recordTenant(env, t);
    const body = { organisationId: org.id, fileName: 'scr.csv', content: Buffer.from(CSV).toString('base64') };
    const preview = await call(env.app, 'POST', '/api/record/import/preview', { headers: h, body });
    expect(preview.status).toBe(200);
    expect(preview.body.mapping).toEqual({
      Surname: 'lastName',
      Forename: 'firstName',
      'Job Title': 'role',
      'Staff Type': 'profileType',
      'Start Date': 'startDate',
      'DBS Certificate Number': 'check.enhanced_dbs.reference',
      'Enhanced DBS': 'check.enhanced_dbs',
      'Identity Check': 'check.identity',
      'Lived or worked outside the UK': 'fact.lived_abroad',
    });
    expect([preview.body.rows, preview.body.valid, preview.body.errors]).toEqual([2, true, []]);
    const done = await call(env.app, 'POST', '/api/record/import', { headers: h, body });
    expect([done.status, done.body.created]).toEqual([201, 2]);
    const list = await call(env.app, 'GET', '/api/record/profiles', { headers: h });
    const ada = await call(env.app, 'GET', `/api/record/profiles/${list.body.items.find((p: any) => p.firstName === 'Ada').id}`, { headers: h });
    expect(ada.body.startDate).toBe('2020-09-01');
    expect(ada.body.checks.find((c: any) => c.key === 'enhanced_dbs')).toMatchObject({ value: '2020-08-20', reference: '001234567890' });
    expect(ada.body.facts.find((f: any) => f.key === 'lived_abroad').value).toBe(false);
    const audits = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'record.imported')));
    expect(audits).toHaveLength(1);
  });

  it('lists every bad row with its reason and writes nothing (XLSX)', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const { org, typeId } = await recordTenant(env, t);
    const xlsx = await writeXlsx([
      {
        name: 'SCR',
        header: ['Name', 'Role', 'Identity', "Children's barred list", 'Supervised'],
        rows: [
          ['Ada Lovelace', 'Teacher', '31/01/2024', '', ''],
          ['Bad Date', 'Teacher', '31/02/2024', '', ''],
          ['', 'Nobody', '', '', ''],
          ['Future Person', 'Teacher', '01/01/2999', '', ''],
          // A four-digit year is that year, never read as two digits (0050 was 2050).
          ['Old Date', 'Teacher', '01/01/0050', '', ''],
        ],
      },
    ]);
    const body = { organisationId: org.id, fileName: 'scr.xlsx', content: xlsx.toString('base64'), profileTypeId: typeId('teaching') };
    const preview = await call(env.app, 'POST', '/api/record/import/preview', { headers: h, body });
    expect(preview.body.mapping).toMatchObject({ Name: 'fullName', Identity: 'check.identity', "Children's barred list": 'check.barred_list', Supervised: 'fact.volunteer_supervised' });
    expect(preview.body.valid).toBe(false);
    expect(preview.body.errors).toEqual([
      { row: 3, column: 'Identity', message: '"31/02/2024" is not a date (use e.g. 31/01/2024 or 31-Jan-2024)' },
      { row: 4, column: null, message: 'First and last name are required' },
      { row: 5, column: 'Identity', message: 'Identity check cannot be in the future (01/01/2999)' },
      { row: 6, column: 'Identity', message: '"01/01/0050" is not a date between 1900-01-01 and 2999-12-31' },
    ]);
    const refused = await call(env.app, 'POST', '/api/record/import', { headers: h, body });
    expect([refused.status, refused.body.error.code, refused.body.error.errors.length]).toEqual([400, 'import_invalid', 4]);
    expect((await call(env.app, 'GET', '/api/record/profiles', { headers: h })).body.total).toBe(0);
    // A volunteer with a barred list check but supervised: refused with the legal reason.
    const vol = { ...body, profileTypeId: typeId('volunteer'), content: Buffer.from('Name,Supervised,In regulated activity,Children\'s barred list\nSam Helper,yes,yes,01/01/2024\n').toString('base64'), fileName: 'v.csv' };
    const volPreview = await call(env.app, 'POST', '/api/record/import/preview', { headers: h, body: vol });
    expect(volPreview.body.errors[0]).toMatchObject({ row: 2, column: "Children's barred list" });
    expect(volPreview.body.errors[0].message).toMatch(/regulated activity/);
  });

  it('a workbook is read off the event loop: /health answers while a large import is read; bad workbooks are 400s', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const { org, typeId } = await recordTenant(env, t);
    const rows = Array.from({ length: 4000 }, (_, i) => [`First${i}`, `Last${i}`, 'Teacher', '31/01/2024', 'x', 'y', 'z', 'a', 'b', 'c', 'd', 'e']);
    const xlsx = await writeXlsx([{ name: 'SCR', header: ['Forename', 'Surname', 'Role', 'Identity', 'C5', 'C6', 'C7', 'C8', 'C9', 'C10', 'C11', 'C12'], rows }]);
    const body = { organisationId: org.id, fileName: 'scr.xlsx', content: xlsx.toString('base64'), profileTypeId: typeId('teaching') };
    let settled = false;
    const importing = call(env.app, 'POST', '/api/record/import/preview', { headers: h, body }).finally(() => (settled = true));
    const health = await env.app.inject({ method: 'GET', url: '/health' });
    expect([health.statusCode, settled]).toEqual([200, false]);
    const preview = await importing;
    expect([preview.status, preview.body.rows]).toEqual([200, 4000]);

    // The report's workbook: one value at row 20,000 used to build every row first.
    const farRow = workbookOf('<row r="20000"><c r="CV20000" t="inlineStr"><is><t>x</t></is></c></row>');
    const tooFar = await call(env.app, 'POST', '/api/record/import/preview', { headers: h, body: { ...body, content: farRow.toString('base64') } });
    expect([tooFar.status, tooFar.body.error.code, tooFar.body.error.field]).toEqual([400, 'file_too_large', 'file']);
    // Starts with PK, is not a workbook.
    for (const junk of [Buffer.from('PK\u0003\u0004garbage'), Buffer.concat([Buffer.from('PK'), Buffer.alloc(100, 7)])]) {
      const res = await call(env.app, 'POST', '/api/record/import/preview', { headers: h, body: { ...body, content: junk.toString('base64') } });
      expect([res.status, res.body.error.code, res.body.error.field]).toEqual([400, 'invalid_file', 'file']);
    }
  });
});
