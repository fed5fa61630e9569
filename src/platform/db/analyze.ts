import type { Platform } from '../platform.js';
import type { Database } from './database.js';

/**
 * PGlite runs no autovacuum, so without this its planner never learns how big a table is or what
 * its columns hold, and keeps plans made for empty tables (sequential scans, wrong join orders):
 * on a new install the kiosk's search, planned while `visits` was empty, read every visit for each
 * member shown (decision 038). The server runs ANALYZE once at boot and `ANALYZE_JOB` hourly; every
 * minute `ANALYZE_GROWN_JOB` analyzes the tables that have at least doubled since their last
 * statistics (as autovacuum's analyze threshold does on PostgreSQL, where this is left to it).
 */
export const ANALYZE_JOB = 'platform.analyze';
export const ANALYZE_GROWN_JOB = 'platform.analyze_grown';

/** A table is analyzed again once it has this many pages (8 KiB) more than its statistics saw, and at least twice as many. */
export const GROWN_MIN_PAGES = 4;

export async function analyzeDatabase(database: Pick<Database, 'exec'>): Promise<void> {
  await database.exec('ANALYZE');
}

/**
 * Analyzes each table of the application's schema whose size on disk is at least twice, and at
 * least `GROWN_MIN_PAGES` pages more than, the size its last statistics recorded (`relpages`: 0
 * for a table never analyzed or analyzed empty); returns their names. One catalog read when
 * nothing has grown. Each name is the table's `regclass` text (quoted, and schema-qualified when
 * the search path would not find it), so a temporary table of the same name is never analyzed instead.
 */
export async function analyzeGrown(database: Pick<Database, 'exec' | 'query'>): Promise<string[]> {
  const { rows } = await database.query<{ name: string }>(
    `SELECT c.oid::regclass::text AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'r'
        AND pg_relation_size(c.oid) / current_setting('block_size')::int >= greatest(2 * greatest(c.relpages, 0), greatest(c.relpages, 0) + $1)
      ORDER BY c.relname`,
    [GROWN_MIN_PAGES],
  );
  for (const { name } of rows) await database.exec(`ANALYZE ${name}`);
  return rows.map((r) => r.name);
}

export async function registerAnalyzeJobs(platform: Pick<Platform, 'database' | 'jobs'>): Promise<void> {
  if (platform.database.kind !== 'pglite') return;
  await platform.jobs.work(ANALYZE_JOB, async () => {
    await analyzeDatabase(platform.database);
  });
  await platform.jobs.schedule(ANALYZE_JOB, '41 * * * *');
  await platform.jobs.work(ANALYZE_GROWN_JOB, async () => {
    await analyzeGrown(platform.database);
  });
  await platform.jobs.schedule(ANALYZE_GROWN_JOB, '* * * * *');
}
