import type { DbOrTx } from '../../../platform/db/database.js';
import type { VisitReason } from '../signin.tables.js';
import type { SafetyAsk, SafetyCheck, SafetyContext, SafetyResult } from './safety.types.js';

/**
 * The checks' runs begun early for `ask` (those with `begin`), reading on `db`, to be finished by
 * `safetyOutcome` if its context is that ask's and runs on that same handle (never in a
 * transaction: on PGlite a read on `db` waits for an open transaction to end).
 */
export type BegunChecks = { ask: SafetyAsk; db: DbOrTx; runs: Map<SafetyCheck, (ctx: SafetyContext) => Promise<SafetyResult | SafetyResult[]>> };

/**
 * Begins the reads of the checks that can start from `ask` alone (`SafetyCheck.begin`) on `db`. A
 * `begin` that throws fails its check when it is finished, as a failing `run` does.
 */
export function beginSafetyChecks(checks: readonly SafetyCheck[], ask: SafetyAsk, db: DbOrTx): BegunChecks {
  const runs: BegunChecks['runs'] = new Map();
  for (const check of checks) {
    if (!check.begin) continue;
    try {
      runs.set(check, check.begin(ask));
    } catch (err) {
      runs.set(check, () => Promise.reject(err instanceof Error ? err : new Error(String(err))));
    }
  }
  return { ask, db, runs };
}

/** Runs every check in order and collects all the reasons (a person sees all of them at once). */
export async function runSafetyChecks(checks: readonly SafetyCheck[], ctx: SafetyContext, begun?: BegunChecks): Promise<VisitReason[]> {
  return (await safetyOutcome(checks, ctx, begun)).reasons;
}

/**
 * The reasons and the earliest date any check's answer may change (null: none known). A check
 * begun early (`begun`) is finished from what it read, if the context is the one it was begun for;
 * otherwise it runs as usual.
 */
export async function safetyOutcome(checks: readonly SafetyCheck[], ctx: SafetyContext, begun?: BegunChecks): Promise<{ reasons: VisitReason[]; validUntil: string | null }> {
  const reasons: VisitReason[] = [];
  let validUntil: string | null = null;
  const same = begun !== undefined && ctx.tx === begun.db && ctx.member !== null && begun.ask.tenantId === ctx.tenantId && begun.ask.groupId === ctx.group.id && begun.ask.memberId === ctx.member.id;
  for (const check of checks) {
    let results;
    try {
      const early = same ? begun.runs.get(check) : undefined;
      results = await (early ? early(ctx) : check.run(ctx));
    } catch {
      results = { allow: false as const, code: 'check_failed', reason: 'A safety check could not be completed; please see reception' };
    }
    for (const r of Array.isArray(results) ? results : [results]) {
      if (!r.allow) reasons.push({ check: check.name, code: r.code, reason: r.reason });
      if (r.validUntil && (validUntil === null || r.validUntil < validUntil)) validUntil = r.validUntil;
    }
  }
  return { reasons, validUntil };
}

/** The mode's decision is shared with the offline kiosk (src/common/sign-in-rules.ts). */
export { ALWAYS_REJECT, decide } from '../../../common/sign-in-rules.js';
