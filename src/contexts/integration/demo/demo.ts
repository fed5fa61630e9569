import type { Platform } from '../../../platform/platform.js';
import { systemActor, type Actor } from '../../../platform/audit/audit.js';
import { peopleRepo } from '../people/people.repo.js';
import type { Integration } from '../index.js';

const demoActor: Actor = { ...systemActor, label: 'demo' };

/** The rating system the demo's Staff group checks at the kiosk. */
export const DEMO_RATING_SYSTEM = 'inspector_ready';

/**
 * The Central Record in the demo's sign-in: the tenant includes the record's criteria in the
 * safety check, the Staff group is linked to the primary school's organisation checking "Inspector
 * ready", and each member of the group is linked to the profile of the same name (set-wise: one
 * read of each side, one insert of the links, versions as they are, so there is nothing to sync).
 * A member without a profile of their name is left unlinked (and so refused at the kiosk).
 * Nobody is notified of the link (the owner would find a "Group linked" notice of the demo's own set-up).
 */
export async function seedIntegrationDemo(platform: Pick<Platform, 'db' | 'now'>, integration: Pick<Integration, 'links' | 'members' | 'record'>, tenantId: string, input: { groupId: string; organisationId: string }) {
  const { db } = platform;
  const { links, members, record } = integration;
  await links.saveSettings(tenantId, { includeRecordInSafetyCheck: true }, demoActor);
  const system = (await record.ratingSystems(db, tenantId)).find((s) => s.key === DEMO_RATING_SYSTEM);
  if (!system) throw new Error(`The demo needs the rating system ${DEMO_RATING_SYSTEM}`);
  // Audited as any link, but nobody is told: the demo's own set-up is no one's news.
  await links.link(tenantId, input.groupId, { organisationId: input.organisationId, ratingMode: 'selected', ratingSystemIds: [system.id] }, demoActor, { notify: false });
  const profileOf = new Map((await record.profilesOfOrganisation(db, tenantId, input.organisationId)).map((p) => [`${p.firstName} ${p.lastName}`, p]));
  const at = platform.now();
  const rows = (await members.listWithGroups(db, tenantId, [input.groupId])).flatMap((m) => {
    const p = profileOf.get(m.fullName);
    return p ? [{ tenantId, memberId: m.id, profileId: p.id, groupId: input.groupId, source: 'demo', memberVersion: m.version, profileVersion: p.version, syncedAt: at, createdAt: at }] : [];
  });
  await peopleRepo.insertLinks(db, rows);
  return { linked: rows.length };
}
