import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { recordTenant } from '../../../../test/record-fixtures.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { recordChecks } from '../record.tables.js';

const env = useTestEnv();

describe('rule set upgrades', () => {
  it('401, 403 for a manager, 409 for an unknown version or the one in use; a preview never writes', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    await recordTenant(env, t);
    expect((await call(env.app, 'POST', '/api/record/rule-set/preview', { body: { version: 'KCSIE 2025' } })).status).toBe(401);
    expect((await call(env.app, 'POST', '/api/record/rule-set/apply', { headers: (await t.as('manager')).headers, body: { version: 'KCSIE 2025' } })).status).toBe(403);
    const unknown = await call(env.app, 'POST', '/api/record/rule-set/apply', { headers: h, body: { version: 'KCSIE 1999' } });
    expect([unknown.status, unknown.body.error.code, unknown.body.error.field]).toEqual([409, 'unknown_rule_set', 'version']);
    const same = await call(env.app, 'POST', '/api/record/rule-set/preview', { headers: h, body: { version: 'KCSIE 2025.4' } });
    expect([same.status, same.body.error.code]).toEqual([409, 'rule_set_in_use']);
    const before = await env.platform.db.select().from(recordChecks).where(eq(recordChecks.tenantId, t.tenantId));
    const preview = await call(env.app, 'POST', '/api/record/rule-set/preview', { headers: h, body: { version: 'KCSIE 2025' } });
    expect(preview.status).toBe(200);
    expect(await env.platform.db.select().from(recordChecks).where(eq(recordChecks.tenantId, t.tenantId))).toEqual(before);
    expect((await call(env.app, 'GET', '/api/record/rule-set', { headers: h })).body.version).toBe('KCSIE 2025.4');
  });

  it('preview lists the checks, facts and profiles (by name) that change; apply moves in one audited step; going back is re-applying; own checks and edited validities survive', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const { org, typeId } = await recordTenant(env, t);
    const governor = await call(env.app, 'POST', '/api/record/profiles', {
      headers: h,
      body: { organisationId: org.id, profileTypeId: typeId('governor'), firstName: 'David', lastName: 'Marsh', facts: { regulated_activity: false }, checks: { enhanced_dbs: { value: '2024-01-10', reference: '001987654321' }, section_128: { value: '2024-01-10' } } },
    });
    expect(governor.body.ready).toBe(true);
    const checks = (await call(env.app, 'GET', '/api/record/checks', { headers: h })).body.items as Array<{ id: string; key: string }>;
    const training = checks.find((c) => c.key === 'safeguarding_training')!;
    expect((await call(env.app, 'PATCH', `/api/record/checks/${training.id}`, { headers: h, body: { validity: { n: 24, unit: 'months' } } })).status).toBe(200);
    const own = await call(env.app, 'POST', '/api/record/checks', { headers: h, body: { scope: 'tenant', section: 'Trust', name: 'Trust induction', type: 'date' } });
    expect(own.status).toBe(201);

    const back = await call(env.app, 'POST', '/api/record/rule-set/preview', { headers: h, body: { version: 'KCSIE 2025' } });
    expect(back.body).toMatchObject({ from: 'KCSIE 2025.4', to: 'KCSIE 2025', profilesChecked: 1 });
    expect(back.body.checks).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'agency_dbs_date', change: 'removed' }), expect.objectContaining({ key: 'identity', change: 'changed', fields: expect.arrayContaining(['appliesTo', 'condition']) })]));
    expect(back.body.checks.map((c: { key: string }) => c.key)).not.toContain(own.body.key);
    expect(back.body.facts.removed.map((f: { key: string }) => f.key)).toEqual(['teaches', 'requires_qualification', 'regular_contact', 'moved_from_school_post']);
    expect(back.body.profiles).toEqual([
      expect.objectContaining({ id: governor.body.id, name: 'David Marsh', readyBefore: true, readyAfter: false, systems: expect.arrayContaining([expect.objectContaining({ key: 'inspector_ready', before: true, after: false, newlyMissing: ['Identity check missing', 'Overseas checks missing'] })]) }),
    ]);

    const applied = await call(env.app, 'POST', '/api/record/rule-set/apply', { headers: h, body: { version: 'KCSIE 2025' } });
    expect(applied.status).toBe(200);
    expect((await call(env.app, 'GET', '/api/record/rule-set', { headers: h })).body.version).toBe('KCSIE 2025');
    expect((await call(env.app, 'GET', `/api/record/profiles/${governor.body.id}`, { headers: h })).body.ready).toBe(false);
    const rows = await env.platform.db.select().from(recordChecks).where(eq(recordChecks.tenantId, t.tenantId));
    expect(rows.find((c) => c.key === 'agency_dbs_date')).toMatchObject({ enabled: false });
    expect(rows.find((c) => c.key === 'safeguarding_training')).toMatchObject({ validity: { n: 24, unit: 'months' }, setVersion: 'KCSIE 2025' });
    expect(rows.find((c) => c.key === own.body.key)).toMatchObject({ scope: 'tenant', enabled: true, setVersion: null });

    // Undo: re-apply the later version.
    const again = await call(env.app, 'POST', '/api/record/rule-set/apply', { headers: h, body: { version: 'KCSIE 2025.4' } });
    expect(again.body.profiles.map((p: { name: string }) => p.name)).toEqual(['David Marsh']);
    expect(again.body.checks).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'agency_dbs_date', change: 'added' })]));
    expect((await call(env.app, 'GET', `/api/record/profiles/${governor.body.id}`, { headers: h })).body.ready).toBe(true);
    const after = await env.platform.db.select().from(recordChecks).where(eq(recordChecks.tenantId, t.tenantId));
    expect(after.find((c) => c.key === 'agency_dbs_date')).toMatchObject({ enabled: true });
    expect(after.find((c) => c.key === 'safeguarding_training')!.validity).toEqual({ n: 24, unit: 'months' });
    expect(after).toHaveLength(rows.length);
    const audits = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'record.rule_set.applied')));
    expect(audits.map((a) => a.summary).sort()).toEqual([expect.stringMatching(/^Rule set changed from KCSIE 2025 to KCSIE 2025\.4: \d+ check changes, 1 profile changes rating$/), expect.stringMatching(/^Rule set changed from KCSIE 2025\.4 to KCSIE 2025: /)]);
  });
  it('a tenant on KCSIE 2025.1 gets the audit corrections through the upgrade (decision 041): the volunteer in regulated activity needs no risk assessment; the academy records the agency DBS certificate date', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const { org, typeId } = await recordTenant(env, t, [{ name: 'Northgate Academy', type: 'academy' }]);
    expect((await call(env.app, 'POST', '/api/record/rule-set/apply', { headers: h, body: { version: 'KCSIE 2025.1' } })).status).toBe(200);
    const volunteer = await call(env.app, 'POST', '/api/record/profiles', {
      headers: h,
      body: { organisationId: org.id, profileTypeId: typeId('volunteer'), firstName: 'Ruth', lastName: 'Ellis', facts: { volunteer_supervised: false, regulated_activity: true }, checks: { enhanced_dbs: { value: '2024-01-10', reference: '001987654321' }, barred_list: { value: '2024-01-10' } } },
    });
    expect(volunteer.status).toBe(201);
    expect(volunteer.body.ready).toBe(false);
    const agency = await call(env.app, 'POST', '/api/record/profiles', {
      headers: h,
      body: { organisationId: org.id, profileTypeId: typeId('agency'), firstName: 'Sam', lastName: 'Reid', checks: { arrival_identity: { value: '2024-01-10' }, agency_confirmation: { value: true, checkedOn: '2024-01-09' }, agency_confirmation_date: { value: '2024-01-09' }, agency_dbs_provided: { value: true } } },
    });
    expect(agency.status).toBe(201);
    expect(agency.body.ready).toBe(true);

    const preview = await call(env.app, 'POST', '/api/record/rule-set/preview', { headers: h, body: { version: 'KCSIE 2025.2' } });
    expect(preview.body).toMatchObject({ from: 'KCSIE 2025.1', to: 'KCSIE 2025.2', profilesChecked: 2 });
    expect(preview.body.checks.map((c: { key: string; change: string; fields: string[] }) => [c.key, c.change, [...c.fields].sort()]).sort()).toEqual([
      ['agency_dbs_date', 'changed', ['condition', 'help']],
      ['risk_assessment', 'changed', ['condition', 'help']],
    ]);
    const inspector = (name: string) => (preview.body.profiles as Array<{ name: string; systems: Array<{ key: string; newlyMissing: string[]; noLongerMissing: string[] }> }>).find((p) => p.name === name)!.systems.find((s) => s.key === 'inspector_ready');
    expect(inspector('Ruth Ellis')).toMatchObject({ newlyMissing: [], noLongerMissing: ['Written risk assessment missing'] });
    expect(inspector('Sam Reid')).toMatchObject({ newlyMissing: ["Date of the agency's DBS certificate missing"], noLongerMissing: [] });

    expect((await call(env.app, 'POST', '/api/record/rule-set/apply', { headers: h, body: { version: 'KCSIE 2025.2' } })).status).toBe(200);
    expect((await call(env.app, 'GET', `/api/record/profiles/${volunteer.body.id}`, { headers: h })).body.ready).toBe(true);
    expect((await call(env.app, 'GET', `/api/record/profiles/${agency.body.id}`, { headers: h })).body.ready).toBe(false);
  });

  it('a tenant on KCSIE 2025.2 with a non-maintained special school is offered KCSIE 2025.3: the preview names who changes rating and why; other schools are untouched', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const { orgs, typeId } = await recordTenant(env, t, [
      { name: 'Brook House School', type: 'non_maintained_special' },
      { name: 'Northgate Primary', type: 'maintained' },
    ]);
    const nmss = orgs[0]!;
    const maintained = orgs[1]!;
    expect((await call(env.app, 'POST', '/api/record/rule-set/apply', { headers: h, body: { version: 'KCSIE 2025.2' } })).status).toBe(200);
    const offered = (await call(env.app, 'GET', '/api/record/rule-set', { headers: h })).body;
    expect(offered).toMatchObject({ version: 'KCSIE 2025.2', latest: 'KCSIE 2025.4' });
    expect(offered.versions.map((v: { version: string }) => v.version)).toContain('KCSIE 2025.3');

    const agencyChecks = { arrival_identity: { value: '2024-01-10' }, agency_confirmation: { value: true, checkedOn: '2024-01-09' }, agency_confirmation_date: { value: '2024-01-09' }, agency_dbs_provided: { value: true } };
    const supply = await call(env.app, 'POST', '/api/record/profiles', { headers: h, body: { organisationId: nmss.id, profileTypeId: typeId('agency'), firstName: 'Sam', lastName: 'Reid', checks: agencyChecks } });
    const governor = await call(env.app, 'POST', '/api/record/profiles', {
      headers: h,
      body: { organisationId: nmss.id, profileTypeId: typeId('governor'), firstName: 'David', lastName: 'Marsh', facts: { regulated_activity: false, lived_abroad: false }, checks: { enhanced_dbs: { value: '2024-01-10', reference: '001987654321' } } },
    });
    const otherSupply = await call(env.app, 'POST', '/api/record/profiles', { headers: h, body: { organisationId: maintained.id, profileTypeId: typeId('agency'), firstName: 'Ann', lastName: 'Lee', checks: agencyChecks } });
    const otherGovernor = await call(env.app, 'POST', '/api/record/profiles', {
      headers: h,
      body: { organisationId: maintained.id, profileTypeId: typeId('governor'), firstName: 'Tom', lastName: 'Hale', facts: { regulated_activity: false }, checks: { enhanced_dbs: { value: '2024-01-10', reference: '001987654322' }, section_128: { value: '2024-01-10' } } },
    });
    // Under 2025.2 a non-maintained special school is rated as "other": neither is asked more.
    for (const p of [supply, governor, otherSupply, otherGovernor]) expect([p.status, p.body.ready]).toEqual([201, true]);

    const preview = await call(env.app, 'POST', '/api/record/rule-set/preview', { headers: h, body: { version: 'KCSIE 2025.3' } });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ from: 'KCSIE 2025.2', to: 'KCSIE 2025.3', profilesChecked: 4 });
    expect(preview.body.checks.map((c: { key: string; change: string }) => [c.key, c.change]).sort()).toEqual([
      ['agency_dbs_date', 'changed'],
      ['identity', 'changed'],
      ['overseas_checks', 'changed'],
      ['right_to_work', 'changed'],
    ]);
    expect(preview.body.facts).toEqual({ added: [{ key: 'moved_from_school_post', name: 'Came from a school post within three months' }], removed: [] });
    const byName = new Map((preview.body.profiles as Array<{ name: string; readyBefore: boolean; readyAfter: boolean; systems: Array<{ key: string; newlyMissing: string[] }> }>).map((p) => [p.name, p]));
    expect([...byName.keys()].sort()).toEqual(['David Marsh', 'Sam Reid']);
    expect(byName.get('Sam Reid')).toMatchObject({ readyBefore: true, readyAfter: false, systems: expect.arrayContaining([expect.objectContaining({ key: 'inspector_ready', newlyMissing: ["Date of the agency's DBS certificate missing"] })]) });
    expect(byName.get('David Marsh')).toMatchObject({ readyBefore: true, readyAfter: false, systems: expect.arrayContaining([expect.objectContaining({ key: 'inspector_ready', newlyMissing: ['Identity check missing', 'Right to work missing'] })]) });

    expect((await call(env.app, 'POST', '/api/record/rule-set/apply', { headers: h, body: { version: 'KCSIE 2025.3' } })).status).toBe(200);
    const ready = async (id: string) => (await call(env.app, 'GET', `/api/record/profiles/${id}`, { headers: h })).body.ready;
    expect([await ready(supply.body.id), await ready(governor.body.id), await ready(otherSupply.body.id), await ready(otherGovernor.body.id)]).toEqual([false, false, true, true]);
    const rows = await env.platform.db.select().from(recordChecks).where(eq(recordChecks.tenantId, t.tenantId));
    expect(rows.find((c) => c.key === 'agency_dbs_date')).toMatchObject({ enabled: true, setVersion: 'KCSIE 2025.3' });
    // Recording the agency's certificate date makes the supply teacher ready again.
    const current = (await call(env.app, 'GET', `/api/record/profiles/${supply.body.id}`, { headers: h })).body;
    const dated = await call(env.app, 'PATCH', `/api/record/profiles/${supply.body.id}`, { headers: h, body: { version: current.version, checks: { agency_dbs_date: { value: '2023-11-02' } } } });
    expect([dated.status, dated.body.ready]).toEqual([200, true]);
  });

  it('a tenant on KCSIE 2025.3 with an academy is offered KCSIE 2025.4 (decision 046, law): its trustee without the right to work recorded is named as no longer ready; the maintained school is untouched; recording it makes them ready', async () => {
    const t = await createTestTenant(env, { kind: 'trust' });
    const h = t.owner.headers;
    const { orgs, typeId } = await recordTenant(env, t, [
      { name: 'Northgate Academy', type: 'academy' },
      { name: 'Southgate Primary', type: 'maintained' },
    ]);
    expect((await call(env.app, 'POST', '/api/record/rule-set/apply', { headers: h, body: { version: 'KCSIE 2025.3' } })).status).toBe(200);
    const offered = (await call(env.app, 'GET', '/api/record/rule-set', { headers: h })).body;
    expect(offered).toMatchObject({ version: 'KCSIE 2025.3', latest: 'KCSIE 2025.4' });
    const governed = { enhanced_dbs: { value: '2024-01-10', reference: '001987654321' }, section_128: { value: '2024-01-10' } };
    const trustee = await call(env.app, 'POST', '/api/record/profiles', {
      headers: h,
      body: { organisationId: orgs[0]!.id, profileTypeId: typeId('governor'), firstName: 'David', lastName: 'Marsh', facts: { regulated_activity: false, lived_abroad: false }, checks: { ...governed, identity: { value: '2024-01-10' } } },
    });
    const governor = await call(env.app, 'POST', '/api/record/profiles', {
      headers: h,
      body: { organisationId: orgs[1]!.id, profileTypeId: typeId('governor'), firstName: 'Tom', lastName: 'Hale', facts: { regulated_activity: false, lived_abroad: false }, checks: governed },
    });
    for (const p of [trustee, governor]) expect([p.status, p.body.ready]).toEqual([201, true]);

    const preview = await call(env.app, 'POST', '/api/record/rule-set/preview', { headers: h, body: { version: 'KCSIE 2025.4' } });
    expect(preview.body).toMatchObject({ from: 'KCSIE 2025.3', to: 'KCSIE 2025.4', profilesChecked: 2 });
    expect(preview.body.checks.map((c: { key: string; change: string; fields: string[] }) => [c.key, c.change, [...c.fields].sort()])).toEqual([['right_to_work', 'changed', ['condition', 'help']]]);
    expect(preview.body.facts).toEqual({ added: [], removed: [] });
    expect(preview.body.profiles).toEqual([
      expect.objectContaining({ name: 'David Marsh', readyBefore: true, readyAfter: false, systems: expect.arrayContaining([expect.objectContaining({ key: 'inspector_ready', newlyMissing: ['Right to work missing'] })]) }),
    ]);

    expect((await call(env.app, 'POST', '/api/record/rule-set/apply', { headers: h, body: { version: 'KCSIE 2025.4' } })).status).toBe(200);
    const profile = async (id: string) => (await call(env.app, 'GET', `/api/record/profiles/${id}`, { headers: h })).body;
    expect([(await profile(trustee.body.id)).ready, (await profile(governor.body.id)).ready]).toEqual([false, true]);
    const current = await profile(trustee.body.id);
    const checked = await call(env.app, 'PATCH', `/api/record/profiles/${trustee.body.id}`, { headers: h, body: { version: current.version, checks: { right_to_work: { value: '2024-01-12' } } } });
    expect([checked.status, checked.body.ready]).toEqual([200, true]);
  });
});
