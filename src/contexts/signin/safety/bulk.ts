import { and, eq, inArray, or, type SQL } from 'drizzle-orm';
import { normaliseName } from '../../../common/normalise.js';
import { blockList, type VisitReason } from '../signin.tables.js';
import { blockListCheck } from './checks.js';
import type { SafetyCheck, SafetyContext, SafetyResult } from './safety.types.js';

/**
 * The bulk form of a check: the answers for many sign-ins at once (one tenant, one transaction),
 * in the order given, each what `run` would answer for it alone. A check that reads the database
 * per person gives one, so a replayed chunk of offline events reads it in a few statements.
 */
export type SafetyCheckMany = (ctxs: readonly SafetyContext[]) => Promise<Array<SafetyResult | SafetyResult[]>>;
/** A check with its bulk form (optional: without one, `run` is called for each context in turn). */
export type BulkSafetyCheck = SafetyCheck & { runMany?: SafetyCheckMany };

const failed: SafetyResult = { allow: false, code: 'check_failed', reason: 'A safety check could not be completed; please see reception' };

/** The block list for many people: one query for all their names and emails, then blockListCheck's match. */
export const blockListMany: SafetyCheckMany = async (ctxs) => {
  if (ctxs.length === 0) return [];
  const { tx, tenantId } = ctxs[0]!;
  const names = [...new Set(ctxs.map((c) => normaliseName(c.person.fullName)))];
  const emails = [...new Set(ctxs.flatMap((c) => (c.person.email ? [c.person.email.trim().toLowerCase()] : [])))];
  const conds: SQL[] = [inArray(blockList.normalisedName, names)];
  if (emails.length > 0) conds.push(inArray(blockList.email, emails));
  const rows = await tx
    .select({ normalisedName: blockList.normalisedName, email: blockList.email, dateOfBirth: blockList.dateOfBirth })
    .from(blockList)
    .where(and(eq(blockList.tenantId, tenantId), or(...conds)));
  return ctxs.map((ctx): SafetyResult => {
    const name = normaliseName(ctx.person.fullName);
    const email = ctx.person.email ? ctx.person.email.trim().toLowerCase() : null;
    const hit = rows.some((r) => {
      if (email && r.email && r.email === email) return true;
      if (r.normalisedName !== name) return false;
      return !(r.dateOfBirth && ctx.person.dateOfBirth && r.dateOfBirth !== ctx.person.dateOfBirth);
    });
    return hit ? { allow: false, code: 'blocked', reason: 'This person may not sign in here; please see reception' } : { allow: true };
  });
};

/** A check's bulk form: its own, or the built-in one for the block list; none for a check that reads nothing. */
export function bulkFormOf(check: SafetyCheck): SafetyCheckMany | undefined {
  const own = (check as BulkSafetyCheck).runMany;
  if (typeof own === 'function') return own;
  if (check === blockListCheck) return blockListMany;
  return undefined;
}

/**
 * The pipeline's bulk form, for sign-ins decided one after another in memory (a replayed chunk of
 * offline events). Every check with a bulk form (those that read the database) runs now, once over
 * all the draft contexts; the answer for each sign-in is then put together, checks in order, with
 * the other checks (which read nothing, e.g. the agreement) run on its final context. The result
 * is what `safetyOutcome` gives for that context alone: all reasons collected in check order, the
 * earliest `validUntil`, a check that throws failing closed. A bulk form sees the draft context:
 * what it reads must not depend on earlier sign-ins of the same batch (today's forms read the
 * block list and the Central Record, which sign-ins do not change).
 */
export async function prepareSafetyOutcomes(
  checks: readonly SafetyCheck[],
  drafts: readonly SafetyContext[],
): Promise<(i: number, ctx: SafetyContext) => Promise<{ reasons: VisitReason[]; validUntil: string | null }>> {
  const pre = new Map<SafetyCheck, Array<SafetyResult | SafetyResult[]>>();
  if (drafts.length > 0) {
    for (const check of checks) {
      const many = bulkFormOf(check);
      if (!many) continue;
      let answers: Array<SafetyResult | SafetyResult[]>;
      try {
        answers = await many(drafts);
        if (answers.length !== drafts.length) throw new Error(`${check.name}: ${answers.length} answers for ${drafts.length} sign-ins`);
      } catch {
        answers = drafts.map(() => failed);
      }
      pre.set(check, answers);
    }
  }
  return async function outcomeOf(i, ctx) {
    const reasons: VisitReason[] = [];
    let validUntil: string | null = null;
    for (const check of checks) {
      let results: SafetyResult | SafetyResult[];
      const known = pre.get(check);
      if (known) results = known[i]!;
      else {
        try {
          results = await check.run(ctx);
        } catch {
          results = failed;
        }
      }
      for (const r of Array.isArray(results) ? results : [results]) {
        if (!r.allow) reasons.push({ check: check.name, code: r.code, reason: r.reason });
        if (r.validUntil && (validUntil === null || r.validUntil < validUntil)) validUntil = r.validUntil;
      }
    }
    return { reasons, validUntil };
  };
}
