import { and, asc, count, eq, ilike, isNotNull, isNull, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { members } from '../signin.tables.js';
import type { MemberRow } from './members.port.js';

export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export const membersRepo = {
  async find(db: DbOrTx, tenantId: string, id: string): Promise<MemberRow | undefined> {
    const [row] = await db.select().from(members).where(and(eq(members.tenantId, tenantId), eq(members.id, id)));
    return row;
  },
  async findByQr(db: DbOrTx, tenantId: string, qrToken: string): Promise<MemberRow | undefined> {
    const [row] = await db.select().from(members).where(and(eq(members.tenantId, tenantId), eq(members.qrToken, qrToken)));
    return row;
  },
  async list(db: DbOrTx, tenantId: string, groupId: string, q: { q?: string; archived: 'active' | 'archived' | 'all'; limit: number; offset: number }) {
    const conds: SQL[] = [eq(members.tenantId, tenantId), eq(members.groupId, groupId), isNull(members.deletedAt)];
    if (q.archived === 'active') conds.push(isNull(members.archivedAt));
    if (q.archived === 'archived') conds.push(isNotNull(members.archivedAt));
    if (q.q) conds.push(ilike(members.fullName, `%${likeEscape(q.q)}%`));
    const where = and(...conds);
    const rows = await db.select().from(members).where(where).orderBy(asc(members.fullName), asc(members.id)).limit(q.limit).offset(q.offset);
    const [total] = await db.select({ n: count() }).from(members).where(where);
    return { rows, total: Number(total?.n ?? 0) };
  },
};
