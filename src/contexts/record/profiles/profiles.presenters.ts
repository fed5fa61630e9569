import type { PreparedModel } from '../engine.js';
import type { CheckValueRow, DocumentRow, ProfileRow } from '../record.repo.js';
import { factsOf, nextChangeOn, type ProfileEvaluation } from '../rules/rating.js';
import { toRuleProfile } from '../record.repo.js';
import { ruleValues } from '../engine.js';

export function presentRatings(m: PreparedModel, ev: ProfileEvaluation) {
  return ev.ratings.map((r) => {
    const sys = m.systems.find((s) => s.id === r.systemId);
    return {
      systemId: r.systemId,
      key: r.key,
      name: r.name,
      mandatory: r.mandatory,
      ready: r.ready,
      colour: (r.ready ? sys?.readyColour : sys?.notReadyColour) ?? '#868e96',
      problems: r.problems.map((p) => ({ checkKey: p.checkKey, state: p.state, message: p.message })),
    };
  });
}

export function presentSummary(m: PreparedModel, p: ProfileRow, ev: ProfileEvaluation, asOf: string) {
  return {
    id: p.id,
    firstName: p.firstName,
    lastName: p.lastName,
    role: p.role,
    organisationId: p.organisationId,
    organisationName: m.organisations.get(p.organisationId)?.name ?? '',
    profileTypeId: p.profileTypeId,
    profileType: m.profileTypes.get(p.profileTypeId)?.name ?? '',
    startDate: p.startDate,
    status: p.status,
    version: p.version,
    ready: ev.ready,
    ratings: presentRatings(m, ev),
    asOf,
    factsToConfirm: ev.factsToConfirm.map((f) => ({ key: f.key, name: f.name })),
  };
}

export const presentDocument = (d: DocumentRow, m: PreparedModel) => ({
  id: d.id,
  checkKey: d.checkId ? (m.checks.find((c) => c.id === d.checkId)?.key ?? null) : null,
  fileName: d.fileName,
  contentType: d.contentType,
  size: d.size,
  uploadedAt: d.uploadedAt.toISOString(),
  deleteAfter: d.deleteAfter?.toISOString() ?? null,
  deletedAt: d.deletedAt?.toISOString() ?? null,
  deletedReason: d.deletedReason,
});

export function presentProfile(x: { profile: ProfileRow; model: PreparedModel; values: Map<string, CheckValueRow>; documents: DocumentRow[]; evaluation: ProfileEvaluation; asOf: string }) {
  const { profile: p, model: m, values, evaluation: ev } = x;
  const help = new Map(m.facts.map((f) => [f.key, f.help]));
  const facts = factsOf(toRuleProfile(m, p, ruleValues(values)), m.set, x.asOf).map((f) => ({
    key: f.key,
    name: f.name,
    help: help.get(f.key) ?? '',
    value: typeof p.facts[f.key] === 'boolean' ? p.facts[f.key]! : null,
    safeAnswer: f.safeAnswer,
  }));
  const results = new Map(ev.applicable.map((r) => [r.check.id, r]));
  const checks = m.checks
    .filter((c) => (c.organisationId === null || c.organisationId === p.organisationId) && (results.has(c.id) || values.has(c.id)))
    .map((c) => {
      const r = results.get(c.id);
      const v = values.get(c.id);
      return {
        id: c.id,
        key: c.key,
        name: c.name,
        section: c.section,
        type: c.type,
        requirement: c.requirement,
        options: c.options,
        referenceLabel: c.referenceLabel,
        applies: Boolean(r),
        state: r?.state ?? null,
        message: r?.message ?? null,
        expiresOn: r?.expiresOn ?? null,
        value: v?.value ?? null,
        reference: v?.reference ?? null,
        checkedOn: v?.checkedOn ?? null,
        evidence: v?.evidence ?? '',
        recordedBy: v?.recordedByLabel ?? null,
        recordedAt: v?.recordedAt.toISOString() ?? null,
      };
    });
  return {
    ...presentSummary(m, p, ev, x.asOf),
    profileTypeKey: m.profileTypes.get(p.profileTypeId)?.key ?? '',
    dateOfBirth: p.dateOfBirth,
    email: p.email,
    phone: p.phone,
    leavingDate: p.leavingDate,
    archivedAt: p.archivedAt?.toISOString() ?? null,
    updatedAt: p.updatedAt.toISOString(),
    facts,
    checks,
    documents: x.documents.map((d) => presentDocument(d, m)),
    nextChangeOn: nextChangeOn(ev, { start_date: p.startDate, leaving_date: p.leavingDate }, x.asOf),
  };
}
