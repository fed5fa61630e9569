// Integration figures (issue 6, Performance), on PostgreSQL when TEST_DATABASE_URL or
// DATABASE_URL is set (PGlite otherwise, said so): import N members with 6 mapping rules and
// duplicate detection against N existing profiles; merge N/2 suggested pairs; push N profiles;
// each beside a plain bulk INSERT of the same rows in the same run. Then the record's safety check
// (3 rating systems) for linked members with 10 concurrent kiosks: p50/p99. BENCH_N sets N
// (default 10,000). Prints figures and writes bench/results/integration.json; never fails on time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
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
import { eq } from 'drizzle-orm';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_N ?? 10_000);
const results: Record<string, unknown> = { n: N };

async function benchDatabase(): Promise<{ database: Database; kind: string; cleanup: () => Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) {
    console.log('database: PGlite in memory (set TEST_DATABASE_URL for the PostgreSQL figure)');
    return { database: await openDatabase({ kind: 'pglite' }), kind: 'pglite', cleanup: async () => {} };
  }
  const name = `${new URL(url).pathname.slice(1)}_integration_bench`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: u.toString(), max: 12 });
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
    for (const chunk of chunks(profileRows('Base'), 1000)) baselineIds.push(...(await platform.db.insert(recordProfiles).values(chunk).returning({ id: recordProfiles.id })).map((r) => r.id));
    results.bulkInsertProfiles = secs(t);
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
    t = Date.now();
    for (const chunk of chunks(memberRows, 1000)) await platform.db.insert(members).values(chunk);
    results.bulkInsertMembers = secs(t);

    await integration.links.link(tenantId, staff!.id, { organisationId: org.id }, actor);
    await integration.links.link(tenantId, pushGroup!.id, { organisationId: org.id }, actor);
    const rule = (typeKey: string, role: string) => ({ profileTypeId: types.get(typeKey)!, condition: { op: 'and' as const, conditions: [{ field: 'member.group', operator: 'equals' as const, value: 'Staff' }, { field: 'member.role', operator: 'contains' as const, value: role }] } });
    await integration.typeMap.save(
      tenantId,
      [rule('support', 'assistant'), rule('support', 'office'), rule('contractor', 'caretaker'), rule('governor', 'governor'), rule('volunteer', 'volunteer'), rule('agency', 'cook')].filter((r, i, all) => all.findIndex((x) => x.profileTypeId === r.profileTypeId) === i),
      actor,
    );

    t = Date.now();
    const imported = await integration.runs.execute((await integration.people.startImport(tenantId, {}, actor)).id);
    results.import = { seconds: secs(t), created: imported.created, skipped: imported.skipped, queued: (await integration.merge.queue(tenantId)).length };
    console.log(`import ${N} members (rules, duplicate detection vs ${N} profiles): ${secs(t)} s; bulk INSERT of ${N} profiles: ${results.bulkInsertProfiles} s`);

    t = Date.now();
    const merged = await integration.runs.execute((await integration.merge.startMergeAll(tenantId, {}, actor)).id);
    results.mergeAll = { seconds: secs(t), pairs: merged.total, merged: merged.updated };
    console.log(`merge ${merged.total} pairs: ${secs(t)} s`);

    const toPush = (await platform.db.select({ id: recordProfiles.id }).from(recordProfiles).where(eq(recordProfiles.tenantId, tenantId)).limit(N)).map((r) => r.id);
    t = Date.now();
    const pushed = await integration.runs.execute((await integration.people.startPush(tenantId, { groupId: pushGroup!.id, profileIds: toPush }, actor)).id);
    results.push = { seconds: secs(t), created: pushed.created, updated: pushed.updated };
    console.log(`push ${toPush.length} profiles: ${secs(t)} s; bulk INSERT of ${N} members: ${results.bulkInsertMembers} s`);

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
