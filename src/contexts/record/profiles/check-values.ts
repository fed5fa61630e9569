import type { Actor } from '../../../platform/audit/audit.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import type { CheckRow, CheckValueRow, ProfileRow } from '../record.repo.js';
import type { PreparedModel } from '../engine.js';
import { profilesRepo } from './profiles.repo.js';
import { assertAllowed, displayValue } from './validation.js';
import type { CheckValueInput } from './profiles.schemas.js';

/**
 * Applies check values (upsert / clear) after validation, and refuses a check that the law
 * does not allow for this person (e.g. the barred list outside regulated activity).
 */
export async function applyValues(
  t: DbOrTx,
  m: PreparedModel,
  tenantId: string,
  profile: ProfileRow,
  current: Map<string, CheckValueRow>,
  changes: Array<{ check: CheckRow; input: CheckValueInput }>,
  actor: Actor,
  at: Date,
  day: string,
): Promise<Array<{ field: string; before: string | null; after: string | null }>> {
  assertAllowed(m, profile, current, changes, day);
  const diffs: Array<{ field: string; before: string | null; after: string | null }> = [];
  const clear: string[] = [];
  for (const { check, input } of changes) {
    const before = displayValue(check, current.get(check.id));
    if (input === null || input.value === null) {
      if (current.has(check.id)) clear.push(check.id);
      if (before !== null) diffs.push({ field: check.name, before, after: null });
      continue;
    }
    const prev = current.get(check.id);
    const row = {
      tenantId,
      profileId: profile.id,
      checkId: check.id,
      value: input.value,
      reference: input.reference === undefined ? (prev?.reference ?? null) : input.reference,
      checkedOn: input.checkedOn === undefined ? (prev?.checkedOn ?? (check.type === 'date' ? null : day)) : input.checkedOn,
      evidence: input.evidence ?? prev?.evidence ?? '',
      recordedBy: actor.kind === 'user' ? actor.id : null,
      recordedByLabel: actor.label,
      recordedAt: at,
    };
    const after = displayValue(check, row);
    const evidenceChanged = input.evidence !== undefined && input.evidence !== (prev?.evidence ?? '');
    if (after === before && !evidenceChanged) continue;
    await profilesRepo.upsertValue(t, row);
    if (after !== before) diffs.push({ field: check.name, before, after });
    if (evidenceChanged) diffs.push({ field: `${check.name} — evidence seen`, before: prev?.evidence || null, after: input.evidence || null });
  }
  await profilesRepo.deleteValues(t, tenantId, profile.id, clear);
  return diffs;
}
