import { and, eq, gt, inArray, sql, type Placeholder } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../platform/db/database.js';
import { preparedStatement } from '../../platform/db/prepared.js';
import { insertRows, valuesColumn, valuesTable, type ValuesColumn } from '../../platform/db/values.js';
import {
  integrationExclusions,
  integrationExternalIds,
  integrationGroupLinks,
  integrationJobRuns,
  integrationMergeQueue,
  integrationMerges,
  integrationPersonLinks,
  integrationRunItems,
  integrationSettings,
  integrationTypeRules,
  SKIP_REASONS,
  type DuplicateReason,
  type SkipReason,
} from './integration.tables.js';

const LINK_VERSIONS: ValuesColumn[] = [
  { name: 'id', type: 'uuid' },
  { name: 'member_version', type: 'integer' },
  { name: 'profile_version', type: 'integer' },
];

export type GroupLinkRow = typeof integrationGroupLinks.$inferSelect;
export type PersonLinkRow = typeof integrationPersonLinks.$inferSelect;
export type RunRow = typeof integrationJobRuns.$inferSelect;
export type QueueRow = typeof integrationMergeQueue.$inferSelect;
export type MergeRow = typeof integrationMerges.$inferSelect;

/** The integration's own tables. Every query filters on the tenant. */
export const integrationRepo = {
  async settings(tx: DbOrTx, tenantId: string) {
    const [s] = await tx.select().from(integrationSettings).where(eq(integrationSettings.tenantId, tenantId));
    return s ?? { tenantId, includeRecordInSafetyCheck: false, updatedAt: new Date(0) };
  },
  async saveSettings(tx: DbOrTx, tenantId: string, includeRecordInSafetyCheck: boolean, at: Date) {
    const [s] = await tx
      .insert(integrationSettings)
      .values({ tenantId, includeRecordInSafetyCheck, updatedAt: at })
      .onConflictDoUpdate({ target: integrationSettings.tenantId, set: { includeRecordInSafetyCheck, updatedAt: at } })
      .returning();
    return s!;
  },

  async groupLinks(tx: DbOrTx, tenantId: string) {
    return tx.select().from(integrationGroupLinks).where(eq(integrationGroupLinks.tenantId, tenantId)).orderBy(integrationGroupLinks.createdAt);
  },
  /**
   * The tenant's groups the integration hears member changes of: those linked to the record, and
   * those with linked people (a group unlinked keeps its people's links). One statement.
   */
  async groupsInUse(tx: DbOrTx, tenantId: string): Promise<{ linked: string[]; withPeople: string[] }> {
    const rows = await tx
      .select({ groupId: integrationGroupLinks.groupId, linked: sql<boolean>`true` })
      .from(integrationGroupLinks)
      .where(eq(integrationGroupLinks.tenantId, tenantId))
      .union(
        tx
          .selectDistinct({ groupId: integrationPersonLinks.groupId, linked: sql<boolean>`false` })
          .from(integrationPersonLinks)
          .where(eq(integrationPersonLinks.tenantId, tenantId)),
      );
    return { linked: rows.filter((r) => r.linked).map((r) => r.groupId), withPeople: rows.filter((r) => !r.linked).map((r) => r.groupId) };
  },
  async groupLink(tx: DbOrTx, tenantId: string, groupId: string): Promise<GroupLinkRow | undefined> {
    const [l] = await tx.select().from(integrationGroupLinks).where(and(eq(integrationGroupLinks.tenantId, tenantId), eq(integrationGroupLinks.groupId, groupId)));
    return l;
  },

  async typeRules(tx: DbOrTx, tenantId: string) {
    return tx.select().from(integrationTypeRules).where(eq(integrationTypeRules.tenantId, tenantId)).orderBy(integrationTypeRules.position);
  },

  async linksOfMembers(tx: DbOrTx, tenantId: string, memberIds: string[]): Promise<PersonLinkRow[]> {
    if (memberIds.length === 0) return [];
    return tx.select().from(integrationPersonLinks).where(and(eq(integrationPersonLinks.tenantId, tenantId), inArray(integrationPersonLinks.memberId, memberIds)));
  },
  /** The ids of the members' links (what queueing their sync needs; no row mapped for the rest). */
  async linkIdsOfMembers(tx: DbOrTx, tenantId: string, memberIds: string[]): Promise<Array<Pick<PersonLinkRow, 'id' | 'tenantId'>>> {
    if (memberIds.length === 0) return [];
    return tx
      .select({ id: integrationPersonLinks.id, tenantId: integrationPersonLinks.tenantId })
      .from(integrationPersonLinks)
      .where(and(eq(integrationPersonLinks.tenantId, tenantId), inArray(integrationPersonLinks.memberId, memberIds)));
  },
  async linksOfProfiles(tx: DbOrTx, tenantId: string, profileIds: string[]): Promise<PersonLinkRow[]> {
    if (profileIds.length === 0) return [];
    return tx.select().from(integrationPersonLinks).where(and(eq(integrationPersonLinks.tenantId, tenantId), inArray(integrationPersonLinks.profileId, profileIds)));
  },

  async linkOfMember(tx: DbOrTx, tenantId: string, memberId: string): Promise<PersonLinkRow | undefined> {
    const [l] = await tx.select().from(integrationPersonLinks).where(and(eq(integrationPersonLinks.tenantId, tenantId), eq(integrationPersonLinks.memberId, memberId)));
    return l;
  },

  /** Each link's own versions (as last made equal), in one `UPDATE … FROM unnest(…)`. */
  async setLinkVersionsMany(tx: DbOrTx, tenantId: string, rows: ReadonlyArray<{ linkId: string; memberVersion: number; profileVersion: number }>, syncedAt: Date) {
    if (rows.length === 0) return;
    await tx
      .update(integrationPersonLinks)
      .set({ memberVersion: valuesColumn('v', 'member_version'), profileVersion: valuesColumn('v', 'profile_version'), syncedAt })
      .from(valuesTable('v', LINK_VERSIONS, rows.map((r) => [r.linkId, r.memberVersion, r.profileVersion])))
      .where(and(eq(integrationPersonLinks.tenantId, tenantId), eq(integrationPersonLinks.id, valuesColumn('v', 'id'))));
  },

  async excludedMemberIds(tx: DbOrTx, tenantId: string): Promise<Set<string>> {
    const rows = await tx.select({ memberId: integrationExclusions.memberId }).from(integrationExclusions).where(eq(integrationExclusions.tenantId, tenantId));
    return new Set(rows.map((r) => r.memberId));
  },

  async externalIdsOf(tx: DbOrTx, tenantId: string, profileIds: string[]) {
    if (profileIds.length === 0) return [];
    return tx.select().from(integrationExternalIds).where(and(eq(integrationExternalIds.tenantId, tenantId), inArray(integrationExternalIds.profileId, profileIds)));
  },
  async allExternalIds(tx: DbOrTx, tenantId: string) {
    return tx.select().from(integrationExternalIds).where(eq(integrationExternalIds.tenantId, tenantId));
  },

  async queuePair(tx: DbOrTx, tenantId: string, a: string, b: string, reason: DuplicateReason, detail: string, runId: string | null) {
    const [x, y] = a < b ? [a, b] : [b, a];
    await tx.insert(integrationMergeQueue).values({ tenantId, profileAId: x, profileBId: y, reason, detail, runId }).onConflictDoNothing();
  },
  /** Many pairs in one INSERT (a pair already queued keeps its first entry). */
  async queuePairs(tx: DbOrTx, tenantId: string, pairs: ReadonlyArray<{ a: string; b: string; reason: DuplicateReason; detail: string }>, runId: string | null) {
    if (pairs.length === 0) return;
    const rows = pairs.map(({ a, b, reason, detail }) => {
      const [x, y] = a < b ? [a, b] : [b, a];
      return { tenantId, profileAId: x, profileBId: y, reason, detail, runId };
    });
    await tx.insert(integrationMergeQueue).select(insertRows(integrationMergeQueue, rows)).onConflictDoNothing();
  },
  async queueItem(tx: DbOrTx, tenantId: string, id: string): Promise<QueueRow | undefined> {
    const [q] = await tx.select().from(integrationMergeQueue).where(and(eq(integrationMergeQueue.tenantId, tenantId), eq(integrationMergeQueue.id, id)));
    return q;
  },
  async queueForPair(tx: DbOrTx, tenantId: string, a: string, b: string): Promise<QueueRow | undefined> {
    const [x, y] = a < b ? [a, b] : [b, a];
    const [q] = await tx
      .select()
      .from(integrationMergeQueue)
      .where(and(eq(integrationMergeQueue.tenantId, tenantId), eq(integrationMergeQueue.profileAId, x), eq(integrationMergeQueue.profileBId, y)));
    return q;
  },

  async merge(tx: DbOrTx, tenantId: string, id: string): Promise<MergeRow | undefined> {
    const [m] = await tx.select().from(integrationMerges).where(and(eq(integrationMerges.tenantId, tenantId), eq(integrationMerges.id, id)));
    return m;
  },

  async run(tx: DbOrTx, tenantId: string, id: string): Promise<RunRow | undefined> {
    const [r] = await tx.select().from(integrationJobRuns).where(and(eq(integrationJobRuns.tenantId, tenantId), eq(integrationJobRuns.id, id)));
    return r;
  },
  async runById(tx: DbOrTx, id: string): Promise<RunRow | undefined> {
    const [r] = await tx.select().from(integrationJobRuns).where(eq(integrationJobRuns.id, id));
    return r;
  },
  async doneItems(tx: DbOrTx, runId: string, keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await tx
      .select({ k: integrationRunItems.itemKey })
      .from(integrationRunItems)
      .where(and(eq(integrationRunItems.runId, runId), inArray(integrationRunItems.itemKey, keys)));
    return new Set(rows.map((r) => r.k));
  },
  /** A run's skipped items per reason (`skipped:<reason>`); a reason none had counts 0. */
  async skipReasons(db: DbOrTx, runId: string): Promise<Record<SkipReason, number>> {
    const rows = await db
      .select({ outcome: integrationRunItems.outcome, n: sql<number>`count(*)::int` })
      .from(integrationRunItems)
      .where(and(eq(integrationRunItems.runId, runId), sql`${integrationRunItems.outcome} like 'skipped:%'`))
      .groupBy(integrationRunItems.outcome);
    const counts = Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>;
    for (const r of rows) {
      const reason = r.outcome.slice('skipped:'.length) as SkipReason;
      if (reason in counts) counts[reason] += Number(r.n);
    }
    return counts;
  },
  async markItems(tx: DbOrTx, runId: string, items: Array<{ itemKey: string; outcome: string }>) {
    if (items.length === 0) return;
    await tx.insert(integrationRunItems).select(insertRows(integrationRunItems, items.map((i) => ({ runId, ...i })))).onConflictDoNothing();
  },
  async bumpRun(tx: DbOrTx, runId: string, d: { done?: number; created?: number; queued?: number; updated?: number; skipped?: number; failed?: number }) {
    await tx
      .update(integrationJobRuns)
      .set({
        done: sql`${integrationJobRuns.done} + ${d.done ?? 0}`,
        created: sql`${integrationJobRuns.created} + ${d.created ?? 0}`,
        queued: sql`${integrationJobRuns.queued} + ${d.queued ?? 0}`,
        updated: sql`${integrationJobRuns.updated} + ${d.updated ?? 0}`,
        skipped: sql`${integrationJobRuns.skipped} + ${d.skipped ?? 0}`,
        failed: sql`${integrationJobRuns.failed} + ${d.failed ?? 0}`,
      })
      .where(eq(integrationJobRuns.id, runId));
  },

  /** A page of person links of every tenant, by id after `afterId`, with the versions they were last made equal at: the sync sweep. */
  async personLinksPage(tx: DbOrTx, afterId: string | null, limit: number) {
    return tx
      .select({ id: integrationPersonLinks.id, tenantId: integrationPersonLinks.tenantId, memberId: integrationPersonLinks.memberId, profileId: integrationPersonLinks.profileId, memberVersion: integrationPersonLinks.memberVersion, profileVersion: integrationPersonLinks.profileVersion })
      .from(integrationPersonLinks)
      .where(afterId ? gt(integrationPersonLinks.id, afterId) : undefined)
      .orderBy(integrationPersonLinks.id)
      .limit(limit);
  },
};

