import { and, eq, or, type SQL } from 'drizzle-orm';
import { blockList } from '../signin.tables.js';
import { normaliseName } from '../../../common/normalise.js';
import { zonedClock } from '../../../platform/zoned-clock.js';
import { CUSTOM_FIELD_ANSWER, rejectingAnswers } from '../../../common/sign-in-rules.js';
import type { BlockEntry, SafetyCheck, SafetyContext, SafetyResult } from './safety.types.js';

const allow: SafetyResult = { allow: true };

/** Custom fields whose answer is the group's "reject on" answer (the rule an offline kiosk judges too: src/common/sign-in-rules.ts). */
export const customFieldCheck: SafetyCheck = {
  name: 'custom_fields',
  async run(ctx) {
    const results: SafetyResult[] = rejectingAnswers(ctx.group.options.customFields, ctx.answers).map((f) => ({ allow: false, code: CUSTOM_FIELD_ANSWER, reason: f.rejectOn.message }));
    return results.length ? results : allow;
  },
};

/** The group's agreement, accepted now or (members) already accepted in its current wording. */
export const agreementCheck: SafetyCheck = {
  name: 'agreement',
  async run(ctx) {
    if (!ctx.group.options.agreement) return allow;
    if (ctx.agreementAccepted || ctx.previouslyAcceptedAgreement) return allow;
    return { allow: false, code: 'agreement_not_accepted', reason: 'The agreement was not accepted' };
  },
};

/**
 * The tenant's block list: a whole normalised name (never a part of one: "Reyes" does not match
 * "yes"), or the same email, or the same name and date of birth when both are known.
 */
export const blockListCheck: SafetyCheck = {
  name: 'block_list',
  async run(ctx) {
    const name = normaliseName(ctx.person.fullName);
    const email = ctx.person.email ? ctx.person.email.trim().toLowerCase() : null;
    let rows: ReadonlyArray<BlockEntry>;
    if (ctx.blockList) rows = ctx.blockList;
    else {
      const conds: SQL[] = [eq(blockList.normalisedName, name)];
      if (email) conds.push(eq(blockList.email, email));
      rows = await ctx.tx
        .select({ normalisedName: blockList.normalisedName, email: blockList.email, dateOfBirth: blockList.dateOfBirth })
        .from(blockList)
        .where(and(eq(blockList.tenantId, ctx.tenantId), or(...conds)));
    }
    // The same rule over the whole list or over the entries read for this person.
    const hit = rows.some((r) => {
      if (email && r.email && r.email === email) return true;
      if (r.normalisedName !== name) return false;
      return !(r.dateOfBirth && ctx.person.dateOfBirth && r.dateOfBirth !== ctx.person.dateOfBirth);
    });
    return hit ? { allow: false, code: 'blocked', reason: 'This person may not sign in here; please see reception' } : allow;
  },
};

/** Archived (left) or removed members cannot sign in. */
export const memberActiveCheck: SafetyCheck = {
  name: 'member_active',
  async run(ctx) {
    if (!ctx.member) return allow;
    if (ctx.member.deletedAt) return { allow: false, code: 'member_removed', reason: 'This person has been removed from the group' };
    if (ctx.member.archivedAt) return { allow: false, code: 'member_archived', reason: 'This person is no longer active in the group' };
    return allow;
  },
};

/** The calendar day after a YYYY-MM-DD date. */
export function dayAfter(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** Members outside their start and end dates (inclusive, in the site's time zone). */
export const memberDatesCheck: SafetyCheck = {
  name: 'member_dates',
  async run(ctx: SafetyContext) {
    if (!ctx.member) return allow;
    const today = zonedClock(ctx.site.timezone).date(ctx.now);
    if (ctx.member.startDate && today < ctx.member.startDate) return { allow: false, code: 'before_start_date', reason: `Not expected before ${ctx.member.startDate}`, validUntil: ctx.member.startDate };
    if (ctx.member.endDate && today > ctx.member.endDate) return { allow: false, code: 'after_end_date', reason: `Not expected after ${ctx.member.endDate}` };
    return ctx.member.endDate ? { allow: true, validUntil: dayAfter(ctx.member.endDate) } : allow;
  },
};

export const BUILT_IN_CHECKS: readonly SafetyCheck[] = [customFieldCheck, agreementCheck, blockListCheck, memberActiveCheck, memberDatesCheck];
