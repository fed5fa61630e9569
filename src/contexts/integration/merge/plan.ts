import type { DbOrTx } from '../../../platform/db/database.js';
import type { MergeChanges, ProfileSnapshot } from '../integration.tables.js';
import { integrationRepo } from '../integration.repo.js';
import { PROFILE_FIELDS } from '../integration.schemas.js';
import { stringify } from './merge.values.js';
import type { CheckValueView as CheckValueRow, ProfileView as ProfileRow } from '../../record/index.js';
import { snapshotOfValue, type CheckValueSnapshot, type ProfilePatch, type RecordPort } from '../../record/index.js';
import { resolveChoices, type Choices, type Side } from './choices.js';

/** What a merge reads of one profile: its check values, external ids, member links and evidence documents. */
export type RelatedRows = {
  values: CheckValueRow[];
  ext: Array<{ profileId: string; system: string; externalId: string }>;
  links: Array<{ profileId: string; memberId: string; groupId: string; source: string }>;
  docs: Array<{ id: string; profileId: string; checkId: string | null }>;
};

/** What a merge read of a set of profiles, by profile (grouped once, so planning a batch is linear in its rows). */
export type Related = { of(profileId: string): RelatedRows };

/** Groups a set of profiles' rows by profile. */
export function groupRelated(rows: RelatedRows): Related {
  const by = new Map<string, RelatedRows>();
  const bucket = (id: string) => {
    let b = by.get(id);
    if (!b) by.set(id, (b = { values: [], ext: [], links: [], docs: [] }));
    return b;
  };
  for (const v of rows.values) bucket(v.profileId).values.push(v);
  for (const x of rows.ext) bucket(x.profileId).ext.push(x);
  for (const l of rows.links) bucket(l.profileId).links.push(l);
  for (const d of rows.docs) bucket(d.profileId).docs.push(d);
  const none: RelatedRows = { values: [], ext: [], links: [], docs: [] };
  return { of: (id) => by.get(id) ?? none };
}

export async function relatedOf(record: RecordPort, tx: DbOrTx, tenantId: string, ids: string[]): Promise<Related> {
  return groupRelated({
    values: await record.checkValuesOf(tx, tenantId, ids),
    ext: await integrationRepo.externalIdsOf(tx, tenantId, ids),
    links: await integrationRepo.linksOfProfiles(tx, tenantId, ids),
    docs: await record.documentsOf(tx, tenantId, ids),
  });
}

function serialiseProfile(p: ProfileRow): Record<string, unknown> {
  return { ...p, createdAt: p.createdAt.toISOString(), updatedAt: p.updatedAt.toISOString(), archivedAt: p.archivedAt?.toISOString() ?? null };
}
export const serialiseValue = (v: CheckValueRow): CheckValueSnapshot => snapshotOfValue(v);

function snapshotOf(p: ProfileRow, r: Related): ProfileSnapshot {
  const mine = r.of(p.id);
  return {
    profile: serialiseProfile(p),
    checkValues: mine.values.map(serialiseValue),
    externalIds: mine.ext.map((x) => ({ system: x.system, externalId: x.externalId })),
    links: mine.links.map((l) => ({ memberId: l.memberId, groupId: l.groupId, source: l.source })),
  };
}

/**
 * What merging `merged` into `kept` changes, computed from what is loaded (no writes): the
 * fields the kept profile takes, check values moved (the merged profile's go over where the kept
 * one has none, or where its value is more recent; the kept one's older value then goes to the
 * archived profile: nothing is lost), links, external ids and evidence documents that follow.
 */
export function plan(kept: ProfileRow, merged: ProfileRow, r: Related, choices: Choices) {
  const before = { kept: snapshotOf(kept, r), merged: snapshotOf(merged, r) };
  const resolved = resolveChoices(kept, merged, choices);
  const patch: Partial<ProfileRow> = {};
  for (const f of PROFILE_FIELDS) if (resolved[f] === 'merged') (patch as Record<string, unknown>)[f] = merged[f];
  const keptValues = new Map(r.of(kept.id).values.map((v) => [v.checkId, v]));
  const moved: CheckValueRow[] = [];
  const parked: CheckValueRow[] = [];
  for (const v of r.of(merged.id).values) {
    const mine = keptValues.get(v.checkId);
    if (!mine) moved.push(v);
    else if (v.recordedAt.getTime() > mine.recordedAt.getTime()) {
      moved.push(v);
      parked.push(mine);
    }
  }
  const keptGroups = new Set(before.kept.links.map((l) => l.groupId));
  const movedLinks = before.merged.links.filter((l) => !keptGroups.has(l.groupId)).map((l) => l.memberId);
  const keptExt = new Set(before.kept.externalIds.map((x) => `${x.system}|${x.externalId}`));
  const movedExt = before.merged.externalIds.filter((x) => !keptExt.has(`${x.system}|${x.externalId}`));
  // Evidence follows its check value; documents evidencing no particular check follow the person.
  const movedChecks = new Set(moved.map((v) => v.checkId));
  const movedDocs = r.of(merged.id).docs.filter((d) => d.checkId === null || movedChecks.has(d.checkId)).map((d) => d.id);
  return { before, resolved, patch, moved, parked, movedLinks, movedExt, movedDocs };
}
export type Plan = ReturnType<typeof plan>;

export function changesOf(p: Plan, updated: ProfileRow): MergeChanges {
  return {
    fields: Object.fromEntries(Object.keys(p.patch).map((f) => [f, stringify((updated as Record<string, unknown>)[f])])),
    movedCheckValueIds: p.moved.map((v) => v.id),
    replacedCheckValueIds: p.parked.map((v) => v.id),
    movedLinkMemberIds: p.movedLinks,
    movedExternalIds: p.movedExt,
    movedDocumentIds: p.movedDocs,
  };
}

/** The kept profile's history line of a merge. */
export const mergedWith = (merged: ProfileRow) => ({ field: 'merge', before: null, after: `Merged with ${merged.firstName} ${merged.lastName} (${merged.id})` });
/** The merged profile's change, the same in a single merge and in a batch: archived, and why. */
export const archiveIntoPatch = (kept: ProfileRow, at: Date): ProfilePatch => ({
  set: { status: 'archived', archivedAt: at },
  notes: [{ field: 'merge', before: null, after: `Merged into ${kept.firstName} ${kept.lastName} (${kept.id})` }],
  at,
});

export const mergedAudit = (merged: ProfileRow, kept: ProfileRow, mergeId: string, resolved: Record<string, Side>) => ({
  action: 'integration.profiles_merged',
  targetType: 'profile',
  targetId: kept.id,
  summary: `${merged.firstName} ${merged.lastName} merged into ${kept.firstName} ${kept.lastName}`,
  data: { mergeId, mergedProfileId: merged.id, choices: resolved },
});
