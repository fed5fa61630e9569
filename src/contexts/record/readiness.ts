import type { DbOrTx } from '../../platform/db/database.js';
import { loadModel, loadProfilesWithValues } from './record.repo.js';
import { dayAt, evaluateRow, prepare } from './engine.js';
import { inPostOn, nextChangeOn } from './rules/rating.js';
import { defaultFacts } from './kcsie/rule-sets.js';

/** A profile's readiness on a date, as other contexts see it (the record port's answer). */
export type Readiness = {
  profileId: string;
  status: 'live' | 'archived';
  /** The date evaluated. */
  asOf: string;
  /** Started by then (or no start date) and not left before it. */
  inPost: boolean;
  /** Every mandatory rating system ready (every enabled one when none is mandatory). */
  ready: boolean;
  /** Per enabled rating system: ready, and the missing / invalid / expired checks in words. */
  systems: Array<{ systemId: string; key: string; name: string; mandatory: boolean; ready: boolean; missing: string[] }>;
  /** What is missing over every enabled rating system, in words, once each. */
  missing: string[];
  /** Facts about the post not answered yet (counted as the answer that asks for more checks). */
  factsToConfirm: Array<{ key: string; name: string }>;
  /** The next date the outcome may change by the calendar alone (an expiry, a start, the day after leaving). */
  nextChangeOn: string | null;
};

/**
 * Readiness of many profiles at once (one model load, one values query). `asOf` is a date
 * (YYYY-MM-DD) or an instant: then each profile is evaluated on today in its organisation's time
 * zone — the record's one definition of "today". Profiles of another tenant are simply absent.
 */
export async function readinessOf(tx: DbOrTx, tenantId: string, profileIds: readonly string[], asOf: string | Date): Promise<Map<string, Readiness>> {
  const out = new Map<string, Readiness>();
  if (profileIds.length === 0) return out;
  const m = prepare(await loadModel(tx, tenantId));
  const rows = await loadProfilesWithValues(tx, tenantId, { ids: [...profileIds] });
  for (const { profile: p, values } of rows) {
    const day = typeof asOf === 'string' ? asOf : dayAt(m, p.organisationId, asOf);
    const ev = evaluateRow(m, p, values, day);
    const fields = { start_date: p.startDate, leaving_date: p.leavingDate };
    out.set(p.id, {
      profileId: p.id,
      status: p.status,
      asOf: day,
      inPost: inPostOn(fields, day),
      ready: ev.ready,
      systems: ev.ratings.map((r) => ({ systemId: r.systemId, key: r.key, name: r.name, mandatory: r.mandatory, ready: r.ready, missing: r.problems.map((x) => x.message) })),
      missing: [...new Set(ev.ratings.flatMap((r) => r.problems.map((x) => x.message)))],
      factsToConfirm: ev.factsToConfirm.map((f) => ({ key: f.key, name: f.name })),
      nextChangeOn: nextChangeOn(ev, fields, day),
    });
  }
  return out;
}

/** The facts a new profile starts with (its profile type's defaults in its kind of organisation), per item. */
export async function defaultFactsOf(tx: DbOrTx, tenantId: string, items: ReadonlyArray<{ organisationId: string; profileTypeId: string }>): Promise<Array<Record<string, boolean>>> {
  if (items.length === 0) return [];
  const m = await loadModel(tx, tenantId);
  return items.map((x) => defaultFacts(m.facts, m.profileTypes.get(x.profileTypeId)?.key ?? '', m.organisations.get(x.organisationId)?.type ?? 'other'));
}

/** What other contexts may ask of the record. */
export type RecordPort = { readinessOf: typeof readinessOf; defaultFactsOf: typeof defaultFactsOf };
export const recordPort: RecordPort = { readinessOf, defaultFactsOf };
