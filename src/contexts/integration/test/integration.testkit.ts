import { scimUsers } from '../../scim/scim.tables.js';
import type { MemberInput } from '../../signin/index.js';
import { call, createTestTenant, type TestTenant } from '../../../../test/factories.js';
import type { TestEnv } from '../../../../test/harness.js';

/** Every statutory check a teacher needs, by check key (the built-in KCSIE set). */
export const FULL_TEACHER_CHECKS = {
  identity: { value: '2024-09-01', evidence: 'Passport' },
  enhanced_dbs: { value: '2024-08-20', reference: '001234567890' },
  barred_list: { value: '2024-08-20' },
  prohibition: { value: '2024-08-21' },
  qualifications: { value: '2024-08-21' },
  right_to_work: { value: '2024-09-01' },
};

/** The facts about a teacher's post that the checks above assume (not abroad, no relevant childcare). */
export const TEACHER_FACTS = { lived_abroad: false, early_years_childcare: false };

async function recordTenant(env: TestEnv, t: TestTenant) {
  const h = t.owner.headers;
  const r = await call(env.app, 'POST', '/api/record/organisations', { headers: h, body: { name: 'Northgate Primary', type: 'maintained' } });
  if (r.status !== 201) throw new Error(`organisation: ${r.status} ${JSON.stringify(r.body)}`);
  const org = r.body as { id: string; name: string };
  const types = (await call(env.app, 'GET', '/api/record/profile-types', { headers: h })).body.items as Array<{ id: string; key: string; name: string }>;
  const typeId = (key: string) => types.find((x) => x.key === key)!.id;
  return { org, types, typeId };
}

/**
 * A time zone whose date differs from the UTC date at `now`: UTC+14 from 10:00 UTC (already
 * tomorrow there), UTC-11 before (still yesterday). Neither has summer time.
 */
export const zoneWhereDateDiffers = (now: Date) => (now.getUTCHours() >= 10 ? 'Pacific/Kiritimati' : 'Pacific/Pago_Pago');

/** Sets an organisation's time zone (its "today") through the record's route. */
export async function setTimeZone(env: TestEnv, headers: Record<string, string>, organisationId: string, timeZone: string) {
  const r = await call(env.app, 'PATCH', `/api/record/organisations/${organisationId}`, { headers, body: { timeZone } });
  if (r.status !== 200 || r.body.timeZone !== timeZone) throw new Error(`time zone: ${r.status} ${JSON.stringify(r.body)}`);
}

const testActor = { kind: 'system' as const, id: null, label: 'test' };

/** A tenant with an organisation (KCSIE set seeded), and helpers to make groups, members and profiles. */
export async function integrationTenant(env: TestEnv, opts: { kind?: 'school' | 'trust' } = {}) {
  const t: TestTenant = await createTestTenant(env, { kind: opts.kind ?? 'school' });
  const rec = await recordTenant(env, t);
  const { members } = env.contexts.signin;
  const { integration } = env.contexts;
  const h = t.owner.headers;

  async function group(input: { name: string; type: 'standard' | 'repeat' | 'scim'; isStaffGroup?: boolean }) {
    return env.contexts.signin.groups.create(t.tenantId, { name: input.name, type: input.type, isStaffGroup: input.isStaffGroup ?? false }, testActor);
  }
  async function member(groupId: string, input: MemberInput, source: 'portal' | 'scim' = 'portal', scim: { department?: string; externalId?: string } = {}) {
    const m = await members.create(env.platform.db, t.tenantId, groupId, input, testActor, source);
    if (source === 'scim') {
      // SCIM's own row for a member an identity provider sent, beside the member made through the
      // MembersPort. Left a direct insert of SCIM's table: SCIM publishes no port that writes users
      // (only the SCIM protocol does), and going through the protocol would make these integration
      // tests depend on SCIM's token set-up and attribute mapping.
      await env.platform.db.insert(scimUsers).values({ memberId: m.id, tenantId: t.tenantId, groupId, userName: input.email ?? m.id, department: scim.department ?? null, externalId: scim.externalId ?? null });
    }
    return m;
  }
  async function profile(input: { firstName: string; lastName: string; email?: string; dateOfBirth?: string; role?: string; typeKey?: string; checks?: Record<string, unknown> }) {
    const r = await call(env.app, 'POST', '/api/record/profiles', {
      headers: h,
      body: {
        organisationId: rec.org.id,
        profileTypeId: rec.typeId(input.typeKey ?? 'teaching'),
        firstName: input.firstName,
        lastName: input.lastName,
        email: input.email,
        dateOfBirth: input.dateOfBirth,
        role: input.role,
        checks: input.checks ?? {},
      },
    });
    if (r.status !== 201) throw new Error(`profile: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as { id: string; version: number };
  }
  async function link(groupId: string, body: Record<string, unknown> = {}) {
    const r = await call(env.app, 'PUT', `/api/integration/groups/${groupId}/link`, { headers: h, body: { organisationId: rec.org.id, ...body } });
    if (r.status !== 200) throw new Error(`link: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
  /** Starts a run through the API and works it here (the worker's job), returning the finished run. */
  async function run(url: string, body: unknown) {
    const r = await call(env.app, 'POST', url, { headers: h, body });
    if (r.status !== 202) throw new Error(`${url}: ${r.status} ${JSON.stringify(r.body)}`);
    await integration.runs.execute(r.body.id as string);
    return (await call(env.app, 'GET', `/api/integration/runs/${r.body.id}`, { headers: h })).body;
  }
  return { t, h, rec, members, integration, group, member, profile, link, run, FULL_TEACHER_CHECKS, TEACHER_FACTS };
}
