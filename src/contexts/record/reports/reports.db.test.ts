import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { FULL_TEACHER_CHECKS, TEACHER_FACTS, recordTenant } from '../../../../test/record-fixtures.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { readXlsx } from '../../../platform/xlsx.js';
import { addPeriod, todayIn } from '../rules/dates.js';

const env = useTestEnv();

async function trust() {
  const t = await createTestTenant(env, { kind: 'trust' });
  const r = await recordTenant(env, t, [{ name: 'Northgate Primary', type: 'maintained' }, { name: 'Northgate Academy', type: 'academy' }]);
  const h = t.owner.headers;
  const create = async (org: { id: string }, body: Record<string, unknown>) => {
    const res = await call(env.app, 'POST', '/api/record/profiles', { headers: h, body: { organisationId: org.id, profileTypeId: r.typeId('teaching'), role: 'Teacher', ...body } });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body;
  };
  return { t, h, ...r, create };
}

describe('record dashboard', () => {
  it('401, 404 for another tenant’s organisation; ready vs not ready, why, and expiring checks', async () => {
    const { t, h, orgs, create } = await trust();
    expect((await call(env.app, 'GET', '/api/record/dashboard')).status).toBe(401);
    const other = await createTestTenant(env);
    expect((await call(env.app, 'GET', `/api/record/dashboard?organisationId=${orgs[0]!.id}`, { headers: other.owner.headers })).status).toBe(404);
    const today = todayIn(new Date());
    // Training done 11 months and 20 days ago: expires in about 10 days.
    const trained = addPeriod(addPeriod(today, -1, 'years'), 10, 'days');
    const ready = await create(orgs[0]!, { firstName: 'Ada', lastName: 'Ready', checks: { ...FULL_TEACHER_CHECKS, safeguarding_training: { value: trained } }, facts: TEACHER_FACTS });
    await create(orgs[0]!, { firstName: 'Bob', lastName: 'Gaps' });
    await create(orgs[1]!, { firstName: 'Cy', lastName: 'Elsewhere' });
    const d = await call(env.app, 'GET', `/api/record/dashboard?organisationId=${orgs[0]!.id}`, { headers: (await t.as('viewer')).headers });
    expect(d.status).toBe(200);
    expect(d.body.profiles).toBe(2);
    expect(d.body.ratings.map((r: any) => [r.name, r.ready, r.notReady])).toEqual([['Inspector ready', 1, 1], ['School ready', 0, 2]]);
    const bob = d.body.notReady.find((n: any) => n.name === 'Bob Gaps');
    expect(bob.reasons[0]).toEqual(expect.objectContaining({ system: 'Inspector ready', messages: expect.arrayContaining(['Enhanced DBS missing']) }));
    expect(d.body.expiring.within30).toBe(1);
    expect(d.body.expiring.items[0]).toMatchObject({ profileId: ready.id, check: 'Safeguarding training', inDays: 10 });
    const whole = await call(env.app, 'GET', '/api/record/dashboard', { headers: h });
    expect(whole.body.profiles).toBe(3);
    expect(whole.body.organisations.map((o: any) => [o.name, o.profiles])).toEqual([['Northgate Academy', 1], ['Northgate Primary', 2]]);
  });
});

