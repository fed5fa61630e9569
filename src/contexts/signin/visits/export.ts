import type { Platform } from '../../../platform/platform.js';
import { badRequest, notFound } from '../../../platform/errors.js';
import { csvRows } from '../../../platform/csv.js';
import { cursorPosition } from '../../../platform/http/dates.js';
import { zonedClock } from '../../../platform/zoned-clock.js';
import { inScope, type SiteScope } from '../access.js';
import { sitesRepo } from '../sites/sites.repo.js';
import { groupsRepo } from '../groups/groups.repo.js';
import { membersRepo } from '../members/members.repo.js';
import { presentVisit, type VisitRow } from './visits.presenter.js';
import { visitsRepo, type VisitFilters } from './visits.repo.js';

/** The visit history (keyset pages) and its CSV export, over the same filters. */
function cursorOf(v: VisitRow): string {
  return Buffer.from(`${v.signedInAt.toISOString()}|${v.id}`).toString('base64url');
}
function parseCursor(c: string | undefined): VisitFilters['cursor'] {
  if (!c) return undefined;
  const [at, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  // A real time in the API's range and a uuid: anything else is not a cursor this server gave (was a 500 from the database).
  const position = cursorPosition(at, id);
  if (!position) throw badRequest('invalid_cursor', 'Invalid cursor', 'cursor');
  return position;
}

export function createVisitHistory(deps: Pick<Platform, 'db'>) {
  const { db } = deps;

  async function history(tenantId: string, scope: SiteScope, q: { siteId?: string; groupId?: string; memberId?: string; person?: string; from?: string; to?: string; outcome?: 'signed_in' | 'rejected'; limit: number; cursor?: string }) {
    const filters = await checkedFilters(tenantId, scope, q);
    const rows = await visitsRepo.page(db, tenantId, { ...filters, cursor: parseCursor(q.cursor) }, q.limit + 1);
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => ({ ...presentVisit(r.visit), siteName: r.siteName, groupName: r.groupName })),
      nextCursor: rows.length > q.limit ? cursorOf(page.at(-1)!.visit) : null,
    };
  }

  function filtersOf(scope: SiteScope, q: { siteId?: string; groupId?: string; memberId?: string; person?: string; from?: string; to?: string; outcome?: 'signed_in' | 'rejected' }): VisitFilters {
    if (q.siteId && !inScope(scope, q.siteId)) throw notFound('Site');
    if (q.from && q.to && q.from > q.to) throw badRequest('invalid_range', `The range ends (${q.to}) before it starts (${q.from})`, 'to');
    return {
      siteIds: q.siteId ? [q.siteId] : scope,
      groupId: q.groupId,
      memberId: q.memberId,
      person: q.person,
      from: q.from,
      to: q.to,
      outcome: q.outcome,
    };
  }

  /** Filters, with a named site, group or member checked to exist in the tenant (404 otherwise, as another tenant's id is everywhere). */
  async function checkedFilters(tenantId: string, scope: SiteScope, q: Parameters<typeof filtersOf>[1]) {
    if (q.siteId && !(await sitesRepo.find(db, tenantId, q.siteId))) throw notFound('Site');
    if (q.groupId && !(await groupsRepo.find(db, tenantId, q.groupId))) throw notFound('Group');
    if (q.memberId && !(await membersRepo.find(db, tenantId, q.memberId))) throw notFound('Member');
    return filtersOf(scope, q);
  }

  const EXPORT_PAGE = 1000;
  /**
   * The CSV, streamed a page of 1,000 visits at a time (however many there are; memory stays a
   * page's): times as the site's clock showed them (`YYYY-MM-DD HH:MM:SS`, which spreadsheets read
   * as a date and time) with the site's time zone, and the same moments in UTC (ISO 8601) at the end
   * for other programs. The filters are checked before anything is sent (a 400 or 404 is a whole
   * answer); each page is its own keyset read, so no transaction stays open while a slow client reads.
   */
  async function exportCsv(tenantId: string, scope: SiteScope, q: Parameters<typeof filtersOf>[1]): Promise<AsyncIterable<string>> {
    const filters = await checkedFilters(tenantId, scope, q);
    async function* parts() {
      yield csvRows([['Signed in', 'Signed out', 'Time zone', 'Signed out by', 'Name', 'Company', 'Group', 'Site', 'Outcome', 'Safety check', 'Reasons', 'Answers', 'Visit id', 'Signed in (UTC)', 'Signed out (UTC)']]);
      let cursor: VisitFilters['cursor'];
      for (;;) {
        const rows = await visitsRepo.page(db, tenantId, { ...filters, cursor }, EXPORT_PAGE);
        yield csvRows(
          rows.map(({ visit: v, siteName, siteTimezone, groupName }) => {
            const clock = zonedClock(siteTimezone);
            return [
              clock.dateTime(v.signedInAt),
              v.signedOutAt ? clock.dateTime(v.signedOutAt) : '',
              siteTimezone,
              v.signedOutBy ?? '',
              v.personName,
              v.visitor?.company ?? '',
              groupName,
              siteName,
              v.outcome,
              v.safetyStatus,
              v.reasons.map((r) => r.reason).join('; '),
              Object.entries(v.answers).map(([k, a]) => `${k}: ${String(a)}`).join('; '),
              v.id,
              v.signedInAt.toISOString(),
              v.signedOutAt?.toISOString() ?? '',
            ];
          }),
        );
        if (rows.length < EXPORT_PAGE) return;
        cursor = { at: rows.at(-1)!.visit.signedInAt, id: rows.at(-1)!.visit.id };
      }
    }
    return parts();
  }

  return { history, exportCsv };
}
