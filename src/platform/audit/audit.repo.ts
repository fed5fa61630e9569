import { and, desc, eq, gte, like, lt, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { badRequest } from '../errors.js';
import { cursorPosition } from '../http/dates.js';
import { auditLog } from './audit.tables.js';

export type AuditRow = typeof auditLog.$inferSelect;
export type AuditFilter = {
  /** Exact action, or a prefix ending in `*` (e.g. `user.*`). */
  action?: string;
  actorId?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
};

/**
 * Keyset cursor on (at, id): the timestamp travels as PostgreSQL's own text so microseconds
 * survive (a JavaScript Date would round them and skip or repeat rows).
 */
export function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

/** PostgreSQL's text of a timestamptz (`2026-01-02 03:04:05.123456+00`) as ISO 8601, to check it as one. */
const asIso = (pg: string) => pg.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');

/** A cursor this server could have given: a real time in the API's range and a uuid (a 400, not the database's 500). */
function decodeCursor(cursor: string): [string, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      typeof v[1] === 'string' &&
      cursorPosition(asIso(v[0]), v[1])
    ) {
      return [v[0], v[1]];
    }
  } catch {
    /* fall through */
  }
  throw badRequest('invalid_cursor', 'The cursor is not valid', 'query.cursor');
}

/** A page of one tenant's audit log, newest first. */
export async function listAudit(db: DbOrTx, tenantId: string, filter: AuditFilter, page: { cursor?: string; limit: number }) {
  const where: SQL[] = [eq(auditLog.tenantId, tenantId)];
  if (filter.action) {
    where.push(
      filter.action.endsWith('*')
        ? like(auditLog.action, `${filter.action.slice(0, -1).replace(/[\\%_]/g, '\\$&')}%`)
        : eq(auditLog.action, filter.action),
    );
  }
  if (filter.actorId) where.push(eq(auditLog.actorId, filter.actorId));
  if (filter.targetType) where.push(eq(auditLog.targetType, filter.targetType));
  if (filter.targetId) where.push(eq(auditLog.targetId, filter.targetId));
  if (filter.from) where.push(gte(auditLog.at, filter.from));
  if (filter.to) where.push(lt(auditLog.at, filter.to));
  if (page.cursor) {
    const [at, id] = decodeCursor(page.cursor);
    where.push(sql`(${auditLog.at}, ${auditLog.id}) < (${at}::timestamptz, ${id}::uuid)`);
  }
  const rows = await db
    .select({ row: auditLog, atText: sql<string>`${auditLog.at}::text` })
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(page.limit + 1);
  const more = rows.length > page.limit;
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { items: items.map((r) => r.row), nextCursor: more && last ? encodeCursor(last.atText, last.row.id) : null };
}