describe('record export', () => {
  it('XLSX with one sheet per organisation, readable columns; CSV neutralised; filters; audited', async () => {
    const { t, h, orgs, create, typeId } = await trust();
    await create(orgs[0]!, { firstName: 'Ada', lastName: 'Lovelace', checks: FULL_TEACHER_CHECKS, facts: TEACHER_FACTS });
    await create(orgs[0]!, { firstName: '=HYPERLINK("x")', lastName: '@evil', role: '+44 cmd' });
    await create(orgs[1]!, { firstName: 'Grace', lastName: 'Hopper', profileTypeId: typeId('agency'), role: 'Supply', checks: { agency_confirmation: { value: true }, agency_confirmation_date: { value: '2025-01-06' } } });
    await create(orgs[0]!, { firstName: 'Alan', lastName: 'Turing', checks: { ...FULL_TEACHER_CHECKS, enhanced_dbs: { value: '2024-08-20' } }, facts: TEACHER_FACTS });
    expect((await call(env.app, 'GET', '/api/record/export')).status).toBe(401);
    const other = await createTestTenant(env);
    expect((await call(env.app, 'GET', `/api/record/export?organisationId=${orgs[0]!.id}`, { headers: other.owner.headers })).status).toBe(404);

    const x = await env.app.inject({ method: 'GET', url: '/api/record/export?format=xlsx', headers: h });
    expect(x.statusCode).toBe(200);
    expect(x.headers['content-disposition']).toMatch(/attachment; filename="single-central-record-trust-\d{4}-\d{2}-\d{2}\.xlsx"/);
    const sheets = await readXlsx(x.rawPayload);
    expect(sheets.map((s) => s.name)).toEqual(['Northgate Academy', 'Northgate Primary']);
    const primary = sheets[1]!.rows;
    const col = (name: string) => primary[0]!.indexOf(name);
    expect(primary[0]!.slice(0, 4)).toEqual(['Name', 'Role', 'Profile type', 'Start date']);
    const ada = primary.find((r) => r[0] === 'Lovelace, Ada')!;
    expect(ada[col('Enhanced DBS')]).toBe('Done');
    expect(ada[col('Enhanced DBS: certificate number')]).toBe('001234567890');
    expect(ada[col('Enhanced DBS: date')]).toBe('20/08/2024');
    expect(ada[col('Enhanced DBS: recorded by')]).toBe(t.owner.email);
    expect(primary[0]).not.toContain('Enhanced DBS: checked by');
    expect(ada[col('Lived or worked outside the UK')]).toBe('No');
    // A certificate recorded without its number is not done for the rating, so not "Done" here either.
    const alan = primary.find((r) => r[0] === 'Turing, Alan')!;
    expect(alan[col('Enhanced DBS')]).toBe('Incomplete: certificate number missing');
    expect(alan[col('Enhanced DBS: date')]).toBe('20/08/2024');
    const academy = sheets[0]!.rows;
    expect(academy[0]).toContain("Written confirmation of the agency's checks");
    expect(academy[1]![academy[0]!.indexOf("Written confirmation of the agency's checks")]).toBe('Yes');
    expect(academy[1]![academy[0]!.indexOf('Date of the written confirmation: date')]).toBe('06/01/2025');

    // The record as at a day before some checks were done: those read as not done by then, with the day they were done.
    const asAt = await readXlsx((await env.app.inject({ method: 'GET', url: `/api/record/export?format=xlsx&asOf=2024-08-20&organisationId=${orgs[0]!.id}`, headers: h })).rawPayload);
    const adaThen = asAt[0]!.rows.find((r) => r[0] === 'Lovelace, Ada')!;
    expect(adaThen[asAt[0]!.rows[0]!.indexOf('Identity check')]).toBe('Not done by this date (done 01/09/2024)');
    expect(adaThen[asAt[0]!.rows[0]!.indexOf('Enhanced DBS')]).toBe('Done');

    const csv = await env.app.inject({ method: 'GET', url: `/api/record/export?format=csv&organisationId=${orgs[0]!.id}`, headers: h });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body).toContain(`'@evil, =HYPERLINK(""x"")`);
    expect(csv.body).toContain(`'+44 cmd`);
    expect(csv.body.split('\r\n')[0]).toMatch(/^\uFEFFOrganisation,Name,Role/);

    const agencyOnly = await env.app.inject({ method: 'GET', url: `/api/record/export?format=csv&profileTypeIds=${typeId('agency')}`, headers: h });
    expect(agencyOnly.body.trim().split('\r\n')).toHaveLength(2);
    const cond = encodeURIComponent(JSON.stringify({ op: 'and', conditions: [{ field: 'profile.last_name', operator: 'equals', value: 'lovelace' }] }));
    const byCondition = await env.app.inject({ method: 'GET', url: `/api/record/export?format=csv&condition=${cond}`, headers: h });
    expect(byCondition.body.trim().split('\r\n')).toHaveLength(2);
    const bad = await call(env.app, 'GET', `/api/record/export?format=csv&condition=${encodeURIComponent('{"op":"and","conditions":[{"field":"nope","operator":"is_empty"}]}')}`, { headers: h });
    expect([bad.status, bad.body.error.field]).toEqual([400, 'nope']);
    const html = await env.app.inject({ method: 'GET', url: `/api/record/export?format=html`, headers: h });
    expect(html.body).toContain('<h2>Northgate Primary</h2>');
    expect(html.body).toContain('=HYPERLINK(&#34;x&#34;)');
    expect(html.body).toContain('<td class="gap">Incomplete: certificate number missing</td>');
    const rows = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'record.exported')));
    expect(rows.length).toBe(6);
  });

  it("a non-maintained special school's sheet has the columns the law asks of it: the agency's DBS certificate date, governors' identity and right to work, no section 128 (KCSIE 2025.3)", async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const { orgs, typeId } = await recordTenant(env, t, [{ name: 'Brook House School', type: 'non_maintained_special' }, { name: 'Northgate Primary', type: 'maintained' }]);
    const agency = { arrival_identity: { value: '2025-06-01' }, agency_confirmation: { value: true, checkedOn: '2025-05-30' }, agency_confirmation_date: { value: '2025-05-30' }, agency_dbs_provided: { value: true }, agency_dbs_date: { value: '2025-03-02' } };
    for (const org of orgs) {
      const supply = await call(env.app, 'POST', '/api/record/profiles', { headers: h, body: { organisationId: org.id, profileTypeId: typeId('agency'), firstName: 'Grace', lastName: 'Hopper', role: 'Supply', checks: agency } });
      expect(supply.status).toBe(201);
      const governor = await call(env.app, 'POST', '/api/record/profiles', { headers: h, body: { organisationId: org.id, profileTypeId: typeId('governor'), firstName: 'David', lastName: 'Marsh', facts: { regulated_activity: false, lived_abroad: false } } });
      expect(governor.status).toBe(201);
    }
    const sheets = await readXlsx((await env.app.inject({ method: 'GET', url: '/api/record/export?format=xlsx', headers: h })).rawPayload);
    expect(sheets.map((x) => x.name)).toEqual(['Brook House School', 'Northgate Primary']);
    const [nmss, maintained] = [sheets[0]!.rows, sheets[1]!.rows];
    const cell = (rows: Array<Array<string | null>>, name: string, column: string) => rows.find((r) => r[0] === name)![rows[0]!.indexOf(column)];
    expect(cell(nmss, 'Hopper, Grace', "Date of the agency's DBS certificate: date")).toBe('02/03/2025');
    expect(maintained[0]).not.toContain("Date of the agency's DBS certificate");
    expect(nmss[0]).toEqual(expect.arrayContaining(['Identity check', 'Right to work', 'Enhanced DBS']));
    expect(nmss[0]).not.toContain('Section 128 check');
    expect(cell(nmss, 'Marsh, David', 'Right to work')).not.toBe('Done');
    expect(maintained[0]).toEqual(expect.arrayContaining(['Enhanced DBS', 'Section 128 check']));
    expect(maintained[0]).not.toContain('Right to work');
  });
});
