import type { Platform } from '../../../platform/platform.js';
import type { DbOrTx, Tx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { inScope, type KioskPrincipal, type SiteScope } from '../access.js';
import { membersRepo } from '../members/members.repo.js';
import type { VisitEventType } from './visit-events.js';
import { presentVisit, type VisitRow } from './visits.presenter.js';
import { visitsRepo } from './visits.repo.js';

/** Signing out: at the kiosk, manually from the portal, and the close every sign-out shares. */
export function createSignOut(deps: Pick<Platform, 'db' | 'now'>, ctx: { emit: (tx: Tx, type: VisitEventType, v: VisitRow, at: Date) => Promise<void> }) {
  const { db, now } = deps;
  const { emit } = ctx;

  /** Closes an open visit (H7's manual and automatic sign-out use this too). 409 when not open. */
  async function closeVisit(tx: DbOrTx, v: { tenantId: string; id: string }, by: 'kiosk' | 'manual' | 'auto', actor?: Actor, when?: Date) {
    return inTransaction(tx, async (t) => {
      const at = when ?? now();
      const row = await visitsRepo.close(t, v.tenantId, v.id, at, by);
      if (!row) throw conflict('not_signed_in', 'This person is not signed in');
      await emit(t, 'visit.signed_out', row, at);
      if (actor && by === 'manual') {
        await recordAudit(t, v.tenantId, actor, { action: 'visit.signed_out', targetType: 'visit', targetId: row.id, summary: `${row.personName} signed out manually` });
      }
      return presentVisit(row);
    });
  }

  async function signOut(kiosk: KioskPrincipal, input: { memberId?: string; qrToken?: string; visitId?: string }) {
    let visit: VisitRow | undefined;
    if (input.visitId) {
      const v = await visitsRepo.find(db, kiosk.tenantId, input.visitId);
      if (!v || v.siteId !== kiosk.resourceId) throw notFound('Visit');
      visit = v;
    } else {
      const m = input.memberId ? await membersRepo.find(db, kiosk.tenantId, input.memberId) : await membersRepo.findByQr(db, kiosk.tenantId, input.qrToken!);
      if (!m) throw notFound('Member');
      visit = await visitsRepo.openForMember(db, kiosk.tenantId, m.id, kiosk.resourceId);
      if (!visit) {
        // Nobody signed in here: a member this kiosk cannot sign in (a group of another site, an
        // archived group) is a 404 as in its search and identify, and the answer never names the
        // member (a badge's QR code told any kiosk of the tenant its holder's name, PIN or not).
        const shown = await visitsRepo.siteAndGroup(db, kiosk.tenantId, kiosk.resourceId, m.groupId);
        if (!shown || shown.group.archivedAt) throw notFound('Member');
        throw conflict('not_signed_in', 'This person is not signed in here');
      }
    }
    return closeVisit(db, visit, 'kiosk');
  }

  /** Manual sign-out from the portal. */
  async function signOutManually(tenantId: string, scope: SiteScope, visitId: string, actor: Actor) {
    const v = await visitsRepo.find(db, tenantId, visitId);
    if (!v || !inScope(scope, v.siteId)) throw notFound('Visit');
    return closeVisit(db, v, 'manual', actor);
  }

  /** Open visits of members (for H7's views and the auto sign-out). */
  async function openVisitsOf(tx: DbOrTx, tenantId: string, memberIds: string[]) {
    return visitsRepo.openOfMembers(tx, tenantId, memberIds);
  }

  return { closeVisit, signOut, signOutManually, openVisitsOf };
}
