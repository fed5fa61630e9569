// Central record figures (issue 5, Performance; issue 10: with facts about the post, and the
// rule-set upgrade preview over 10,000 profiles): the rules engine alone (ratings per second for
// 10,000 profiles × 25 checks × 2 rating systems, KCSIE 2025.1 with facts); the trust dashboard over 10,000 profiles on
// PostgreSQL (when TEST_DATABASE_URL or DATABASE_URL is set; PGlite otherwise, said so); XLSX
// export of 2,000 profiles (seconds and peak memory). Prints the figures and writes
// bench/results/record.json. Nothing here passes or fails on time.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createPlatform } from '../src/platform/bootstrap.js';
import { createLogger } from '../src/platform/logger.js';
import { openDatabase, type Database } from '../src/platform/db/database.js';
import { runMigrations } from '../src/platform/db/migrate.js';
import { systemActor } from '../src/platform/audit/audit.js';
import type { Principal } from '../src/platform/http/principal.js';
import { createAccountsService } from '../src/contexts/accounts/index.js';
import { createSetupService } from '../src/contexts/record/setup/setup.service.js';
import { createReportsService } from '../src/contexts/record/reports/reports.service.js';
import { recordCheckValues, recordProfiles } from '../src/contexts/record/record.tables.js';
import { KCSIE_2025_1 } from '../src/contexts/record/kcsie/kcsie-2025-1.js';
import { toRuleFact } from '../src/contexts/record/kcsie/rule-sets.js';
import { createRuleSetService } from '../src/contexts/record/setup/rule-set.service.js';
import { evaluateProfile, prepareChecks, type RuleCheck, type RuleProfile, type RuleRatingSystem, type RuleValue } from '../src/contexts/record/rules/rating.js';
import { addPeriod, todayIn } from '../src/contexts/record/rules/dates.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results: Record<string, unknown> = {};
const TYPES = ['teaching', 'support', 'agency', 'volunteer', 'governor', 'contractor'];
const ORG_TYPES = ['maintained', 'academy', 'free', 'independent', 'college'];
const today = todayIn(new Date());

/** A deterministic spread of states: most checks done, some missing, some old. */
function valueFor(check: { key: string; type: string }, i: number): RuleValue | undefined {
  const r = (i * 2654435761 + check.key.length * 97) % 100;
  if (r < 12) return undefined;
  if (check.type === 'yesno') return { value: r % 3 !== 0, reference: null, checkedOn: today };
  return { value: addPeriod(today, -((r * 11) % 900), 'days'), reference: check.key === 'enhanced_dbs' ? `00${i}` : null, checkedOn: null };
}

