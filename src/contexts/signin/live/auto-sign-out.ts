import { and, eq, gte, isNull, sql } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { AppError } from '../../../platform/errors.js';
import { zonedClock } from '../../../platform/zoned-clock.js';
import { groups, sites, visits } from '../signin.tables.js';
import { readOptions, type SignInOptionsStored } from '../groups/groups.schemas.js';

export const AUTO_SIGN_OUT_JOB = 'signin.auto-sign-out';
/** Every five minutes: a visit is signed out at most five minutes after it is due. */
export const AUTO_SIGN_OUT_CRON = '*/5 * * * *';

export type AutoSignOutRule = SignInOptionsStored['autoSignOut'];

/**
 * When a visit that began at `signedInAt` is due to be signed out: N hours later, or the first
 * time the clock on the site's wall shows HH:MM after it. Null for `never`.
 */
export function dueAt(signedInAt: Date, rule: AutoSignOutRule, timezone: string): Date | null {
  if (rule.mode === 'never') return null;
  if (rule.mode === 'after_hours') return new Date(signedInAt.getTime() + rule.hours * 3600_000);
  const [hh, mm] = rule.time.split(':').map(Number) as [number, number];
  const clock = zonedClock(timezone);
  const local = clock.wallTime(signedInAt);
  for (let day = 0; day < 3; day++) {
    const noon = new Date(Date.UTC(local.year, local.month - 1, local.day + day, 12));
    const candidate = clock.instantAt(noon.getUTCFullYear(), noon.getUTCMonth() + 1, noon.getUTCDate(), hh, mm);
    if (candidate > signedInAt) return candidate;
  }
  return null;
}

export type CloseVisit = (tx: DbOrTx, visit: { tenantId: string; id: string }, by: 'auto') => Promise<unknown>;

/**
 * Every tenant's open visits in groups with an automatic sign-out. `tenant_id >= the least uuid`
 * (always true) lets the open-visits index (`visits_tenant_site_open_idx`, whose predicate has
 * `tenant_id IS NOT NULL`, decision 038) serve this read across tenants: a strict comparison on the
 * column proves it; `tenant_id IS NOT NULL` itself would not (PostgreSQL 17 and later drop it from a
 * query on a NOT NULL column).
 */
export function autoSignOutCandidates(db: DbOrTx) {
  return db
    .select({ id: visits.id, tenantId: visits.tenantId, signedInAt: visits.signedInAt, options: groups.options, timezone: sites.timezone })
    .from(visits)
    .innerJoin(groups, eq(groups.id, visits.groupId))
    .innerJoin(sites, eq(sites.id, visits.siteId))
    .where(and(gte(visits.tenantId, LEAST_UUID), isNull(visits.signedOutAt), eq(visits.outcome, 'signed_in'), sql`${groups.options} -> 'autoSignOut' ->> 'mode' IN ('at_time', 'after_hours')`));
}
const LEAST_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Signs out open visits whose group's automatic sign-out is due, through the visits service
 * (so `visit.signed_out` events fire, with signedOutBy 'auto', to webhooks and roll calls).
 */
export function createAutoSignOut(deps: Pick<Platform, 'db' | 'now' | 'log'>, closeVisit: CloseVisit) {
  const { db } = deps;
  return {
    async run(): Promise<number> {
      const at = deps.now();
      const rows = await autoSignOutCandidates(db);
      let count = 0;
      for (const r of rows) {
        const due = dueAt(r.signedInAt, readOptions(r.options).autoSignOut, r.timezone);
        if (!due || due > at) continue;
        try {
          await closeVisit(db, { tenantId: r.tenantId, id: r.id }, 'auto');
          count++;
        } catch (err) {
          // Signed out meanwhile (kiosk or portal): nothing to do.
          if (!(err instanceof AppError && err.code === 'not_signed_in')) throw err;
        }
      }
      if (count > 0) deps.log.info({ count }, 'visits signed out automatically');
      return count;
    },
  };
}
