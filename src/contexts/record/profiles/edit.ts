import { badRequest, conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { assertLevel, orgAccessOf } from '../access.js';
import { loadModel, type ProfileRow } from '../record.repo.js';
import { isIsoDate, todayIn, ukDate } from '../rules/dates.js';
import { prepare } from '../engine.js';
import { profilesRepo } from './profiles.repo.js';
import { applyPatch, historyActorOf, type ProfileColumns } from './profile-writer.js';
import { applyValues } from './check-values.js';
import { FIELD_LABELS, applyFacts, assertTypeAndOrg, validateFacts, validateProfileDates, validateValues, type ProfileField } from './validation.js';
import type { ProfileReads } from './read.js';
import type { ProfilePatchInput } from './profiles.schemas.js';
import type { ProfilesDeps } from './profiles.service.js';

/**
 * Editing a profile: the patch with its version check (409 saying who changed what), and
 * archiving a leaver. Every write goes through the profile writer; the hooks guard and hear it.
 */
export function createProfileEditing(deps: ProfilesDeps, reads: Pick<ProfileReads, 'present'>) {
  const { db, now } = deps;
  const { present } = reads;
  const today = () => todayIn(now());

  async function update(principal: Principal, actor: Actor, id: string, input: ProfilePatchInput) {
    const access = orgAccessOf(principal);
    const day = today();
    return inTransaction(db, async (t) => {
      const current = await profilesRepo.findForUpdate(t, principal.tenantId, id);
      if (!current) throw notFound('Profile');
      assertLevel(access, current.organisationId, 'edit');
      if (input.version !== current.version) {
        const changes = await profilesRepo.history(t, principal.tenantId, id, input.version);
        const who = [...new Set(changes.map((c) => c.actorLabel))].join(', ') || 'someone else';
        throw conflict('version_conflict', `This profile was changed by ${who} since you opened it (version ${input.version} → ${current.version}). Reload to see the changes; nothing was saved.`, {
          currentVersion: current.version,
          changes: changes.map((c) => ({ version: c.version, field: c.field, before: c.before, after: c.after, actor: c.actorLabel, at: c.at.toISOString() })),
        });
      }
      const m = prepare(await loadModel(t, principal.tenantId));
      const organisationId = input.organisationId ?? current.organisationId;
      const profileTypeId = input.profileTypeId ?? current.profileTypeId;
      if (input.organisationId !== undefined || input.profileTypeId !== undefined) assertTypeAndOrg(m, access, organisationId, profileTypeId, current);
      validateProfileDates({ dateOfBirth: input.dateOfBirth, startDate: input.startDate === undefined ? current.startDate : input.startDate, leavingDate: input.leavingDate === undefined ? current.leavingDate : input.leavingDate }, day);
      const changes = validateValues(m, organisationId, input.checks ?? {}, day);
      const at = now();
      const diffs: Array<{ field: string; before: string | null; after: string | null }> = [];
      const set: ProfileColumns = {};
      for (const f of Object.keys(FIELD_LABELS) as ProfileField[]) {
        const v = (input as Record<string, unknown>)[f];
        if (v === undefined || v === current[f]) continue;
        (set as Record<string, unknown>)[f] = v;
        const show = (x: unknown) => {
          if (x === null || x === undefined || x === '') return null;
          if (f === 'organisationId') return m.organisations.get(String(x))?.name ?? String(x);
          if (f === 'profileTypeId') return m.profileTypes.get(String(x))?.name ?? String(x);
          return typeof x === 'string' && isIsoDate(x) ? ukDate(x) : String(x);
        };
        diffs.push({ field: FIELD_LABELS[f]!, before: show(current[f]), after: show(v) });
      }
      const factChange = applyFacts(m, current.facts, validateFacts(m, input.facts));
      if (factChange.diffs.length) {
        set.facts = factChange.next;
        diffs.push(...factChange.diffs);
      }
      await deps.hooks.checkUpdate(t, { tenantId: principal.tenantId, profileId: id, fields: Object.keys(set) });
      const nextRow: ProfileRow = { ...current, ...set } as ProfileRow;
      const values = await profilesRepo.values(t, principal.tenantId, id);
      diffs.push(...(await applyValues(t, m, principal.tenantId, nextRow, values, changes, actor, at, day)));
      if (!diffs.length) return present(t, m, current);
      const row = await applyPatch(t, principal.tenantId, current, { set, lines: diffs, at, ifVersion: current.version }, historyActorOf(actor));
      if (!row) throw conflict('version_conflict', 'This profile was changed by someone else at the same moment; nothing was saved', { currentVersion: current.version + 1, changes: [] });
      const version = row.version;
      await recordAudit(t, principal.tenantId, actor, { action: 'record.profile.updated', targetType: 'record_profile', targetId: id, summary: `Profile ${row.firstName} ${row.lastName} updated: ${diffs.map((d) => d.field).join(', ')}`, data: { version } });
      await deps.hooks.changed(t, { tenantId: principal.tenantId, profileIds: [id], change: 'updated', fields: Object.keys(set) });
      return present(t, m, row);
    });
  }

  /** Leavers leave the live record: archived (kept for the organisation's retention period). */
  async function archive(principal: Principal, actor: Actor, id: string, input: { leavingDate?: string | null; version: number }) {
    const day = today();
    return inTransaction(db, async (t) => {
      const current = await profilesRepo.findForUpdate(t, principal.tenantId, id);
      if (!current) throw notFound('Profile');
      assertLevel(orgAccessOf(principal), current.organisationId, 'edit');
      if (input.version !== current.version) throw conflict('version_conflict', 'This profile was changed since you opened it; reload first', { currentVersion: current.version, changes: [] });
      if (current.status === 'archived') throw conflict('already_archived', 'This profile is already archived');
      const leavingDate = input.leavingDate ?? current.leavingDate ?? day;
      if (!isIsoDate(leavingDate)) throw badRequest('invalid_date', 'Leaving date is not a real date', 'leavingDate');
      if (current.startDate && leavingDate < current.startDate) throw badRequest('invalid_date', `Leaving date (${ukDate(leavingDate)}) cannot be before the start date (${ukDate(current.startDate)})`, 'leavingDate');
      const at = now();
      const lines = [
        { field: 'Status', before: 'live', after: 'archived' },
        ...(leavingDate !== current.leavingDate ? [{ field: 'Leaving date', before: current.leavingDate ? ukDate(current.leavingDate) : null, after: ukDate(leavingDate) }] : []),
      ];
      const row = await applyPatch(t, principal.tenantId, current, { set: { status: 'archived', archivedAt: at, leavingDate }, lines, at }, historyActorOf(actor));
      await recordAudit(t, principal.tenantId, actor, { action: 'record.profile.archived', targetType: 'record_profile', targetId: id, summary: `Profile ${row!.firstName} ${row!.lastName} archived (left ${ukDate(leavingDate)})` });
      await deps.hooks.changed(t, { tenantId: principal.tenantId, profileIds: [id], change: 'archived', fields: ['status', 'leavingDate'] });
      const m = prepare(await loadModel(t, principal.tenantId));
      return present(t, m, row!);
    });
  }

  return { update, archive };
}