function engineBench() {
  const extra: RuleCheck[] = [
    { id: 'x1', key: 'trust_induction', name: 'Trust induction', section: 'Trust', type: 'date', requirement: 'statutory', appliesTo: [], condition: { op: 'and', conditions: [{ field: 'profile.role', operator: 'not_contains', value: 'governor' }] }, validity: { n: 3, unit: 'years' }, passValue: null, referenceLabel: null, options: [], enabled: true, organisationId: null },
    { id: 'x2', key: 'lanyard', name: 'Lanyard issued', section: 'Trust', type: 'yesno', requirement: 'recommended', appliesTo: ['teaching', 'support'], condition: null, validity: null, passValue: true, referenceLabel: null, options: [], enabled: true, organisationId: null },
    { id: 'x3', key: 'fire_induction', name: 'Fire induction', section: 'Trust', type: 'date', requirement: 'recommended', appliesTo: [], condition: { op: 'and', conditions: [{ field: 'fact.regulated_activity', operator: 'equals', value: 'yes' }] }, validity: { n: 1, unit: 'years' }, passValue: null, referenceLabel: null, options: [], enabled: true, organisationId: null },
    { id: 'x4', key: 'code_of_conduct', name: 'Code of conduct signed', section: 'Trust', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'volunteer'], condition: null, validity: null, passValue: null, referenceLabel: null, options: [], enabled: true, organisationId: null },
    { id: 'x5', key: 'online_safety', name: 'Online safety training', section: 'Trust', type: 'date', requirement: 'recommended', appliesTo: ['teaching'], condition: { op: 'and', conditions: [{ field: 'fact.teaches', operator: 'equals', value: 'yes' }] }, validity: { n: 2, unit: 'years' }, passValue: null, referenceLabel: null, options: [], enabled: true, organisationId: null },
  ];
  const checks: RuleCheck[] = [
    ...KCSIE_2025_1.checks.map((c) => ({ id: c.key, key: c.key, name: c.name, section: c.section, type: c.type, requirement: c.requirement, appliesTo: c.appliesTo, condition: c.condition ?? null, dateRequired: c.dateRequired ?? false, validity: c.validity ?? null, passValue: c.passValue ?? null, referenceLabel: c.referenceLabel ?? null, options: c.options ?? [], enabled: true, organisationId: null })),
    ...extra,
  ];
  const systems: RuleRatingSystem[] = KCSIE_2025_1.ratingSystems.map((s) => ({ id: s.key, key: s.key, name: s.name, enabled: true, defaultRequire: s.defaultRequire, rules: {} }));
  const set = prepareChecks(checks, KCSIE_2025_1.facts.map(toRuleFact));
  const profiles: RuleProfile[] = [];
  for (let i = 0; i < 10_000; i++) {
    const values = new Map<string, RuleValue>();
    for (const c of checks) {
      const v = valueFor(c, i);
      if (v) values.set(c.id, v);
    }
    // Facts: most answered, some not (they count as their safe answer).
    const facts: Record<string, boolean> = {};
    KCSIE_2025_1.facts.forEach((f, k) => {
      const r = (i * 31 + k * 17) % 10;
      if (r < 8) facts[f.key] = r % 2 === 0;
    });
    profiles.push({ organisationId: `org${i % 5}`, organisationType: ORG_TYPES[i % 5]!, profileTypeKey: TYPES[i % 6]!, fields: { role: i % 7 === 0 ? 'Head of year' : 'Teacher', start_date: '2020-09-01' }, values, facts });
  }
  let ready = 0;
  for (const p of profiles.slice(0, 500)) evaluateProfile(p, set, systems, today); // warm-up
  const rounds = 5;
  const started = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const p of profiles) ready += evaluateProfile(p, set, systems, today).ratings.filter((x) => x.ready).length;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const ratings = profiles.length * systems.length * rounds;
  results.engine = { profiles: profiles.length, checks: checks.length, ratingSystems: systems.length, rounds, seconds: +seconds.toFixed(3), ratingsPerSecond: Math.round(ratings / seconds), profilesPerSecond: Math.round((profiles.length * rounds) / seconds), readyShare: +(ready / ratings).toFixed(3) };
  console.log(`rules engine: ${Math.round(ratings / seconds).toLocaleString('en-GB')} ratings/s (${profiles.length} profiles × ${checks.length} checks × ${systems.length} systems, ${rounds} rounds in ${seconds.toFixed(2)} s)`);
}

async function benchDatabase(): Promise<{ database: Database; kind: string; cleanup: () => Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) {
    console.log('database: PGlite in memory (set TEST_DATABASE_URL for the PostgreSQL figure)');
    return { database: await openDatabase({ kind: 'pglite' }), kind: 'pglite', cleanup: async () => {} };
  }
  const name = `${new URL(url).pathname.slice(1)}_record_bench`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: u.toString() });
  return {
    database,
    kind: 'postgres',
    cleanup: async () => {
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await a.end();
    },
  };
}

