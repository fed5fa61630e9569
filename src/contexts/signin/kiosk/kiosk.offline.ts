import { createHash } from 'node:crypto';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Platform } from '../../../platform/platform.js';
import { blockList, members, visits } from '../signin.tables.js';
import { memberColumns } from '../members/members.repo.js';
import type { KioskPrincipal } from '../access.js';
import { readOptions, type SignInOptionsStored } from '../groups/groups.schemas.js';
import { normaliseName } from '../../../common/normalise.js';
import type { VisitsService } from '../visits/visits.service.js';
import { openVisit } from '../visits/visits.repo.js';
import { SEE_RECEPTION } from '../visits/visits.presenter.js';
import type { KioskService } from './kiosk.service.js';
import { storedNameKey } from '../../../platform/db/name-order.js';

/** SHA-256 hex: QR tokens and block-list entries leave the server only as hashes. */
export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export const offlineDataSchema = z.object({
  generatedAt: z.string(),
  /** The device wipes this copy after so many hours without reaching the server. */
  maxOfflineHours: z.number(),
  groups: z.array(
    z.object({
      id: z.string(),
      safetyCheckMode: z.enum(['off', 'reject', 'notify']),
      /** Whether the group's people are on the fire roll call (a roll call started offline on this device lists them). */
      showOnFireList: z.boolean(),
      offline: z.object({ maxSafetyAgeHours: z.number(), whenStale: z.enum(['reject', 'allow_flag']), photos: z.boolean() }),
      /**
       * The group's questions that turn a person away on an answer, judged on the device offline as
       * the server judges them (src/common/sign-in-rules.ts). The message only where the group shows
       * reasons on the kiosk (null: "Please see reception", as online).
       */
      questions: z.array(z.object({ id: z.string(), rejectOn: z.object({ answer: z.string(), message: z.string().nullable() }) })),
      members: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          role: z.string(),
          /** SHA-256 of the member's QR token: a scanned code is hashed and compared. */
          qrHash: z.string(),
          /**
           * The member's photo as the kiosk should keep it: a tag that changes when the photo does
           * (the kiosk fetches GET /api/kiosk/members/:id/photo again, makes it small and keeps it),
           * or null: no photo, or the group's offline policy keeps none.
           */
          photo: z.string().nullable(),
          onSite: z.boolean(),
          agreementDue: z.boolean(),
          /** The last known safety check: passed or not, why not, and the date it may next change. */
          safety: z.object({ ok: z.boolean(), reasons: z.array(z.string()), checkedAt: z.string(), validUntil: z.string().nullable() }),
        }),
      ),
      visitorsOnSite: z.array(z.object({ visitId: z.string(), name: z.string(), signedInAt: z.string() })),
    }),
  ),
  /** Block-list entries as SHA-256 of the normalised name and of the lower-case email. */
  blockList: z.object({ names: z.array(z.string()), emails: z.array(z.string()) }),
});
export type OfflineData = z.infer<typeof offlineDataSchema>;

/**
 * What a paired kiosk keeps to work offline, and nothing more: the members of its site's groups
 * (name, role, QR hash, photo tag where the group keeps photos, on site, agreement due, safety
 * outcome), the questions that reject, visitors on site now (name and time), block-list hashes.
 * No emails, phones, dates of birth, custom fields or PINs. Photos are fetched one by one by the
 * kiosk in the background (GET /api/kiosk/members/:id/photo) and kept small.
 */
export function createKioskOffline(deps: Pick<Platform, 'db' | 'now' | 'config'>, kiosk: KioskService, visitsService: VisitsService) {
  const { db, now } = deps;

  async function data(k: KioskPrincipal): Promise<OfflineData> {
    const at = now();
    const config = await kiosk.config(k);
    const groupsOut: OfflineData['groups'] = [];
    for (const g of config.groups) {
      const { group } = await visitsService.siteAndGroup(k, g.id);
      const options = readOptions(group.options);
      if (g.type === 'standard') {
        const visitors = await kiosk.visitorsOnSite(k, g.id);
        groupsOut.push({ id: g.id, safetyCheckMode: options.safetyCheckMode, showOnFireList: options.showOnFireList, offline: options.offline, questions: questionsOf(options), members: [], visitorsOnSite: visitors });
        continue;
      }
      const rows = await db
        .select(memberColumns)
        .from(members)
        .where(and(eq(members.tenantId, k.tenantId), eq(members.groupId, g.id), isNull(members.archivedAt), isNull(members.deletedAt)))
        .orderBy(storedNameKey(members.fullNameKey), asc(members.id));
      const ids = rows.map((r) => r.id);
      const onSite = new Set<string>();
      const accepted = new Set<string>();
      if (ids.length) {
        for (const r of await db.select({ id: visits.memberId }).from(visits).where(and(eq(visits.tenantId, k.tenantId), inArray(visits.memberId, ids), openVisit))) onSite.add(r.id!);
        if (options.agreement) {
          const rows2 = await db
            .selectDistinct({ id: visits.memberId })
            .from(visits)
            .where(and(eq(visits.tenantId, k.tenantId), inArray(visits.memberId, ids), eq(visits.agreementVersion, options.agreement.version)));
          for (const r of rows2) accepted.add(r.id!);
        }
      }
      const safety = await visitsService.memberSafety(k, g.id, rows);
      groupsOut.push({
        id: g.id,
        safetyCheckMode: options.safetyCheckMode,
        showOnFireList: options.showOnFireList,
        offline: options.offline,
        questions: questionsOf(options),
        visitorsOnSite: [],
        members: rows.map((m) => {
          const s = safety.get(m.id) ?? { reasons: [], validUntil: null };
          return {
            id: m.id,
            name: m.fullName,
            role: m.role,
            qrHash: sha256(m.qrToken),
            photo: options.offline.photos && m.photoKey ? sha256(m.photoKey).slice(0, 16) : null,
            onSite: onSite.has(m.id),
            agreementDue: Boolean(options.agreement) && !accepted.has(m.id),
            // Like the online answer: the reasons reach the lobby screen only when the group allows it.
            safety: { ok: s.reasons.length === 0, reasons: options.showReasonsOnKiosk ? s.reasons.map((r) => r.reason) : s.reasons.length ? [SEE_RECEPTION] : [], checkedAt: at.toISOString(), validUntil: s.validUntil },
          };
        }),
      });
    }
    const blocks = await db.select({ name: blockList.normalisedName, email: blockList.email }).from(blockList).where(eq(blockList.tenantId, k.tenantId));
    return {
      generatedAt: at.toISOString(),
      maxOfflineHours: deps.config.offlineMaxHours,
      groups: groupsOut,
      blockList: { names: blocks.map((b) => sha256(normaliseName(b.name))), emails: blocks.flatMap((b) => (b.email ? [sha256(b.email)] : [])) },
    };
  }

  return { data };
}

/** The questions that reject, with the message only where the group shows reasons on the kiosk. */
function questionsOf(options: SignInOptionsStored): OfflineData['groups'][number]['questions'] {
  return options.customFields.flatMap((f) => (f.rejectOn ? [{ id: f.id, rejectOn: { answer: f.rejectOn.answer, message: options.showReasonsOnKiosk ? f.rejectOn.message : null } }] : []));
}

export type KioskOffline = ReturnType<typeof createKioskOffline>;
