import type { Platform } from '../../../platform/platform.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { RecordPort } from '../../record/index.js';
import { integrationRepo } from '../integration.repo.js';
import { peopleRepo } from './people.repo.js';
import { presentExclusion } from './people.presenters.js';

/** Decoupling one person, deleting a linked profile (its members go on the exclusion list), and the exclusion list. */
export function createExclusions(deps: Pick<Platform, 'db' | 'now'> & { record: RecordPort }) {
  const { db, now, record } = deps;

  async function decouple(tenantId: string, memberId: string, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const link = await integrationRepo.linkOfMember(tx, tenantId, memberId);
      if (!link) throw notFound('Link');
      await peopleRepo.deleteLink(tx, tenantId, link);
      await recordAudit(tx, tenantId, actor, { action: 'integration.person_decoupled', targetType: 'member', targetId: memberId, summary: 'Member and profile decoupled', data: { profileId: link.profileId } });
    });
  }

  /** Deletes a linked profile and puts its members on the exclusion list (undoable). */
  async function deleteLinkedProfile(tenantId: string, profileId: string, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const profile = await record.profile(tx, tenantId, profileId);
      if (!profile) throw notFound('Profile');
      const links = await integrationRepo.linksOfProfiles(tx, tenantId, [profileId]);
      const snapshot = { firstName: profile.firstName, lastName: profile.lastName, email: profile.email, role: profile.role, profileId: profile.id };
      await peopleRepo.exclude(tx, tenantId, links.map((l) => ({ memberId: l.memberId, reason: 'Linked profile deleted', profileSnapshot: snapshot, createdBy: actor.label, createdAt: now() })));
      await record.deleteProfile(tx, tenantId, profileId);
      await recordAudit(tx, tenantId, actor, {
        action: 'integration.linked_profile_deleted',
        targetType: 'profile',
        targetId: profileId,
        summary: `Profile ${profile.firstName} ${profile.lastName} deleted; ${links.length} member(s) excluded from import`,
        data: { memberIds: links.map((l) => l.memberId) },
      });
      return { excludedMemberIds: links.map((l) => l.memberId) };
    });
  }

  async function exclusions(tenantId: string) {
    return (await peopleRepo.exclusions(db, tenantId)).map(presentExclusion);
  }

  async function undoExclusion(tenantId: string, id: string, actor: Actor) {
    return inTransaction(db, async (tx) => {
      const row = await peopleRepo.removeExclusion(tx, tenantId, id);
      if (!row) throw notFound('Exclusion');
      await recordAudit(tx, tenantId, actor, { action: 'integration.exclusion_removed', targetType: 'member', targetId: row.memberId, summary: 'Member removed from the exclusion list: the next import may create a profile again' });
    });
  }

  return { decouple, deleteLinkedProfile, exclusions, undoExclusion };
}
