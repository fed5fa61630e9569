import type { Placeholder, SQL } from 'drizzle-orm';
import type { Tx } from '../../../platform/db/database.js';

/**
 * Domain events of visits. The visits service calls every sink inside the transaction that
 * writes the visit; sinks (webhooks, the live roll call feed) queue jobs or pg_notify there, so
 * an event exists exactly when its visit does and a slow webhook never slows a sign-in.
 */
export type VisitEventType = 'visit.signed_in' | 'visit.signed_out' | 'visit.rejected' | 'visit.marked_safe';

export type VisitEvent = {
  type: VisitEventType;
  tenantId: string;
  visitId: string;
  siteId: string;
  groupId: string;
  memberId: string | null;
  at: string; // ISO time
  /** The public shape of the visit (the visits presenter's output). */
  visit: Record<string, unknown>;
};

export type VisitEventSink = (tx: Tx, event: VisitEvent) => Promise<void>;

/**
 * A sink's bulk form (optional): the same work for several events, in their order, in one
 * transaction (a replayed chunk of offline events), reading what it needs once instead of per event.
 */
export type VisitEventSinkMany = (tx: Tx, events: readonly VisitEvent[]) => Promise<void>;
export type BulkVisitEventSink = VisitEventSink & { many?: VisitEventSinkMany; quietWhen?: VisitEventQuiet };

/**
 * A sink's "nothing to do" as SQL (optional): a condition, true when the sink would do nothing for
 * an event of this type (e.g. the tenant has no active subscription to it). A sign-in whose every
 * sink has one writes its visit in one statement gated on all of them, with no transaction
 * (decision 035); when the gate is closed it takes the transaction and calls the sinks as always.
 */
export type VisitEventQuiet = (event: QuietEvent) => SQL;
/**
 * What `quietWhen` is asked about: the event's type, and its tenant, site and group as values or as
 * placeholders (sign-in builds its gated insert once per event type and prepares it, decision 038).
 */
export type QuietEvent = { type: VisitEventType; tenantId: string | Placeholder; siteId: string | Placeholder; groupId: string | Placeholder };
