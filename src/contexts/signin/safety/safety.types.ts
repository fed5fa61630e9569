import type { DbOrTx } from '../../../platform/db/database.js';
import type { MemberRow } from '../members/members.port.js';
import type { SignInOptionsStored } from '../groups/groups.schemas.js';
import type { VisitorDetails } from '../signin.tables.js';

/** What a check sees: the person signing in, where, into which group, and what they answered. */
export type SafetyContext = {
  tx: DbOrTx;
  tenantId: string;
  site: { id: string; name: string; timezone: string };
  group: { id: string; name: string; type: 'standard' | 'repeat' | 'scim'; options: SignInOptionsStored };
  /** The member signing in (repeat and SCIM groups), or null for a visitor. */
  member: MemberRow | null;
  visitor: VisitorDetails | null;
  /** The person's name and structured details, whichever kind they are. */
  person: { fullName: string; email: string | null; dateOfBirth: string | null };
  answers: Record<string, string>;
  agreementAccepted: boolean;
  /** The agreement version this person accepted before (members), if any. */
  previouslyAcceptedAgreement: boolean;
  now: Date;
  /**
   * The tenant's whole block list (its entries' normalised name, email and date of birth), when
   * the caller read it already with its own reads (a sign-in does, decision 035); absent, the
   * block-list check reads the entries that could match.
   */
  blockList?: ReadonlyArray<BlockEntry>;
};

/** A block-list entry as the check compares it. */
export type BlockEntry = { normalisedName: string; email: string | null; dateOfBirth: string | null };

/**
 * One check's answer. `validUntil` (optional, YYYY-MM-DD) is the first date the answer may change,
 * e.g. the day a check expires or a member's end date passes: an offline kiosk's last known outcome
 * is stale from then on.
 */
export type SafetyResult = { allow: true; validUntil?: string } | { allow: false; reason: string; code: string; validUntil?: string };

/** What a sign-in's request names before anything is read: enough for a check to start its own read. */
export type SafetyAsk = { tenantId: string; groupId: string; memberId: string };

/**
 * One check: `name` is stored with its reasons on the visit. `begin` (optional) starts the check's
 * own reads from what the request names alone, beside the sign-in's reads instead of after them
 * (one round trip fewer, decision 049), and gives what finishes the check: it is used only for a
 * context with that member in that group, outside any transaction, and dropped otherwise (a 404,
 * the group's checks off). What it starts must not reject unhandled: it may never be finished.
 */
export type SafetyCheck = {
  name: string;
  run: (ctx: SafetyContext) => Promise<SafetyResult | SafetyResult[]>;
  begin?: (ask: SafetyAsk) => (ctx: SafetyContext) => Promise<SafetyResult | SafetyResult[]>;
};
