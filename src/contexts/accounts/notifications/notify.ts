import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import type { Platform } from '../../../platform/platform.js';
import type { Role } from '../../../platform/http/principal.js';
import { reachExtent, type Level, type ScopeKind } from '../../../common/permissions.js';
import { users, userScopes } from '../accounts.tables.js';
import { findNotification, insertNotifications } from '../../../platform/notifications/notifications.repo.js';

export const NOTIFICATION_EMAIL_JOB = 'platform.notification-email';

export type NotificationMessage = { title: string; body: string; link?: string };
type NotifyDeps = Pick<Platform, 'jobs'>;

/**
 * Puts a message in each user's inbox and queues its email, in the caller's transaction (so both
 * happen only if the change that caused them commits). Users of another tenant, and disabled
 * users, are skipped. Returns the ids of the inbox rows.
 */
export async function notifyUsers(
  tx: DbOrTx,
  platform: NotifyDeps,
  tenantId: string,
  userIds: string[],
  msg: NotificationMessage,
): Promise<string[]> {
  if (userIds.length === 0) return [];
  const recipients = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), inArray(users.id, [...new Set(userIds)]), isNull(users.disabledAt)));
  return insertAndQueue(tx, platform, tenantId, recipients.map((r) => r.id), msg);
}

/** The active users of the tenant with these email addresses (any case), e.g. a sign-in member who also has an account. */
export async function activeUserIdsByEmail(tx: DbOrTx, tenantId: string, emails: string[]): Promise<string[]> {
  const list = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter((e) => e.length > 0))];
  if (list.length === 0) return [];
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), inArray(sql`lower(${users.email})`, list), isNull(users.disabledAt)));
  return rows.map((r) => r.id);
}

/**
 * Each of `userIds` that is a user of the tenant (another tenant's or an unknown id is left out):
 * whether their account is disabled, and whether their reach takes in one of `siteIds` (the owner,
 * a user without scopes, i.e. the whole tenant, or one with a scope on one of those sites; a user
 * scoped to other sites, or to organisations alone, reaches none of them: decision 046, reach).
 * Two statements whatever the number of users.
 */
export async function siteReachOf(tx: DbOrTx, tenantId: string, userIds: readonly string[], siteIds: readonly string[]): Promise<Array<{ id: string; disabled: boolean; reaches: boolean }>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return [];
  const [found, scopes] = [
    await tx.select({ id: users.id, role: users.role, disabledAt: users.disabledAt }).from(users).where(and(eq(users.tenantId, tenantId), inArray(users.id, ids))),
    await tx.select({ userId: userScopes.userId, kind: userScopes.kind, refId: userScopes.refId, level: userScopes.level }).from(userScopes).where(and(eq(userScopes.tenantId, tenantId), inArray(userScopes.userId, ids))),
  ];
  const sites = new Set(siteIds);
  return found.map((u) => ({ id: u.id, disabled: u.disabledAt !== null, reaches: reachesOneOf({ role: u.role, scopes: scopes.filter((x) => x.userId === u.id) }, sites) }));
}

/**
 * Those of `userIds` (users of the tenant) whose reach takes in one of `siteIds` (`siteReachOf`):
 * sign-in tells a group's contacts of a refusal only when they reach the site where it happened.
 */
export async function usersReachingSites(tx: DbOrTx, tenantId: string, userIds: readonly string[], siteIds: readonly string[]): Promise<string[]> {
  return (await siteReachOf(tx, tenantId, userIds, siteIds)).filter((u) => u.reaches).map((u) => u.id);
}

/** Whether a user's reach takes in one of `sites`: the one rule of reach (common/permissions.ts), not a copy of it in SQL. */
export function reachesOneOf(u: { role: Role; scopes: ReadonlyArray<{ kind: ScopeKind; refId: string; level: Level }> }, sites: ReadonlySet<string>): boolean {
  const extent = reachExtent(u, 'site');
  return extent === 'all' || (extent === 'some' && u.scopes.some((x) => x.kind === 'site' && sites.has(x.refId)));
}

/** The same for every active user holding one of `roles` (e.g. `['owner']` to notify the owner). */
export async function notifyRole(
  tx: DbOrTx,
  platform: NotifyDeps,
  tenantId: string,
  roles: Role[],
  msg: NotificationMessage,
): Promise<string[]> {
  if (roles.length === 0) return [];
  const recipients = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), inArray(users.role, roles), isNull(users.disabledAt)));
  return insertAndQueue(tx, platform, tenantId, recipients.map((r) => r.id), msg);
}

async function insertAndQueue(tx: DbOrTx, platform: NotifyDeps, tenantId: string, userIds: string[], msg: NotificationMessage) {
  if (userIds.length === 0) return [];
  const ids = await insertNotifications(tx, tenantId, userIds, msg);
  for (const notificationId of ids) {
    await platform.jobs.send(tx, NOTIFICATION_EMAIL_JOB, { tenantId, notificationId } satisfies EmailJob);
  }
  return ids;
}

type EmailJob = { tenantId: string; notificationId: string };

/** Sends the email copy of one notification (SMTP, or the log when SMTP is not configured). */
export async function sendNotificationEmail(platform: Pick<Platform, 'db' | 'mailer' | 'config'>, job: EmailJob): Promise<void> {
  const notification = await findNotification(platform.db, job.tenantId, job.notificationId);
  if (!notification) return; // deleted since: nothing to send
  const [user] = await platform.db
    .select({ email: users.email, disabledAt: users.disabledAt })
    .from(users)
    .where(and(eq(users.id, notification.userId), eq(users.tenantId, job.tenantId)));
  const row = user && { ...user, ...notification };
  if (!row || row.disabledAt) return; // deleted or disabled since: nothing to send
  const link = row.link ? `\n\n${row.link.startsWith('/') ? platform.config.publicUrl + row.link : row.link}` : '';
  await platform.mailer.send({ to: row.email, subject: row.title, text: `${row.body}${link}` });
}

/** The notification email job (registered by src/contexts/jobs.ts). */
export async function registerNotificationJobs(platform: Platform): Promise<void> {
  await platform.jobs.work<EmailJob>(NOTIFICATION_EMAIL_JOB, (job) => sendNotificationEmail(platform, job.data));
}
