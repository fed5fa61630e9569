import type { Platform } from '../../../platform/platform.js';
import { conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, redactAuditOf, type Actor } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { assertLevel, levelAt, orgAccessOf } from '../access.js';
import { loadModel, loadProfilesWithValues, type ProfileRow } from '../record.repo.js';
import { prepare } from '../engine.js';
import { addPeriod, todayIn, ukDate } from '../rules/dates.js';
import { profilesRepo } from './profiles.repo.js';
import type { ProfileHooks } from './profile-hooks.js';

export type ErasureDeps = Pick<Platform, 'db' | 'now' | 'storage'> & { hooks: ProfileHooks };

/**
 * A person's data rights and the end of retention: the subject access export, erasure on
 * request, and archived profiles whose retention period has ended (deleted only once approved).
 */
export function createProfileErasure(deps: ErasureDeps) {
  const { db, now } = deps;
  const today = () => todayIn(now());

  /** Everything held on a person, as one document (the subject access export). Audited. */
  async function exportPerson(principal: Principal, actor: Actor, id: string) {
    const access = orgAccessOf(principal);
    return inTransaction(db, async (t) => {
      const p = await profilesRepo.find(t, principal.tenantId, id);
      if (!p) throw notFound('Profile');
      assertLevel(access, p.organisationId, 'administer');
      const m = prepare(await loadModel(t, principal.tenantId));
      const values = await profilesRepo.values(t, p.tenantId, id);
      const documents = await profilesRepo.documents(t, p.tenantId, id);
      const hist = await profilesRepo.history(t, p.tenantId, id);
      await recordAudit(t, principal.tenantId, actor, { action: 'record.profile.exported', targetType: 'record_profile', targetId: id, summary: `Personal data of ${p.firstName} ${p.lastName} exported` });
      const checkOf = new Map(m.checks.map((c) => [c.id, c]));
      return {
        exportedAt: now().toISOString(),
        profile: {
          firstName: p.firstName,
          lastName: p.lastName,
          dateOfBirth: p.dateOfBirth,
          email: p.email,
          phone: p.phone,
          role: p.role,
          startDate: p.startDate,
          leavingDate: p.leavingDate,
          status: p.status,
          organisation: m.organisations.get(p.organisationId)?.name ?? null,
          profileType: m.profileTypes.get(p.profileTypeId)?.name ?? null,
          createdAt: p.createdAt.toISOString(),
          updatedAt: p.updatedAt.toISOString(),
        },
        checks: [...values.values()].map((v) => ({
          check: checkOf.get(v.checkId)?.name ?? v.checkId,
          value: v.value,
          reference: v.reference,
          checkedOn: v.checkedOn,
          evidenceSeen: v.evidence,
          recordedBy: v.recordedByLabel,
          recordedAt: v.recordedAt.toISOString(),
        })),
        documents: documents.map((d) => ({ fileName: d.fileName, contentType: d.contentType, size: d.size, uploadedAt: d.uploadedAt.toISOString(), deletedAt: d.deletedAt?.toISOString() ?? null, deletedReason: d.deletedReason })),
        history: hist.map((h) => ({ version: h.version, field: h.field, before: h.before, after: h.after, by: h.actorLabel, at: h.at.toISOString() })),
      };
    });
  }

  /** Erases a person: profile, values, history and stored files. The audit row stays (without the data). */
  async function erase(principal: Principal, actor: Actor, id: string, reason: 'request' | 'retention') {
    const access = orgAccessOf(principal);
    const keys = await inTransaction(db, async (t) => {
      const p = await profilesRepo.findForUpdate(t, principal.tenantId, id);
      if (!p) throw notFound('Profile');
      assertLevel(access, p.organisationId, 'administer');
      if (reason === 'retention') {
        const due = retentionDueOn(p, (await loadModel(t, principal.tenantId)).organisations.get(p.organisationId)?.retentionYears ?? 6);
        if (!due || due > today()) throw conflict('retention_not_due', `The retention period of this profile has not ended${due ? ` (due ${ukDate(due)})` : ''}`);
      }
      const docs = await profilesRepo.documents(t, principal.tenantId, id);
      await deps.hooks.changed(t, { tenantId: principal.tenantId, profileIds: [id], change: 'erased', fields: [] });
      await profilesRepo.erase(t, principal.tenantId, id);
      await redactAuditOf(t, principal.tenantId, 'record_profile', id);
      await recordAudit(t, principal.tenantId, actor, {
        action: reason === 'request' ? 'record.profile.erased' : 'record.profile.retention_deleted',
        targetType: 'record_profile',
        targetId: id,
        summary: reason === 'request' ? 'A profile was erased on request' : 'An archived profile was deleted at the end of its retention period (approved)',
      });
      return docs.filter((d) => d.storageKey && !d.deletedAt).map((d) => d.storageKey!);
    });
    for (const key of keys) await deps.storage.delete(key);
  }

  function retentionDueOn(p: ProfileRow, years: number): string | null {
    if (p.status !== 'archived') return null;
    const from = p.leavingDate ?? (p.archivedAt ? todayIn(p.archivedAt) : null);
    return from ? addPeriod(from, years, 'years') : null;
  }

  /** Archived profiles whose retention period has ended: for an administrator to approve. */
  async function retentionDue(principal: Principal) {
    const access = orgAccessOf(principal);
    const m = await loadModel(db, principal.tenantId);
    const orgs = [...m.organisations.values()].filter((o) => levelAt(access, o.id) === 'administer');
    const rows = await loadProfilesWithValues(db, principal.tenantId, { organisationIds: orgs.map((o) => o.id), status: 'archived' });
    const day = today();
    return rows
      .map((r) => ({ profile: r.profile, dueOn: retentionDueOn(r.profile, m.organisations.get(r.profile.organisationId)!.retentionYears), organisation: m.organisations.get(r.profile.organisationId)!.name }))
      .filter((r) => r.dueOn !== null && r.dueOn <= day);
  }

  return { exportPerson, erase, retentionDue };
}

export type ProfileErasure = ReturnType<typeof createProfileErasure>;
