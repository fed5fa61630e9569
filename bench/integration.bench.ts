// Integration figures (issue 6, Performance), on PostgreSQL when TEST_DATABASE_URL or
// DATABASE_URL is set (PGlite otherwise, said so): import N members with 6 mapping rules and
// duplicate detection against N existing profiles; merge N/2 suggested pairs; push N profiles;
// each beside a plain bulk INSERT of the same rows in the same run. Then the record's safety check
// (3 rating systems) for linked members with 10 concurrent kiosks: p50/p99. BENCH_N sets N
// (default 10,000). Prints figures and writes bench/results/integration.json; never fails on time.
// Beside each wall-clock figure (which moves 2-3x with the shared machine's load, printed with it):
// statements sent per row (counted through the database adapter) and, on PostgreSQL, the CPU time
// of the server's backends for this database (/proc/<pid>/stat, so only with a local server), which
// the load moves far less.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createPlatform } from '../src/platform/bootstrap.js';
import { createLogger } from '../src/platform/logger.js';
import { openDatabase, type Database } from '../src/platform/db/database.js';
import { runMigrations } from '../src/platform/db/migrate.js';
import { installJobSchema } from '../src/platform/jobs/pgboss.js';
import { systemActor } from '../src/platform/audit/audit.js';
import type { Principal } from '../src/platform/http/principal.js';
import { createAccountsService } from '../src/contexts/accounts/index.js';
import { createSetupService } from '../src/contexts/record/index.js';
import { groups, members } from '../src/contexts/signin/signin.tables.js';
import { recordProfiles, recordRatingSystems } from '../src/contexts/record/record.tables.js';
import { composeContexts } from '../src/contexts/compose.js';
import { integrationPersonLinks } from '../src/contexts/integration/integration.tables.js';
import { SYNC_PERSON_BATCH } from '../src/contexts/integration/index.js';
import { and, eq, sql } from 'drizzle-orm';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_N ?? 10_000);
const results: Record<string, unknown> = { n: N };

let statements = 0;
const onStatement = () => {
  statements++;
};

async function benchDatabase(): Promise<{ database: Database; kind: string; cleanup: () => Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) {
    console.log('database: PGlite in memory (set TEST_DATABASE_URL for the PostgreSQL figure)');
    return { database: await openDatabase({ kind: 'pglite', onStatement }), kind: 'pglite', cleanup: async () => {} };
  }
  const name = `${new URL(url).pathname.slice(1)}_integration_bench`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: u.toString(), max: 12, onStatement });
  return {
    database,
    kind: 'postgres',
    cleanup: async () => {
      await database.close();
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await a.end();
    },
  };
}

const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

/** CPU seconds (user + system) of the PostgreSQL backends serving this database, when the server is local. */
async function serverCpu(database: Database): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (database.kind !== 'postgres') return out;
  const { rows } = await database.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  for (const { pid } of rows) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) / 100); // utime, stime in clock ticks (100 Hz)
    } catch {
      /* not on this machine, or gone */
    }
  }
  return out;
}

/** Runs a phase and measures it: wall time, statements sent, server CPU, the load average. */
async function measured<T>(database: Database, rows: number, fn: () => Promise<T>): Promise<{ value: T; seconds: number; statements: number; statementsPerRow: number; clientCpuSeconds: number; serverCpuSeconds: number | null; load: string }> {
  const cpu0 = await serverCpu(database);
  const s0 = statements;
  const t0 = Date.now();
  const c0 = process.cpuUsage();
  const value = await fn();
  const c1 = process.cpuUsage(c0);
  const seconds = secs(t0);
  const sent = statements - s0;
  const cpu1 = await serverCpu(database);
  let cpu = 0;
  for (const [pid, c] of cpu1) cpu += c - (cpu0.get(pid) ?? 0);
  return { value, seconds, statements: sent, statementsPerRow: +(sent / rows).toFixed(3), clientCpuSeconds: +((c1.user + c1.system) / 1e6).toFixed(2), serverCpuSeconds: database.kind === 'postgres' && cpu1.size ? +cpu.toFixed(2) : null, load: load() };
}
const describe = (m: { seconds: number; statementsPerRow: number; clientCpuSeconds: number; serverCpuSeconds: number | null; load: string }) =>
  `${m.seconds} s, ${m.statementsPerRow} statements/row, this process's CPU ${m.clientCpuSeconds} s${m.serverCpuSeconds === null ? '' : `, server CPU ${m.serverCpuSeconds} s`} (load ${m.load})`;
