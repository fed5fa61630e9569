import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { systemActor, type Actor } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/http/principal.js';
import type { SetupService } from '../setup/setup.service.js';
import type { ProfilesService } from '../profiles/profiles.service.js';
import { addPeriod, todayIn } from '../rules/dates.js';
import type { CheckValueInput } from '../profiles/profiles.schemas.js';

const demoActor: Actor = { ...systemActor, label: 'demo' };

/** An organisation per demo school, with a few profiles in various states of readiness. */
export async function seedRecordDemo(platform: Pick<Platform, 'db' | 'now'>, record: { setup: SetupService; profiles: ProfilesService }, tenantId: string) {
  const principal: Principal = { kind: 'system', tenantId, id: null, label: 'demo', role: 'owner', scopes: [] };
  const { setup, profiles } = record;
  const primary = await setup.createOrganisation(principal, demoActor, { name: 'Northgate Primary School', type: 'maintained', retentionYears: 6 });
  const academy = await setup.createOrganisation(principal, demoActor, { name: 'Northgate Academy', type: 'academy', retentionYears: 6 });
  const types = new Map((await setup.listProfileTypes(tenantId)).map((t) => [t.key, t.id]));
  const today = todayIn(platform.now());
  const ago = (n: number, unit: 'days' | 'months' | 'years' = 'days') => addPeriod(today, -n, unit);
  const staffChecks = (n: number) => ({
    identity: { value: ago(n, 'months'), evidence: 'Passport and bank statement' },
    enhanced_dbs: { value: ago(n, 'months'), reference: `00${1000000000 + n * 7919}` },
    barred_list: { value: ago(n, 'months') },
    right_to_work: { value: ago(n, 'months'), evidence: 'UK passport' },
  });
  const teacher = (n: number) => ({ ...staffChecks(n), prohibition: { value: ago(n, 'months') }, qualifications: { value: ago(n, 'months'), evidence: 'QTS certificate' } });
  const adder = (t: DbOrTx) => (org: string, type: string, firstName: string, lastName: string, role: string, startMonths: number, checks: Record<string, CheckValueInput>, facts: Record<string, boolean> = {}) =>
    profiles.create(principal, demoActor, {
      organisationId: org,
      profileTypeId: types.get(type)!,
      firstName,
      lastName,
      role,
      email: `${firstName}.${lastName}@northgate.example`.toLowerCase(),
      startDate: ago(startMonths, 'months'),
      checks,
      facts,
    }, t);

  // Every profile in one transaction (one commit, not one each).
  const leaver = await inTransaction(platform.db, async (t) => {
    const add = adder(t);
    // Northgate Primary School (maintained)
    await add(primary.id, 'teaching', 'Amelia', 'Hart', 'Headteacher', 60, { ...teacher(60), safeguarding_training: { value: ago(11, 'months') }, references: { value: ago(61, 'months') }, medical_fitness: { value: ago(61, 'months') }, dbs_update_service: { value: ago(2, 'months') } }, { lived_abroad: false, early_years_childcare: false });
    await add(primary.id, 'teaching', 'Oliver', 'Bennett', 'Year 4 teacher', 14, { ...teacher(14), safeguarding_training: { value: addPeriod(ago(1, 'years'), 20, 'days') } }, { lived_abroad: false });
    const { enhanced_dbs: _dbs, ...noDbs } = teacher(1);
    await add(primary.id, 'teaching', 'Priya', 'Shah', 'Year 1 teacher', 1, noDbs, { lived_abroad: false });
    await add(primary.id, 'support', 'Tom', 'Okafor', 'Teaching assistant', 30, { ...staffChecks(30), safeguarding_training: { value: ago(14, 'months') } }, { lived_abroad: false, early_years_childcare: true });
    // The rest of the primary's staff, every check recorded (sign-in's demo Staff group holds them all, linked to these profiles).
    await add(primary.id, 'support', 'Sophie', 'Reyes', 'Teaching assistant', 18, staffChecks(18), { lived_abroad: false, early_years_childcare: false });
    await add(primary.id, 'support', 'Liam', "O'Connor", 'Site manager', 48, staffChecks(48), { lived_abroad: false, early_years_childcare: false });
    await add(primary.id, 'support', 'Hannah', 'Kowalski', 'School business manager', 26, staffChecks(26), { lived_abroad: false, early_years_childcare: false });
    await add(primary.id, 'teaching', 'Mohammed', 'Ali', 'SENCo', 32, teacher(32), { lived_abroad: false, early_years_childcare: false });
    await add(primary.id, 'volunteer', 'Ruth', 'Ellis', 'Reading volunteer', 5, { risk_assessment: { value: ago(5, 'months') } }, { volunteer_supervised: true, regulated_activity: false });
    await add(primary.id, 'governor', 'David', 'Marsh', 'Chair of governors', 36, { enhanced_dbs: { value: ago(36, 'months'), reference: '001987654321' } }, { regulated_activity: false });

    // Northgate Academy (academy)
    await add(academy.id, 'teaching', 'Sofia', 'Kowalski', 'Head of Science', 24, { ...teacher(24), section_128: { value: ago(24, 'months') } }, { management_post: true, lived_abroad: false, early_years_childcare: false });
    await add(academy.id, 'teaching', 'James', 'Reid', 'Deputy Head', 8, teacher(8), { management_post: true, lived_abroad: false });
    await add(academy.id, 'agency', 'Grace', 'Mensah', 'Supply teacher', 1, { agency_confirmation: { value: true, checkedOn: ago(35) }, agency_confirmation_date: { value: ago(35) }, agency_dbs_provided: { value: true }, arrival_identity: { value: ago(30) } });
    await add(academy.id, 'contractor', 'Leo', 'Fraser', 'Electrician', 2, { arrival_identity: { value: ago(40) } }, { regulated_activity: false, regular_contact: false });
    return add(academy.id, 'support', 'Hannah', 'Cole', 'Cover supervisor', 40, staffChecks(40), { lived_abroad: false });
  });
  await profiles.archive(principal, demoActor, leaver.profile.id, { version: leaver.profile.version, leavingDate: ago(2, 'months') });
  return { organisations: [primary.id, academy.id], primary: primary.id };
}
