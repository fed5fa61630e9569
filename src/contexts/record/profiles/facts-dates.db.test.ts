import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { FULL_TEACHER_CHECKS, TEACHER_FACTS, recordTenant } from '../../../../test/record-fixtures.js';
import { auditLog } from '../../../platform/audit/audit.tables.js';
import { recordProfileHistory, recordProfiles } from '../record.tables.js';
import { addPeriod, todayIn } from '../rules/dates.js';
import { archiveLeavers } from './leavers.js';
import { readinessOf } from '../readiness.js';

const env = useTestEnv();

async function setup(orgs = [{ name: 'Northgate Primary', type: 'maintained' }]) {
  const t = await createTestTenant(env, { kind: 'trust' });
  const r = await recordTenant(env, t, orgs);
  const create = (body: Record<string, unknown>) =>
    call(env.app, 'POST', '/api/record/profiles', { headers: t.owner.headers, body: { organisationId: r.org.id, profileTypeId: r.typeId('teaching'), firstName: 'Ada', lastName: 'Lovelace', ...body } });
  return { t, ...r, h: t.owner.headers, create };
}
const missing = (body: Record<string, any>, key = 'inspector_ready') => body.ratings.find((r: { key: string }) => r.key === key).problems.map((p: { message: string }) => p.message);

describe('facts about the post', () => {
  it('a new teacher starts with the profile type defaults; unanswered facts are to confirm (never missing checks) and count as the answer that asks for more', async () => {
    const { h, create } = await setup();
    const made = await create({ checks: FULL_TEACHER_CHECKS });
    expect(made.status).toBe(201);
    const facts = Object.fromEntries(made.body.facts.map((f: { key: string; value: boolean | null }) => [f.key, f.value]));
    expect(facts).toEqual({ teaches: true, requires_qualification: true, regulated_activity: true, lived_abroad: null, early_years_childcare: null, moved_from_school_post: null });
    expect(made.body.factsToConfirm.map((f: { key: string }) => f.key)).toEqual(['lived_abroad', 'early_years_childcare', 'moved_from_school_post']);
    expect(missing(made.body)).toEqual(['Overseas checks missing']);
    for (const c of made.body.checks) expect(['lived_abroad', 'early_years_childcare', 'teaches']).not.toContain(c.key);

    const answered = await call(env.app, 'PATCH', `/api/record/profiles/${made.body.id}`, { headers: h, body: { version: made.body.version, facts: { ...TEACHER_FACTS, moved_from_school_post: false } } });
    expect(answered.status).toBe(200);
    expect([answered.body.ready, answered.body.factsToConfirm, missing(answered.body)]).toEqual([true, [], []]);
    // The support-staff answer: not teaching, so no prohibition and no QTS.
    const history = await call(env.app, 'GET', `/api/record/profiles/${made.body.id}/history`, { headers: h });
    expect(history.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'About the post: Lived or worked outside the UK', before: null, after: 'No', version: 2 })]));
    const notTeaching = await call(env.app, 'PATCH', `/api/record/profiles/${made.body.id}`, { headers: h, body: { version: answered.body.version, facts: { teaches: false, requires_qualification: false }, checks: { prohibition: null, qualifications: null } } });
    expect([notTeaching.status, notTeaching.body.ready]).toEqual([200, true]);
    // Clearing an answer puts it back to confirm, counted as "yes".
    const cleared = await call(env.app, 'PATCH', `/api/record/profiles/${made.body.id}`, { headers: h, body: { version: notTeaching.body.version, facts: { teaches: null } } });
    expect(cleared.body.factsToConfirm.map((f: { key: string }) => f.key)).toEqual(['teaches']);
    expect(missing(cleared.body)).toEqual(['Prohibition from teaching missing']);
  });
});

