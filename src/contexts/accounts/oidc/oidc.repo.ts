import { and, asc, eq, inArray, isNull, lt } from 'drizzle-orm';
import type { DbOrTx } from '../../../platform/db/database.js';
import { oidcConnections, oidcDomains, oidcFlows } from './oidc.tables.js';

export type ConnectionRow = typeof oidcConnections.$inferSelect;
export type ConnectionWithDomains = ConnectionRow & { domains: string[] };
export type FlowRow = typeof oidcFlows.$inferSelect;

async function withDomains(db: DbOrTx, rows: ConnectionRow[]): Promise<ConnectionWithDomains[]> {
  if (rows.length === 0) return [];
  const domains = await db
    .select()
    .from(oidcDomains)
    .where(inArray(oidcDomains.connectionId, rows.map((r) => r.id)))
    .orderBy(asc(oidcDomains.domain));
  return rows.map((r) => ({ ...r, domains: domains.filter((d) => d.connectionId === r.id).map((d) => d.domain) }));
}

export const oidcRepo = {
  async list(db: DbOrTx, tenantId: string) {
    const rows = await db.select().from(oidcConnections).where(eq(oidcConnections.tenantId, tenantId)).orderBy(asc(oidcConnections.createdAt));
    return withDomains(db, rows);
  },
  async find(db: DbOrTx, tenantId: string, id: string): Promise<ConnectionWithDomains | undefined> {
    const rows = await db
      .select()
      .from(oidcConnections)
      .where(and(eq(oidcConnections.tenantId, tenantId), eq(oidcConnections.id, id)))
      .limit(1);
    return (await withDomains(db, rows))[0];
  },
  /** Any tenant's connection by id: only for the public sign-in start, which then works inside its tenant. */
  async findAnyTenant(db: DbOrTx, id: string): Promise<ConnectionWithDomains | undefined> {
    const rows = await db.select().from(oidcConnections).where(eq(oidcConnections.id, id)).limit(1);
    return (await withDomains(db, rows))[0];
  },
  async byDomain(db: DbOrTx, domain: string): Promise<ConnectionWithDomains | undefined> {
    const [d] = await db.select().from(oidcDomains).where(eq(oidcDomains.domain, domain)).limit(1);
    return d ? oidcRepo.find(db, d.tenantId, d.connectionId) : undefined;
  },
  async domainOwners(db: DbOrTx, domains: string[]) {
    if (domains.length === 0) return [];
    return db.select().from(oidcDomains).where(inArray(oidcDomains.domain, domains));
  },
  async insert(db: DbOrTx, values: typeof oidcConnections.$inferInsert) {
    const [row] = await db.insert(oidcConnections).values(values).returning();
    return row!;
  },
  async update(db: DbOrTx, tenantId: string, id: string, set: Partial<typeof oidcConnections.$inferInsert>) {
    const [row] = await db
      .update(oidcConnections)
      .set(set)
      .where(and(eq(oidcConnections.tenantId, tenantId), eq(oidcConnections.id, id)))
      .returning();
    return row;
  },
  async remove(db: DbOrTx, tenantId: string, id: string) {
    await db.delete(oidcConnections).where(and(eq(oidcConnections.tenantId, tenantId), eq(oidcConnections.id, id)));
  },
  async replaceDomains(db: DbOrTx, tenantId: string, connectionId: string, domains: string[]) {
    await db.delete(oidcDomains).where(and(eq(oidcDomains.tenantId, tenantId), eq(oidcDomains.connectionId, connectionId)));
    if (domains.length > 0) await db.insert(oidcDomains).values(domains.map((domain) => ({ domain, tenantId, connectionId })));
  },
  async insertFlow(db: DbOrTx, values: typeof oidcFlows.$inferInsert) {
    await db.delete(oidcFlows).where(lt(oidcFlows.expiresAt, new Date(Date.now() - 24 * 3600_000)));
    await db.insert(oidcFlows).values(values);
  },
  async flowByState(db: DbOrTx, stateHash: string): Promise<FlowRow | undefined> {
    const [row] = await db.select().from(oidcFlows).where(eq(oidcFlows.stateHash, stateHash)).limit(1);
    return row;
  },
  /** Marks the flow used; false when it already was (a replayed state). */
  async useFlow(db: DbOrTx, id: string, at: Date): Promise<boolean> {
    const rows = await db
      .update(oidcFlows)
      .set({ usedAt: at })
      .where(and(eq(oidcFlows.id, id), isNull(oidcFlows.usedAt)))
      .returning({ id: oidcFlows.id });
    return rows.length === 1;
  },
};