async function databaseBench() {
  const { database, kind, cleanup } = await benchDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'record-bench-'));
  try {
    await runMigrations(database);
    const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, SECRET_KEY: 'b'.repeat(64), LOG_LEVEL: 'silent' });
    const platform = await createPlatform(config, { database, log: createLogger('silent') });
    const { tenant } = await createAccountsService(platform).createTenant({ name: 'Bench Trust', kind: 'trust', ownerEmail: 'bench@example.test', ownerPassword: 'bench-password-123' });
    const principal: Principal = { kind: 'system', tenantId: tenant.id, id: null, label: 'bench', role: 'owner', scopes: [] };
    const setup = createSetupService(platform);
    const orgs = [];
    for (let i = 0; i < 5; i++) orgs.push(await setup.createOrganisation(principal, systemActor, { name: `School ${i + 1}`, type: ORG_TYPES[i]! as 'maintained', retentionYears: 6 }));
    const types = new Map((await setup.listProfileTypes(tenant.id)).map((t) => [t.key, t.id]));
    const checks = await setup.listChecks(principal);
    const N = 10_000;
    const loadStarted = Date.now();
    for (let start = 0; start < N; start += 500) {
      const batch = [];
      for (let i = start; i < Math.min(N, start + 500); i++) {
        batch.push({ tenantId: tenant.id, organisationId: orgs[i % 5]!.id, profileTypeId: types.get(TYPES[i % 6]!)!, firstName: `First${i}`, lastName: `Last${i}`, role: i % 7 === 0 ? 'Head of year' : 'Teacher', startDate: '2020-09-01' });
      }
      const made = await platform.db.insert(recordProfiles).values(batch).returning({ id: recordProfiles.id });
      const values = [];
      for (let j = 0; j < made.length; j++) {
        for (const c of checks) {
          const v = valueFor(c, start + j);
          if (v) values.push({ tenantId: tenant.id, profileId: made[j]!.id, checkId: c.id, value: v.value, reference: v.reference, checkedOn: v.checkedOn, recordedByLabel: 'bench' });
        }
      }
      for (let k = 0; k < values.length; k += 2000) await platform.db.insert(recordCheckValues).values(values.slice(k, k + 2000));
    }
    console.log(`loaded ${N} profiles with their values in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s (${kind})`);
    const { loadProfilesWithValues } = await import('../src/contexts/record/record.repo.js');
    const l0 = process.hrtime.bigint();
    const loaded = await loadProfilesWithValues(platform.db, tenant.id, { status: 'live' });
    const loadMs = Number(process.hrtime.bigint() - l0) / 1e6;
    console.log(`  of which loading ${loaded.length} profiles and ${loaded.reduce((n, r) => n + r.values.size, 0)} values: ${Math.round(loadMs)} ms`);
    const reports = createReportsService(platform);
    await reports.dashboard(principal, {}); // warm-up
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = process.hrtime.bigint();
      const d = await reports.dashboard(principal, {});
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (d.profiles !== N) throw new Error(`dashboard saw ${d.profiles} profiles`);
    }
    times.sort((a, b) => a - b);
    results.dashboard = { database: kind, profiles: N, checks: checks.length, runs: times.length, medianMs: Math.round(times[1]!), minMs: Math.round(times[0]!), loadMs: Math.round(loadMs) };
    console.log(`trust dashboard, ${N} profiles (${kind}): median ${Math.round(times[1]!)} ms (service call, no HTTP)`);

    // XLSX export of 2,000 profiles: one organisation holds 2,000 of them.
    // Rule-set upgrade preview over the 10,000 profiles (writes nothing): the tenant is moved back
    // to "KCSIE 2025" first (timed too), then "KCSIE 2025.1" is previewed.
    const ruleSets = createRuleSetService(platform);
    const a0 = process.hrtime.bigint();
    await ruleSets.apply(principal, systemActor, 'KCSIE 2025');
    const applyMs = Number(process.hrtime.bigint() - a0) / 1e6;
    const p0 = process.hrtime.bigint();
    const preview = await ruleSets.preview(principal, 'KCSIE 2025.1');
    const previewMs = Number(process.hrtime.bigint() - p0) / 1e6;
    results.ruleSetUpgrade = { database: kind, profiles: preview.profilesChecked, profilesChanging: preview.profiles.length, checkChanges: preview.checks.length, previewSeconds: +(previewMs / 1000).toFixed(2), applySeconds: +(applyMs / 1000).toFixed(2) };
    console.log(`rule-set upgrade preview over ${preview.profilesChecked} profiles (${kind}): ${(previewMs / 1000).toFixed(2)} s (${preview.profiles.length} change rating); apply (with its preview): ${(applyMs / 1000).toFixed(2)} s`);

    const exportOrg = orgs[0]!;
    const n = (await platform.database.query<{ n: string }>('SELECT count(*)::text AS n FROM record_profiles WHERE organisation_id = $1', [exportOrg.id])).rows[0]!.n;
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    const t0 = process.hrtime.bigint();
    const file = await reports.exportRecord(principal, systemActor, { organisationId: exportOrg.id, format: 'xlsx' });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    results.xlsxExport = { database: kind, profiles: Number(n), seconds: +seconds.toFixed(2), bytes: file.body.length, rssBeforeMb: Math.round(base / 1048576), rssPeakMb: Math.round(peak / 1048576), rssGrowthMb: Math.round((peak - base) / 1048576) };
    console.log(`XLSX export of ${n} profiles: ${seconds.toFixed(2)} s, ${(file.body.length / 1024).toFixed(0)} KB, peak RSS ${Math.round(peak / 1048576)} MB (+${Math.round((peak - base) / 1048576)} MB)`);
    await platform.jobs.stop();
  } finally {
    await database.close();
    await cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

engineBench();
await databaseBench();
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/record.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, ...results }, null, 2) + '\n');
console.log('wrote bench/results/record.json');
