import type { createScimTokens } from './tokens.js';
import type { createScimRequestLog } from './request-log.js';

type Status = Awaited<ReturnType<ReturnType<typeof createScimTokens>['status']>>;
type LogPage = Awaited<ReturnType<ReturnType<typeof createScimRequestLog>['page']>>;

/** The SCIM tab's status of a group: base URL, live token (its prefix only), last request, users. */
export function presentStatus(s: Status) {
  return {
    groupId: s.groupId,
    groupName: s.groupName,
    baseUrl: s.baseUrl,
    token: s.token ? { prefix: s.token.prefix, createdAt: s.token.createdAt.toISOString(), createdBy: s.token.createdBy } : null,
    lastRequestAt: s.lastRequestAt?.toISOString() ?? null,
    users: s.users,
  };
}

/** A page of the request log, newest first. */
export function presentActivity(page: LogPage) {
  return {
    nextBefore: page.nextBefore,
    items: page.items.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      method: r.method,
      path: r.path,
      status: r.status,
      durationMs: r.durationMs,
      scimType: r.scimType,
      errorDetail: r.errorDetail,
      requestId: r.requestId,
    })),
  };
}
