import type { Platform } from '../../../platform/platform.js';
import type { SiteScope } from '../access.js';
import { liveRepo } from './live.repo.js';

/** A kiosk seen within this long is online (kiosks call in at least every 5 minutes). */
export const KIOSK_ONLINE_MS = 10 * 60_000;

/**
 * Sign-in at a glance, for the area's landing page: per site who is on site now, today's
 * sign-ins and rejections (the site's own calendar day), kiosks online; open fire roll calls.
 */
export function createOverviewService(deps: Pick<Platform, 'db' | 'now'>) {
  const { db } = deps;
  return {
    async overview(tenantId: string, scope: SiteScope) {
      const at = deps.now();
      const [siteRows, onSite, today, kiosks, rollCalls] = await Promise.all([
        liveRepo.activeSites(db, tenantId, scope),
        liveRepo.onSiteCounts(db, tenantId, scope),
        liveRepo.todayCounts(db, tenantId, scope, at),
        liveRepo.kioskCounts(db, tenantId, scope, new Date(at.getTime() - KIOSK_ONLINE_MS)),
        liveRepo.openRollCalls(db, tenantId, scope),
      ]);
      const onSiteBy = new Map(onSite.map((r) => [r.siteId, r.n]));
      const kiosksBy = new Map(kiosks.map((r) => [r.siteId, r]));
      const todayOf = (siteId: string, outcome: 'signed_in' | 'rejected') => today.find((r) => r.siteId === siteId && r.outcome === outcome)?.n ?? 0;
      const sites = siteRows.map((s) => ({
        id: s.id,
        name: s.name,
        timezone: s.timezone,
        onSite: onSiteBy.get(s.id) ?? 0,
        signedInToday: todayOf(s.id, 'signed_in'),
        rejectedToday: todayOf(s.id, 'rejected'),
        kiosks: { online: kiosksBy.get(s.id)?.online ?? 0, total: kiosksBy.get(s.id)?.total ?? 0 },
      }));
      const sum = (f: (s: (typeof sites)[number]) => number) => sites.reduce((n, s) => n + f(s), 0);
      return {
        asOf: at.toISOString(),
        totals: {
          onSite: sum((s) => s.onSite),
          signedInToday: sum((s) => s.signedInToday),
          rejectedToday: sum((s) => s.rejectedToday),
          kiosksOnline: sum((s) => s.kiosks.online),
          kiosks: sum((s) => s.kiosks.total),
        },
        sites,
        openRollCalls: rollCalls.map((r) => ({ id: r.id, siteId: r.siteId, siteName: r.siteName, timezone: r.timezone, startedAt: r.startedAt.toISOString() })),
      };
    },
  };
}
export type OverviewService = ReturnType<typeof createOverviewService>;
