import type { Platform } from '../../../platform/platform.js';
import { notFound } from '../../../platform/errors.js';
import type { Principal } from '../../../platform/http/principal.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { assertLevel, levelAt, orgAccessOf, visibleOrgs } from '../access.js';
import { loadModel, loadProfilesWithValues, toRuleProfile, type ProfileRow } from '../record.repo.js';
import { evaluate } from '../rules/conditions.js';
import { inPostOn, profileAccessor } from '../rules/rating.js';
import { dayAt, evaluateRow, prepare, ruleValues, type PreparedModel } from '../engine.js';
import { parseConditionParam, reachedCatalogOf } from '../setup/fields.js';
import { profilesRepo } from './profiles.repo.js';
import { assertAsOf } from './validation.js';

/** Reading profiles: one with its values, documents and evaluation on a day, the filtered list, the history. */
export function createProfileReads(deps: Pick<Platform, 'db' | 'now'>) {
  const { db, now } = deps;
  /** Today in the organisation's time zone (the one definition of "today" of the record). */
  const todayOf = (m: PreparedModel, organisationId: string) => dayAt(m, organisationId, now());

  async function present(t: DbOrTx, m: PreparedModel, p: ProfileRow, asOf?: string) {
    const values = await profilesRepo.values(t, p.tenantId, p.id);
    const documents = await profilesRepo.documents(t, p.tenantId, p.id);
    const withDocs = new Set(documents.filter((d) => !d.deletedAt && d.checkId).map((d) => d.checkId!));
    const day = asOf ?? todayOf(m, p.organisationId);
    const ev = evaluateRow(m, p, values, day, withDocs);
    return { profile: p, model: m, values, documents, evaluation: ev, asOf: day };
  }

  async function get(principal: Principal, id: string, asOf?: string) {
    assertAsOf(asOf);
    const access = orgAccessOf(principal);
    const p = await profilesRepo.find(db, principal.tenantId, id);
    if (!p) throw notFound('Profile');
    assertLevel(access, p.organisationId, 'view');
    const m = prepare(await loadModel(db, principal.tenantId));
    return present(db, m, p, asOf);
  }

  async function list(principal: Principal, q: { organisationId?: string; profileTypeId?: string; status: 'live' | 'archived'; asOf?: string; q?: string; condition?: string; ratingSystem?: string; ready?: 'true' | 'false'; limit: number; offset: number }) {
    assertAsOf(q.asOf);
    const access = orgAccessOf(principal);
    const m = prepare(await loadModel(db, principal.tenantId));
    const condition = parseConditionParam(q.condition, reachedCatalogOf(m, principal));
    let orgs = visibleOrgs(access);
    if (q.organisationId) {
      if (!m.organisations.has(q.organisationId) || levelAt(access, q.organisationId) === null) throw notFound('Organisation');
      orgs = [q.organisationId];
    }
    const rows = await loadProfilesWithValues(db, principal.tenantId, { organisationIds: orgs, status: q.status, profileTypeIds: q.profileTypeId ? [q.profileTypeId] : null });
    const needle = q.q?.toLowerCase();
    const out = [];
    for (const r of rows) {
      if (q.asOf && !inPostOn({ start_date: r.profile.startDate, leaving_date: r.profile.leavingDate }, q.asOf)) continue;
      const day = q.asOf ?? todayOf(m, r.profile.organisationId);
      if (needle && !`${r.profile.firstName} ${r.profile.lastName} ${r.profile.role} ${r.profile.email}`.toLowerCase().includes(needle)) continue;
      if (condition) {
        const rp = toRuleProfile(m, r.profile, ruleValues(r.values));
        if (!evaluate(condition, profileAccessor(rp, m.set), day)) continue;
      }
      const ev = evaluateRow(m, r.profile, r.values, day);
      if (q.ratingSystem && q.ready) {
        const rating = ev.ratings.find((x) => x.key === q.ratingSystem || x.systemId === q.ratingSystem);
        if (!rating || String(rating.ready) !== q.ready) continue;
      } else if (q.ready && String(ev.ready) !== q.ready) continue;
      out.push({ profile: r.profile, evaluation: ev, asOf: day });
    }
    return { total: out.length, items: out.slice(q.offset, q.offset + q.limit), model: m };
  }

  async function history(principal: Principal, id: string) {
    const { profile } = await get(principal, id);
    return profilesRepo.history(db, principal.tenantId, profile.id);
  }

  return { present, get, list, history };
}

export type ProfileReads = ReturnType<typeof createProfileReads>;
