import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
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
