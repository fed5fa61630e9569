import { and, count, desc, eq, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { notifications } from './notifications.tables.js';

export type NotificationRow = typeof notifications.$inferSelect;

/** New unread notifications, one per user, in the caller's transaction; their ids in the users' order. */
export async function insertNotifications(db: DbOrTx, tenantId: string, userIds: string[], msg: { title: string; body: string; link?: string | null }): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .insert(notifications)
    .values(userIds.map((userId) => ({ tenantId, userId, title: msg.title, body: msg.body, link: msg.link ?? null })))
    .returning({ id: notifications.id });
  return rows.map((r) => r.id);
}

/** One notification of a tenant (for its email copy). */
export async function findNotification(db: DbOrTx, tenantId: string, id: string): Promise<Pick<NotificationRow, 'userId' | 'title' | 'body' | 'link'> | undefined> {
  const [row] = await db
    .select({ userId: notifications.userId, title: notifications.title, body: notifications.body, link: notifications.link })
    .from(notifications)
    .where(and(eq(notifications.id, id), eq(notifications.tenantId, tenantId)));
  return row;
}

/** A user's own inbox: every query filters on tenant and user. */
export async function listForUser(db: DbOrTx, tenantId: string, userId: string, limit: number) {
  const mine = and(eq(notifications.tenantId, tenantId), eq(notifications.userId, userId));
  const items = await db.select().from(notifications).where(mine).orderBy(desc(notifications.createdAt), desc(notifications.id)).limit(limit);
  const [unread] = await db.select({ n: count() }).from(notifications).where(and(mine, isNull(notifications.readAt)));
  return { items, unread: Number(unread?.n ?? 0) };
}

export async function markRead(db: DbOrTx, tenantId: string, userId: string, id: string, now: Date): Promise<NotificationRow | undefined> {
  const mine = and(eq(notifications.id, id), eq(notifications.tenantId, tenantId), eq(notifications.userId, userId));
  const [updated] = await db.update(notifications).set({ readAt: now }).where(and(mine, isNull(notifications.readAt))).returning();
  if (updated) return updated;
  const [already] = await db.select().from(notifications).where(mine);
  return already;
}

export async function markAllRead(db: DbOrTx, tenantId: string, userId: string, now: Date): Promise<number> {
  const rows = await db
    .update(notifications)
    .set({ readAt: now })
    .where(and(eq(notifications.tenantId, tenantId), eq(notifications.userId, userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return rows.length;
}
