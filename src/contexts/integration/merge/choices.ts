import { PROFILE_FIELDS, type ProfileField } from '../integration.schemas.js';
import type { ProfileView as ProfileRow } from '../../record/index.js';

/**
 * The merge's rules, pure: which profile of a pair is kept, and which side's value each field
 * keeps ("preserve these values"), for a single merge and for merge-all.
 */
export type Side = 'kept' | 'merged';
export type Choices = Partial<Record<ProfileField, Side>>;

const empty = (v: unknown) => v === null || v === undefined || v === '';

/** Fields filled in a profile (how "complete" it is). */
const filled = (p: ProfileRow) => PROFILE_FIELDS.filter((f) => !empty(p[f])).length;

/**
 * The default rule ("preserve these values"): per field, the value that is there; when both are,
 * the more recently updated profile's. Explicit choices win.
 */
export function resolveChoices(kept: ProfileRow, merged: ProfileRow, choices: Choices = {}): Record<ProfileField, Side> {
  const newer: Side = merged.updatedAt.getTime() > kept.updatedAt.getTime() ? 'merged' : 'kept';
  const out = {} as Record<ProfileField, Side>;
  for (const f of PROFILE_FIELDS) {
    const c = choices[f];
    if (c) out[f] = c;
    else if (empty(kept[f]) && !empty(merged[f])) out[f] = 'merged';
    else if (!empty(kept[f]) && empty(merged[f])) out[f] = 'kept';
    else out[f] = newer;
  }
  return out;
}

/**
 * "Preserve these values" for a whole batch: per field, which profile of each pair wins, named the
 * way the admin thinks of them: `record` (the profile the Central Record already had) or `signin`
 * (the one that came from sign-in, linked to a member); `kept`/`merged` as in a single merge.
 */
export type BatchSide = Side | 'record' | 'signin';
export type BatchPreserve = Partial<Record<ProfileField, BatchSide>>;
export type MergeAllOptions = { preserve?: BatchPreserve; exceptions?: Record<string, Choices> };
export type Origin = 'record' | 'signin';

/**
 * Where each profile of a pair came from: the one linked to a sign-in member is `signin`; when both
 * or neither are linked, the older profile is the record's and the newer one is from sign-in.
 */
export function originsOf(kept: ProfileRow, merged: ProfileRow, linked: (id: string) => boolean): { kept: Origin; merged: Origin } {
  const [k, m] = [linked(kept.id), linked(merged.id)];
  if (k !== m) return k ? { kept: 'signin', merged: 'record' } : { kept: 'record', merged: 'signin' };
  const keptOlder = kept.createdAt.getTime() < merged.createdAt.getTime() || (kept.createdAt.getTime() === merged.createdAt.getTime() && kept.id < merged.id);
  return keptOlder ? { kept: 'record', merged: 'signin' } : { kept: 'signin', merged: 'record' };
}

/** A batch's preserve rule (or the pair's own exception) as the pair's kept/merged choices. */
export function choicesForPair(origins: { kept: Origin; merged: Origin }, preserve: BatchPreserve = {}, exception?: Choices): Choices {
  if (exception) return exception;
  const out: Choices = {};
  for (const f of PROFILE_FIELDS) {
    const want = preserve[f];
    if (!want) continue;
    out[f] = want === 'kept' || want === 'merged' ? want : origins.kept === want ? 'kept' : 'merged';
  }
  return out;
}

/** Which of a pair to keep by default: the one with more checks recorded, then more complete, then older. */
export function pickKept(a: ProfileRow, b: ProfileRow, checksOf: (id: string) => number): [ProfileRow, ProfileRow] {
  const score = (p: ProfileRow) => [checksOf(p.id), filled(p), -p.createdAt.getTime()] as const;
  const sa = score(a);
  const sb = score(b);
  for (let i = 0; i < 3; i++) if (sa[i] !== sb[i]) return sa[i]! > sb[i]! ? [a, b] : [b, a];
  return a.id < b.id ? [a, b] : [b, a];
}
