import type { DbOrTx } from '../../platform/db/database.js';
import { loadModel, loadProfilesWithValues, profilesWithValuesStamped, rulesStamp, type ProfileRow, type ProfilesWithValuesStamped, type ValueLite } from './record.repo.js';
import { dayAt, evaluateRow, prepare, type PreparedModel } from './engine.js';
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
 * A tenant's rule data, ready for the engine. One that is `stamped` (the rules cache) takes the
 * tenant's `rulesStamp` when the caller read it already (with the profiles, in one statement).
 */
export type ModelOf = ((tx: DbOrTx, tenantId: string, stamp?: string) => Promise<PreparedModel>) & { stamped?: boolean };
const loadPrepared: ModelOf = async (tx, tenantId) => prepare(await loadModel(tx, tenantId));

/**
 * The tenant's rule data kept between calls (a sign-in asks for one profile at a time, and the
 * rules rarely change), checked against `rulesStamp` on every call: one cheap query instead of
 * five and the engine's preparation, and never a stale answer after an edit made by any process.
 * At most `max` tenants are kept, the least recently used out first.
 */
export function createRulesCache(opts: { max?: number; load?: ModelOf } = {}): ModelOf {
  const max = opts.max ?? 1000;
  const load = opts.load ?? loadPrepared;
  const entries = new Map<string, { stamp: string; model: PreparedModel }>();
  const modelOf: ModelOf = async (tx, tenantId, known) => {
    // The stamp is read first (or was, by the caller): a model loaded after it is at least as new
    // as what it stamps.
    const stamp = known ?? (await rulesStamp(tx, tenantId));
    const hit = entries.get(tenantId);
    entries.delete(tenantId);
    const entry = hit && hit.stamp === stamp ? hit : { stamp, model: await load(tx, tenantId) };
    if (entries.size >= max) entries.delete(entries.keys().next().value!);
    entries.set(tenantId, entry);
    return entry.model;
  };
  modelOf.stamped = true;
  return modelOf;
}

/**
 * Readiness of many profiles at once (one model load, one values query). `asOf` is a date
 * (YYYY-MM-DD) or an instant: then each profile is evaluated on today in its organisation's time
 * zone — the record's one definition of "today". Profiles of another tenant are simply absent.
 */
export async function readinessOf(
  tx: DbOrTx,
  tenantId: string,
  profileIds: readonly string[],
  asOf: string | Date,
  modelOf: ModelOf = loadPrepared,
  /** How a `stamped` model's caller reads the profiles with the stamp (the port's is prepared). */
  readStamped: ProfilesWithValuesStamped = profilesWithValuesStamped,
): Promise<Map<string, Readiness>> {
  const out = new Map<string, Readiness>();
  if (profileIds.length === 0) return out;
  let m: PreparedModel;
  let rows: Array<{ profile: ProfileRow; values: ReadonlyMap<string, ValueLite> }>;
  if (modelOf.stamped) {
    // The profiles, their values and the rules' stamp in one statement; the rules from the cache.
    const read = await readStamped(tx, tenantId, profileIds);
    if (read.stamp === undefined) return out;
    m = await modelOf(tx, tenantId, read.stamp);
    rows = read.rows;
  } else {
    m = await modelOf(tx, tenantId);
    rows = await loadProfilesWithValues(tx, tenantId, { ids: [...profileIds] });
  }
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