const ratio = (a: number, b: number) => +(a / b).toFixed(2);

const secs = (from: number) => +((Date.now() - from) / 1000).toFixed(2);
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main() {
  const { database, kind, cleanup } = await benchDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'integration-bench-'));
  results.database = kind;
  try {
    await runMigrations(database);
    await installJobSchema(database, createLogger('silent'));
    const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, SECRET_KEY: 'b'.repeat(64), LOG_LEVEL: 'silent' });
    const platform = await createPlatform(config, { database, log: createLogger('silent') });
    const { tenant } = await createAccountsService(platform).createTenant({ name: 'Bench School', kind: 'school', ownerEmail: 'ibench@example.test', ownerPassword: 'bench-password-123' });
    const tenantId = tenant.id;
    const principal: Principal = { kind: 'system', tenantId, id: null, label: 'bench', role: 'owner', scopes: [] };
    const setup = createSetupService(platform);
    const org = await setup.createOrganisation(principal, systemActor, { name: 'Bench Primary', type: 'maintained', retentionYears: 6 });
    const types = new Map((await setup.listProfileTypes(tenantId)).map((t) => [t.key, t.id]));
    await platform.db.insert(recordRatingSystems).values({ tenantId, key: 'trust_ready', name: 'Trust ready', defaultRequire: 'all', position: 3 });
    const integration = composeContexts(platform).integration;
    const actor = { ...systemActor, label: 'bench' };

    const [staff] = await platform.db.insert(groups).values({ tenantId, name: 'Staff', type: 'repeat', isStaffGroup: true }).returning();
    const [pushGroup] = await platform.db.insert(groups).values({ tenantId, name: 'Pushed', type: 'repeat' }).returning();
    const roles = ['Teacher', 'Teaching Assistant', 'Office Manager', 'Caretaker', 'Governor', 'Volunteer', 'Cook'];
    const profileRows = (tag: string) =>
      Array.from({ length: N }, (_, i) => ({ tenantId, organisationId: org.id, profileTypeId: types.get('teaching')!, firstName: `${tag}First${i}`, lastName: `Last${i}`, email: `p${i}@bench.test`, role: 'Teacher', startDate: '2020-09-01' }));

    // Baseline: a plain bulk INSERT of N profile rows (then removed).
    let t = Date.now();
    const baselineIds: string[] = [];
    const baseProfiles = profileRows('Base');
    const bulkProfiles = await measured(database, N, async () => {
      for (const chunk of chunks(baseProfiles, 1000)) baselineIds.push(...(await platform.db.insert(recordProfiles).values(chunk).returning({ id: recordProfiles.id })).map((r) => r.id));
    });
    results.bulkInsertProfiles = { ...bulkProfiles, value: undefined };
    for (const ids of chunks(baselineIds, 1000)) await platform.db.execute(`DELETE FROM record_profiles WHERE id IN (${ids.map((id) => `'${id}'`).join(',')})`);

    // N existing profiles; N members, half of them sharing an email with a profile (probable duplicates).
    for (const chunk of chunks(profileRows('Old'), 1000)) await platform.db.insert(recordProfiles).values(chunk);
    const memberRows = Array.from({ length: N }, (_, i) => ({
      tenantId,
      groupId: staff!.id,
      fullName: `Member${i} Last${i}`,
      role: roles[i % roles.length]!,
      email: i % 2 === 0 ? `p${i}@bench.test` : `m${i}@bench.test`,
      qrToken: `thr_qr_${randomBytes(12).toString('base64url')}`,
    }));
    const bulkMembers = await measured(database, N, async () => {
      for (const chunk of chunks(memberRows, 1000)) await platform.db.insert(members).values(chunk);
    });
    results.bulkInsertMembers = { ...bulkMembers, value: undefined };

    await integration.links.link(tenantId, staff!.id, { organisationId: org.id }, actor);
    await integration.links.link(tenantId, pushGroup!.id, { organisationId: org.id }, actor);
    const rule = (typeKey: string, role: string) => ({ profileTypeId: types.get(typeKey)!, condition: { op: 'and' as const, conditions: [{ field: 'member.group', operator: 'equals' as const, value: 'Staff' }, { field: 'member.role', operator: 'contains' as const, value: role }] } });
    await integration.typeMap.save(
      tenantId,
      [rule('support', 'assistant'), rule('support', 'office'), rule('contractor', 'caretaker'), rule('governor', 'governor'), rule('volunteer', 'volunteer'), rule('agency', 'cook')].filter((r, i, all) => all.findIndex((x) => x.profileTypeId === r.profileTypeId) === i),
      actor,
    );

    const imp = await measured(database, N, async () => integration.runs.execute((await integration.people.startImport(tenantId, {}, actor)).id));
    const imported = imp.value;
    results.import = { ...imp, value: undefined, created: imported.created, skipped: imported.skipped, queued: (await integration.merge.queue(tenantId)).length, ratioToBulkInsert: ratio(imp.seconds, bulkProfiles.seconds), cpuRatioToBulkInsert: imp.serverCpuSeconds && bulkProfiles.serverCpuSeconds ? ratio(imp.serverCpuSeconds, bulkProfiles.serverCpuSeconds) : null };
    console.log(`import ${N} members (rules, duplicate detection vs ${N} profiles): ${describe(imp)}`);
    console.log(`  plain bulk INSERT of the same ${N} profiles: ${describe(bulkProfiles)}; import / bulk INSERT = ${ratio(imp.seconds, bulkProfiles.seconds)}x wall${imp.serverCpuSeconds && bulkProfiles.serverCpuSeconds ? `, ${ratio(imp.serverCpuSeconds, bulkProfiles.serverCpuSeconds)}x server CPU` : ''} (goal <= 3x)`);

    const mrg = await measured(database, N / 2, async () => integration.runs.execute((await integration.merge.startMergeAll(tenantId, {}, actor)).id));
    // Merge-all works 500 pairs a batch, each batch one transaction (decision 042): a few statements a batch.
    const mergeBatches = Math.ceil(mrg.value.total / 500);
    results.mergeAll = { ...mrg, value: undefined, pairs: mrg.value.total, merged: mrg.value.updated, batches: mergeBatches, statementsPerBatch: +(mrg.statements / mergeBatches).toFixed(1) };
    console.log(`merge ${mrg.value.total} pairs: ${describe(mrg)}; ${mergeBatches} batches of 500, ${(mrg.statements / mergeBatches).toFixed(1)} statements a batch`);

    // Push N live profiles (merged-away ones are archived and not the organisation's any more).
    const toPush = (await platform.db.select({ id: recordProfiles.id }).from(recordProfiles).where(and(eq(recordProfiles.tenantId, tenantId), eq(recordProfiles.status, 'live'))).limit(N)).map((r) => r.id);
    const psh = await measured(database, toPush.length, async () => integration.runs.execute((await integration.people.startPush(tenantId, { groupId: pushGroup!.id, profileIds: toPush }, actor)).id));
    results.push = { ...psh, value: undefined, profiles: toPush.length, created: psh.value.created, updated: psh.value.updated, ratioToBulkInsert: ratio(psh.seconds, bulkMembers.seconds) };
    console.log(`push ${toPush.length} profiles: ${describe(psh)} (goal <= 3 s)`);
    console.log(`  plain bulk INSERT of ${N} members: ${describe(bulkMembers)}; push / bulk INSERT = ${ratio(psh.seconds, bulkMembers.seconds)}x wall`);

    // Two-way sync of every link after each pushed profile changed (profile -> member for each).
    await platform.db.execute(sql`UPDATE record_profiles SET role = role || ' (changed)', version = version + 1, updated_at = now() WHERE tenant_id = ${tenantId} AND id IN (SELECT profile_id FROM integration_person_links WHERE tenant_id = ${tenantId} AND group_id = ${pushGroup!.id})`);
    const links = (await platform.db.select({ id: integrationPersonLinks.id }).from(integrationPersonLinks).where(eq(integrationPersonLinks.tenantId, tenantId))).length;
    const syn = await measured(database, links, async () => integration.runs.execute((await integration.sync.startSync(tenantId, actor)).id));
    results.sync = { ...syn, value: undefined, links, updated: syn.value.updated, skipped: syn.value.skipped };
    console.log(`two-way sync of ${links} links (${syn.value.updated} changed): ${describe(syn)}`);

    // The per-person sync jobs (what a merge-all, a sweep or many edits queue): each staff member's
    // profile changed, then half of them synced one job at a time as before (`syncPerson`), half as
    // the worker now takes them, 200 a fetch (`syncPeople`, decision 042).
    await platform.db.execute(sql`UPDATE record_profiles SET phone = phone || '1', version = version + 1, updated_at = now() WHERE tenant_id = ${tenantId} AND id IN (SELECT profile_id FROM integration_person_links WHERE tenant_id = ${tenantId} AND group_id = ${staff!.id})`);
    const staffLinks = await platform.db.select({ id: integrationPersonLinks.id }).from(integrationPersonLinks).where(eq(integrationPersonLinks.groupId, staff!.id));
    const personJobs = staffLinks.map((l) => ({ id: randomUUID(), data: { tenantId, linkId: l.id } }));
    const half = Math.floor(personJobs.length / 2);
    const one = await measured(database, half, async () => {
      for (const j of personJobs.slice(0, half)) await integration.sync.syncPerson(j.data.tenantId, j.data.linkId);
    });
    const many = await measured(database, personJobs.length - half, async () => {
      for (const c of chunks(personJobs.slice(half), SYNC_PERSON_BATCH)) await integration.sync.syncPeople(c);
    });
    results.syncPersonJobs = { oneByOne: { ...one, value: undefined, jobs: half }, setWise: { ...many, value: undefined, jobs: personJobs.length - half, batch: SYNC_PERSON_BATCH } };
    console.log(`per-person sync jobs, ${half} one at a time: ${describe(one)}`);
    console.log(`per-person sync jobs, ${personJobs.length - half} in fetches of ${SYNC_PERSON_BATCH}: ${describe(many)}`);

    await integration.links.saveSettings(tenantId, { includeRecordInSafetyCheck: true }, actor);
    const linked = await platform.db.select().from(integrationPersonLinks).where(eq(integrationPersonLinks.groupId, staff!.id));
    const today = new Date().toISOString().slice(0, 10);
    const calls = Math.min(2000, linked.length * 2);
    const latencies: number[] = [];
    let next = 0;
    const kiosk = async () => {
      while (next < calls) {
        const l = linked[next++ % linked.length]!;
        const s = process.hrtime.bigint();
        await integration.recordReadiness(platform.db, tenantId, l.groupId, l.memberId, today);
        latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
    };
    t = Date.now();
    await Promise.all(Array.from({ length: 10 }, kiosk));
    results.safetyCheck = { calls, kiosks: 10, ratingSystems: 3, p50ms: +percentile(latencies, 50).toFixed(2), p99ms: +percentile(latencies, 99).toFixed(2), seconds: secs(t) };
    console.log(`record safety check, 10 kiosks, ${calls} sign-ins: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`);
    await platform.jobs.stop();
  } finally {
    await cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  }
  writeFileSync(path.join(root, 'bench/results/integration.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, ...results }, null, 2) + '\n');
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

await main();
