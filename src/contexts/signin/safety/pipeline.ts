import type { VisitReason } from '../signin.tables.js';
import type { SafetyCheck, SafetyContext } from './safety.types.js';

/** Runs every check in order and collects all the reasons (a person sees all of them at once). */
export async function runSafetyChecks(checks: readonly SafetyCheck[], ctx: SafetyContext): Promise<VisitReason[]> {
  return (await safetyOutcome(checks, ctx)).reasons;
}

/** The reasons and the earliest date any check's answer may change (null: none known). */
export async function safetyOutcome(checks: readonly SafetyCheck[], ctx: SafetyContext): Promise<{ reasons: VisitReason[]; validUntil: string | null }> {
  const reasons: VisitReason[] = [];
  let validUntil: string | null = null;
  for (const check of checks) {
    let results;
    try {
      results = await check.run(ctx);
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
