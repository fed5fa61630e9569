import type { Platform } from '../platform.js';
import type { Database } from './database.js';

/**
 * PGlite runs no autovacuum, so without this its planner never learns how big a table is and
 * keeps choosing plans made for empty tables (sequential scans, wrong join orders). The server
 * runs ANALYZE once at boot and this job hourly; PostgreSQL's autovacuum does it there.
 */
export const ANALYZE_JOB = 'platform.analyze';

export async function analyzeDatabase(database: Pick<Database, 'exec'>): Promise<void> {
  await database.exec('ANALYZE');
}

export async function registerAnalyzeJobs(platform: Pick<Platform, 'database' | 'jobs'>): Promise<void> {
  if (platform.database.kind !== 'pglite') return;
  await platform.jobs.work(ANALYZE_JOB, async () => {
    await analyzeDatabase(platform.database);
  });
  await platform.jobs.schedule(ANALYZE_JOB, '41 * * * *');
}