describe('asOf and time zones', () => {
  it('ratings on a date: checks expire by then; people who left by then or have not started are out of the lists and dashboard', async () => {
    const { h, create } = await setup();
    const today = todayIn(env.clock.now);
    const trained = addPeriod(today, -11, 'months');
    const ada = await create({ checks: { ...FULL_TEACHER_CHECKS, safeguarding_training: { value: trained }, references: { value: '2024-08-01' }, medical_fitness: { value: '2024-08-01' } }, facts: TEACHER_FACTS });
    expect(missing(ada.body, 'school_ready')).toEqual([]);
    expect(ada.body.asOf).toBe(today);
    expect(ada.body.nextChangeOn).toBe(addPeriod(trained, 12, 'months'));
    const inTwoMonths = addPeriod(today, 2, 'months');
    const later = await call(env.app, 'GET', `/api/record/profiles/${ada.body.id}?asOf=${inTwoMonths}`, { headers: h });
    expect([later.body.asOf, missing(later.body, 'school_ready')]).toEqual([inTwoMonths, [expect.stringMatching(/^Safeguarding training expired on /)]]);
    // On a day before checks were done, they were not done yet: the record as at that day is not ready.
    const earlier = await call(env.app, 'GET', `/api/record/profiles/${ada.body.id}?asOf=2024-08-20`, { headers: h });
    expect([earlier.body.ready, missing(earlier.body)]).toEqual([false, ['Identity check: not done until 01/09/2024', 'Prohibition from teaching: not done until 21/08/2024', 'Professional qualifications: not done until 21/08/2024', 'Right to work: not done until 01/09/2024']]);
    expect(earlier.body.nextChangeOn).toBe('2024-08-21');
    await create({ firstName: 'Leo', lastName: 'Leaving', leavingDate: addPeriod(today, 10, 'days') });
    await create({ firstName: 'Nia', lastName: 'New', startDate: addPeriod(today, 20, 'days') });
    const names = async (asOf: string) => (await call(env.app, 'GET', `/api/record/profiles?asOf=${asOf}`, { headers: h })).body.items.map((p: { lastName: string }) => p.lastName);
    expect(await names(today)).toEqual(['Leaving', 'Lovelace']);
    expect(await names(addPeriod(today, 30, 'days'))).toEqual(['Lovelace', 'New']);
    const dash = await call(env.app, 'GET', `/api/record/dashboard?asOf=${addPeriod(today, 30, 'days')}`, { headers: h });
    expect([dash.body.asOf, dash.body.profiles]).toEqual([addPeriod(today, 30, 'days'), 2]);
    const bad = await call(env.app, 'GET', '/api/record/dashboard?asOf=2025-02-30', { headers: h });
    expect([bad.status, bad.body.error.field]).toEqual([400, 'asOf']);
  });

  it('organisations have a time zone (default Europe/London; unknown zones are 400); readinessOf evaluates each profile on its organisation\'s today', async () => {
    const { t, h, create, org } = await setup();
    expect(org).toMatchObject({ timeZone: 'Europe/London' });
    const wrong = await call(env.app, 'PATCH', `/api/record/organisations/${org.id}`, { headers: h, body: { timeZone: 'Mars/Olympus' } });
    expect([wrong.status, wrong.body.error.field]).toEqual([400, 'body.timeZone']);
    // Kept as the zone list spells it, whatever the case typed (as sites' zones are).
    const typed = await call(env.app, 'POST', '/api/record/organisations', { headers: h, body: { name: 'Typed', type: 'maintained', timeZone: 'europe/london' } });
    expect([typed.status, typed.body.timeZone]).toEqual([201, 'Europe/London']);
    const patched = await call(env.app, 'PATCH', `/api/record/organisations/${typed.body.id as string}`, { headers: h, body: { timeZone: 'AMERICA/NEW_YORK' } });
    expect(patched.body.timeZone).toBe('America/New_York');
    const east = await call(env.app, 'POST', '/api/record/organisations', { headers: h, body: { name: 'East', type: 'maintained', timeZone: 'Pacific/Kiritimati' } });
    const west = await call(env.app, 'POST', '/api/record/organisations', { headers: h, body: { name: 'West', type: 'maintained', timeZone: 'Pacific/Pago_Pago' } });
    const a = await create({ organisationId: east.body.id });
    const b = await create({ organisationId: west.body.id });
    const now = env.clock.now;
    const r = await readinessOf(env.platform.db, t.tenantId, [a.body.id, b.body.id], now);
    expect(r.get(a.body.id)!.asOf).toBe(todayIn(now, 'Pacific/Kiritimati'));
    expect(r.get(b.body.id)!.asOf).toBe(todayIn(now, 'Pacific/Pago_Pago'));
    expect(r.get(a.body.id)).toMatchObject({ status: 'live', inPost: true, ready: false, factsToConfirm: [{ key: 'lived_abroad', name: 'Lived or worked outside the UK' }, { key: 'early_years_childcare', name: 'Works in or manages relevant childcare' }, { key: 'moved_from_school_post', name: 'Came from a school post within three months' }] });
    expect(r.get(a.body.id)!.missing).toContain('Enhanced DBS missing');
    const other = await createTestTenant(env);
    expect((await readinessOf(env.platform.db, other.tenantId, [a.body.id], now)).size).toBe(0);
  });
});