/**
 * What the record's safety check reads of the integration for one sign-in, in one statement
 * (decision 030): the tenant's setting, the group's link and the member's link (each as
 * `settings`, `groupLink` and `linkOfMember` answer it); values or placeholders.
 */
function safetyCheckLinksQuery(d: DbOrTx, tenantId: string | Placeholder, groupId: string | Placeholder, memberId: string | Placeholder) {
  return d
    .select({ settings: integrationSettings, link: integrationGroupLinks, person: integrationPersonLinks })
    .from(sql`(SELECT 1) AS one`)
    .leftJoin(integrationSettings, eq(integrationSettings.tenantId, tenantId))
    .leftJoin(integrationGroupLinks, and(eq(integrationGroupLinks.tenantId, tenantId), eq(integrationGroupLinks.groupId, groupId)))
    .leftJoin(integrationPersonLinks, and(eq(integrationPersonLinks.tenantId, tenantId), eq(integrationPersonLinks.memberId, memberId)));
}
type SafetyCheckLinksRow = Awaited<ReturnType<typeof safetyCheckLinksQuery>>[number];

function safetyCheckLinksOf(tenantId: string, row: SafetyCheckLinksRow | undefined) {
  return {
    settings: row?.settings ?? { tenantId, includeRecordInSafetyCheck: false, updatedAt: new Date(0) },
    link: row?.link ?? undefined,
    person: row?.person ?? undefined,
  };
}
export type SafetyCheckLinks = (tx: DbOrTx, tenantId: string, groupId: string, memberId: string) => Promise<ReturnType<typeof safetyCheckLinksOf>>;

/**
 * That read built once and prepared on `db` (`preparedStatement`: parsed
 * and planned once per PostgreSQL connection, run in the caller's transaction too): every
 * sign-in of a member with the record's check on sends it (decision 038).
 */
export function createSafetyCheckLinks(db: Db): SafetyCheckLinks {
  const statement = preparedStatement(db, 'integration_safety_check_links', (d) =>
    safetyCheckLinksQuery(d, sql.placeholder('tenantId'), sql.placeholder('groupId'), sql.placeholder('memberId')),
  );
  return async (tx, tenantId, groupId, memberId) => {
    const [row] = await statement.execute(tx, { tenantId, groupId, memberId });
    return safetyCheckLinksOf(tenantId, row);
  };
}
