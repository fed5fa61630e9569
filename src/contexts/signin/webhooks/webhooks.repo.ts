import { and, desc, eq, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { webhookDeliveries, webhookSubscriptions, type WebhookEventType } from '../live.tables.js';

export type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export const webhooksRepo = {
  list(tx: DbOrTx, tenantId: string) {
    return tx.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.tenantId, tenantId)).orderBy(webhookSubscriptions.createdAt);
  },
  async find(tx: DbOrTx, tenantId: string, id: string): Promise<SubscriptionRow | undefined> {
    const [row] = await tx
      .select()
      .from(webhookSubscriptions)
      .where(and(eq(webhookSubscriptions.tenantId, tenantId), eq(webhookSubscriptions.id, id)));
    return row;
  },
  /** As SQL, for a statement of the visits' (VisitEventQuiet): no active subscription of the tenant takes this event. */
  noneActiveFor(tenantId: string | Placeholder, event: WebhookEventType): SQL {
    return sql`NOT EXISTS (SELECT 1 FROM ${webhookSubscriptions} WHERE ${webhookSubscriptions.tenantId} = ${tenantId} AND ${webhookSubscriptions.active} AND ${webhookSubscriptions.events} ? ${event})`;
  },
  activeOf(tx: DbOrTx, tenantId: string) {
    return tx
      .select()
      .from(webhookSubscriptions)
      .where(and(eq(webhookSubscriptions.tenantId, tenantId), eq(webhookSubscriptions.active, true)));
  },
  deliveries(tx: DbOrTx, tenantId: string, subscriptionId: string, limit: number) {
    return tx
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.subscriptionId, subscriptionId)))
      .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
      .limit(limit);
  },
  async delivery(tx: DbOrTx, tenantId: string, id: string): Promise<DeliveryRow | undefined> {
    const [row] = await tx
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.id, id)));
    return row;
  },
};
