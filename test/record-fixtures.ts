import { call, type TestTenant } from './factories.js';
import type { TestEnv } from './harness.js';

/** Test helpers for the record (used by the *.db.test.ts files of this context). */
export async function recordTenant(env: TestEnv, t: TestTenant, orgs: Array<{ name: string; type: string }> = [{ name: 'Northgate Primary', type: 'maintained' }]) {
  const h = t.owner.headers;
  const made: Array<{ id: string; name: string }> = [];
  for (const o of orgs) {
    const r = await call(env.app, 'POST', '/api/record/organisations', { headers: h, body: o });
    if (r.status !== 201) throw new Error(`organisation: ${r.status} ${JSON.stringify(r.body)}`);
    made.push(r.body as { id: string; name: string });
  }
  const types = (await call(env.app, 'GET', '/api/record/profile-types', { headers: h })).body.items as Array<{ id: string; key: string; name: string }>;
  const typeId = (key: string) => types.find((x) => x.key === key)!.id;
  return { orgs: made, org: made[0]!, types, typeId };
}

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