describe('leavers', () => {
  it('the scheduled job archives people whose leaving date has passed in their organisation\'s time zone (audited); today\'s and future leavers stay', async () => {
    const { t, h, create } = await setup();
    const zones = ['Pacific/Kiritimati', 'Pacific/Pago_Pago'];
    const ids: Record<string, string> = {};
    for (const tz of zones) {
      const o = await call(env.app, 'POST', '/api/record/organisations', { headers: h, body: { name: tz, type: 'maintained', timeZone: tz } });
      const day = todayIn(env.clock.now, tz);
      ids[`${tz} yesterday`] = (await create({ organisationId: o.body.id, lastName: 'Gone', leavingDate: addPeriod(day, -1, 'days') })).body.id;
      ids[`${tz} today`] = (await create({ organisationId: o.body.id, lastName: 'Today', leavingDate: day })).body.id;
      ids[`${tz} future`] = (await create({ organisationId: o.body.id, lastName: 'Later', leavingDate: addPeriod(day, 5, 'days') })).body.id;
    }
    expect(await archiveLeavers({ ...env.platform, hooks: env.contexts.record.hooks })).toBeGreaterThanOrEqual(2);
    const rows = await env.platform.db.select().from(recordProfiles).where(eq(recordProfiles.tenantId, t.tenantId));
    const status = Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, rows.find((r) => r.id === id)!.status]));
    expect(status).toEqual({
      'Pacific/Kiritimati yesterday': 'archived',
      'Pacific/Kiritimati today': 'live',
      'Pacific/Kiritimati future': 'live',
      'Pacific/Pago_Pago yesterday': 'archived',
      'Pacific/Pago_Pago today': 'live',
      'Pacific/Pago_Pago future': 'live',
    });
    const audits = await env.platform.db.select().from(auditLog).where(and(eq(auditLog.tenantId, t.tenantId), eq(auditLog.action, 'record.profile.archived')));
    expect(audits.map((a) => a.targetId).sort()).toEqual([ids['Pacific/Kiritimati yesterday'], ids['Pacific/Pago_Pago yesterday']].sort());
    const history = await env.platform.db.select().from(recordProfileHistory).where(eq(recordProfileHistory.profileId, ids['Pacific/Kiritimati yesterday']!));
    expect(history.map((x) => [x.field, x.after])).toContainEqual(['Status', 'archived']);
    // Still findable as a leaver; a second run does nothing more.
    expect((await call(env.app, 'GET', '/api/record/profiles?status=archived', { headers: h })).body.total).toBe(2);
    expect(await archiveLeavers({ ...env.platform, hooks: env.contexts.record.hooks })).toBe(0);
  });
});
