// Central record figures (issue 5, Performance; issue 10: with facts about the post, and the
// rule-set upgrade preview over 10,000 profiles): the rules engine alone, today's against the one
// before facts (ratings per second for 10,000 profiles × 25 checks × 2 rating systems, and
// instructions per rating by valgrind when it is installed, with their ratio); the trust dashboard
// over 10,000 profiles on PostgreSQL (when TEST_DATABASE_URL or DATABASE_URL is set; PGlite
// otherwise, said so); the rule-set upgrade preview over those profiles; XLSX export of 2,000
// profiles (seconds and peak memory). Prints the figures and writes bench/results/record.json.
// Nothing here passes or fails on time. RECORD_BENCH_ENGINE_ONLY=1 stops after the engine;
// RECORD_BENCH_VALGRIND=0 skips the instruction counts (several minutes).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { createRuleSetService } from '../src/contexts/record/setup/rule-set.service.js';
import { todayIn } from '../src/contexts/record/rules/dates.js';
import { ENGINES, engineInput, valueFor, type EngineKind } from './engine-input.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results: Record<string, unknown> = {};
const TYPES = ['teaching', 'support', 'agency', 'volunteer', 'governor', 'contractor'];
const ORG_TYPES = ['maintained', 'academy', 'free', 'independent', 'college'];
const today = todayIn(new Date());

/**
 * The rules engine before facts (commit e1f51cb, frozen in bench/baseline/) and today's, on the
 * same people and values (see engine-input.ts), 10,000 profiles × 25 checks × 2 rating systems.
 * Two figures each: ratings per second by the wall clock (rounds interleaved, so load hits both
 * alike), and instructions per rating counted by valgrind (the machine's load does not move it),
 * with the ratio today/before. Under 1 means today's engine does less work per rating.
 */
function wallClock() {
  const inputs = ENGINES.map((kind) => engineInput(kind, 10_000));
  for (const e of inputs) e.run(1); // warm-up
  const rounds = 5;
  const seconds = new Map<EngineKind, number>(ENGINES.map((k) => [k, 0]));
  const ready = new Map<EngineKind, number>(ENGINES.map((k) => [k, 0]));
  for (let r = 0; r < rounds; r++) {
    for (const e of inputs) {
      const t0 = process.hrtime.bigint();
      ready.set(e.kind, ready.get(e.kind)! + e.run(1));
      seconds.set(e.kind, seconds.get(e.kind)! + Number(process.hrtime.bigint() - t0) / 1e9);
    }
  }
  const out: Record<string, unknown> = {};
  for (const e of inputs) {
    const ratings = e.profiles * e.ratingSystems * rounds;
    const s = seconds.get(e.kind)!;
    out[e.kind] = { profiles: e.profiles, checks: e.checks, ratingSystems: e.ratingSystems, rounds, seconds: +s.toFixed(3), ratingsPerSecond: Math.round(ratings / s), readyShare: +(ready.get(e.kind)! / ratings).toFixed(3) };
    console.log(`rules engine ${e.kind}: ${Math.round(ratings / s).toLocaleString('en-GB')} ratings/s (${e.profiles} profiles × ${e.checks} checks × ${e.ratingSystems} systems, ${rounds} rounds in ${s.toFixed(2)} s)`);
  }
  return out;
}

/** Instructions per rating by valgrind: the driver with 0 rounds and with `rounds`, subtracted. */
function instructions(): Record<string, unknown> | null {
  if (process.env.RECORD_BENCH_VALGRIND === '0') {
    console.log('rules engine instructions: skipped (RECORD_BENCH_VALGRIND=0)');
    return null;
  }
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    console.log('rules engine instructions: valgrind not found, skipped (apt-get install valgrind)');
    return null;
  }
  const profiles = 2000;
  // Enough rounds that the counted work dwarfs the run-to-run spread of start-up and compiling
  // (about ±100M instructions; with 4 rounds that was ±6k per rating, and the ratio meant nothing).
  const rounds = 20;
  const count = (kind: EngineKind, r: number) => {
    const res = spawnSync('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, '--single-threaded', '--import', 'tsx', 'bench/engine-driver.ts', kind, String(profiles), String(r)], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const m = /I\s+refs:\s+([\d,]+)/.exec(res.stderr);
    if (res.status !== 0 || !m) throw new Error(`valgrind run of ${kind} failed: ${res.stderr.slice(-2000)}`);
    return Number(m[1]!.replaceAll(',', ''));
  };
  const out: Record<string, number> = {};
  for (const kind of ENGINES) {
    const fixed = count(kind, 0);
    const total = count(kind, rounds);
    out[kind] = Math.round((total - fixed) / (profiles * 2 * rounds));
  }
  const ratio = +(out['with-facts']! / out['before-facts']!).toFixed(3);
  console.log(`rules engine instructions per rating (valgrind, ${profiles} profiles × ${rounds} rounds): before facts ${out['before-facts']!.toLocaleString('en-GB')}, with facts ${out['with-facts']!.toLocaleString('en-GB')}; ratio ${ratio} (under 1: today's engine does less work)`);
  return { profiles, rounds, perRating: out, ratio };
}

function engineBench() {
  const wall = wallClock();
  const instr = instructions();
  results.engine = { ...(wall['with-facts'] as object), before: wall['before-facts'], instructions: instr };
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
          const v = valueFor(c, start + j, today);
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

const engineOnly = process.env.RECORD_BENCH_ENGINE_ONLY === '1';
engineBench();
if (!engineOnly) await databaseBench();
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
const file = path.join(root, 'bench/results/record.json');
// Engine only: the database figures of the last full run stay in the file.
const kept = engineOnly && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
writeFileSync(file, JSON.stringify({ ...kept, at: new Date().toISOString(), node: process.version, load: os.loadavg().map((x) => +x.toFixed(1)), ...results }, null, 2) + '\n');
console.log('wrote bench/results/record.json');
