import type { SafetyStatus, VisitOutcome, VisitReason } from '../signin.tables.js';
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

/**
 * Reasons no mode overrides: an archived or removed member (a leaver, a SCIM `active=false`)
 * cannot sign in, whether the group checks the rest or not.
 */
export const ALWAYS_REJECT: ReadonlySet<string> = new Set(['member_archived', 'member_removed']);

/** What the group's safety check mode makes of the reasons. */
export function decide(mode: 'off' | 'reject' | 'notify', reasons: VisitReason[]): { outcome: VisitOutcome; safetyStatus: SafetyStatus; notify: boolean } {
  if (reasons.some((r) => ALWAYS_REJECT.has(r.code))) return { outcome: 'rejected', safetyStatus: 'rejected', notify: false };
  if (mode === 'off') return { outcome: 'signed_in', safetyStatus: 'skipped', notify: false };
  if (reasons.length === 0) return { outcome: 'signed_in', safetyStatus: 'passed', notify: false };
  if (mode === 'notify') return { outcome: 'signed_in', safetyStatus: 'notified', notify: true };
  return { outcome: 'rejected', safetyStatus: 'rejected', notify: false };
}
