import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/database.js';
import { insertRows } from '../db/values.js';
import type { Principal } from '../http/principal.js';
import { auditLog } from './audit.tables.js';

export type AuditEntry = {
  action: string;
  targetType?: string;
  targetId?: string;
  summary?: string;
  data?: Record<string, unknown>;
};

/** Writes several audit rows in one statement (same actor, same transaction as the changes). */
export async function recordAudits(tx: DbOrTx, tenantId: string, actor: Actor, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.insert(auditLog).select(
    insertRows(
      auditLog,
      entries.map((entry) => ({
      tenantId,
      actorKind: actor.kind,
      actorId: actor.id,
      actorLabel: actor.label,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      summary: entry.summary ?? '',
      data: entry.data ?? {},
        requestId: actor.requestId,
      })),
    ),
  );
}

/** Actor of a change: a principal, or the system (jobs, CLI). */
export type Actor = Pick<Principal, 'kind' | 'id' | 'label'> & { requestId?: string };
export const systemActor: Actor = { kind: 'system', id: null, label: 'system' };

/** Writes an audit row. Call it with the same transaction as the change it records. */
export async function recordAudit(tx: DbOrTx, tenantId: string, actor: Actor, entry: AuditEntry): Promise<void> {
  await recordAudits(tx, tenantId, actor, [entry]);
}

/** The placeholders `auditRowsOf` leaves for the actor, and their values for an actor. */
const actorPlaceholders = {
  kind: sql.placeholder('auditActorKind'),
  id: sql.placeholder('auditActorId'),
  label: sql.placeholder('auditActorLabel'),
  requestId: sql.placeholder('auditRequestId'),
};
export function auditActorValues(actor: Actor): Record<string, unknown> {
  return { auditActorKind: actor.kind, auditActorId: actor.id, auditActorLabel: actor.label, auditRequestId: actor.requestId ?? null };
}

/**
 * The audit row of every row another part of the same statement wrote: `INSERT INTO audit_log
 * … SELECT … FROM from`, for a data-modifying CTE (`WITH m AS (UPDATE … RETURNING *), a AS
 * (auditRowsOf(…)) SELECT * FROM m`), so a change and its audit row are one statement (one round
 * trip, no transaction needed for the pair). The row's fields are SQL over `from`'s columns; the
 * actor comes from placeholders filled by `auditActorValues(actor)` (the statement can be
 * prepared once). Rows land as `recordAudit` writes them. `row.requestId`: each row's own request
 * (SQL over `from`) instead of the actor's, for a statement that writes for several requests.
 */
export function auditRowsOf(db: Db, from: SQL, row: { tenantId: SQL; action: SQL; targetType: SQL; targetId: SQL; summary: SQL; data: SQL; requestId?: SQL }) {
  const a = { ...actorPlaceholders, requestId: row.requestId ?? actorPlaceholders.requestId };
  return db
    .insert(auditLog)
    .select(
      sql`SELECT gen_random_uuid(), ${row.tenantId}, now(), ${a.kind}::text, ${a.id}::text, ${a.label}::text, ${row.action}, ${row.targetType}, ${row.targetId}, ${row.summary}, ${row.data}, ${a.requestId}::text FROM ${from}`,
    );
}

/**
 * On erasure of a person: earlier audit rows about them keep who did what and when, but lose the
 * personal data in their summary and data. Call it in the erasing transaction.
 */
export async function redactAuditOf(tx: DbOrTx, tenantId: string, targetType: string, targetId: string): Promise<void> {
  await tx
    .update(auditLog)
    .set({ summary: '[erased]', data: { erased: true } })
    .where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.targetType, targetType), eq(auditLog.targetId, targetId)));
}
