import { z } from 'zod';
import { storableDateTime } from '../../../platform/http/dates.js';

export const siteParams = z.object({ siteId: z.uuid() });
export const idParams = z.object({ id: z.uuid() });
export const entryParams = z.object({ id: z.uuid(), entryId: z.uuid() });

export const onSitePerson = z.object({
  visitId: z.string(),
  memberId: z.string().nullable(),
  personName: z.string(),
  signedInAt: z.string(),
});
const siteDay = z.object({ onSite: z.number(), signedInToday: z.number(), rejectedToday: z.number() });
export const overviewSchema = z.object({
  asOf: z.string(),
  totals: siteDay.extend({ kiosksOnline: z.number(), kiosks: z.number() }),
  sites: z.array(siteDay.extend({ id: z.string(), name: z.string(), timezone: z.string(), kiosks: z.object({ online: z.number(), total: z.number() }) })),
  /** `timezone`: the site's IANA time zone, which the roll call's times are shown in (always sent; optional in the schema so clients written before it still match). */
  openRollCalls: z.array(z.object({ id: z.string(), siteId: z.string(), siteName: z.string(), timezone: z.string().optional(), startedAt: z.string() })),
});

export const onSiteSchema = z.object({
  site: z.object({ id: z.string(), name: z.string(), timezone: z.string() }),
  total: z.number(),
  groups: z.array(
    z.object({ id: z.string(), name: z.string(), colour: z.string(), showOnFireList: z.boolean(), people: z.array(onSitePerson) }),
  ),
  openRollCallId: z.string().nullable(),
});

export const entrySchema = z.object({
  id: z.string(),
  visitId: z.string(),
  memberId: z.string().nullable(),
  personName: z.string(),
  groupId: z.string(),
  groupName: z.string(),
  groupColour: z.string(),
  signedInAt: z.string(),
  joinedDuring: z.boolean(),
  signedOutAt: z.string().nullable(),
  status: z.enum(['unaccounted', 'safe']),
  markedAt: z.string().nullable(),
  markedBy: z.string().nullable(),
});
export const rollCallSchema = z.object({
  id: z.string(),
  siteId: z.string(),
  siteName: z.string(),
  /** The site's IANA time zone, which the roll call's times are shown in (always sent; optional in the schema so clients written before it, and views a phone kept from before it, still match). */
  timezone: z.string().optional(),
  status: z.enum(['open', 'closed']),
  seq: z.number(),
  note: z.string(),
  startedAt: z.string(),
  startedBy: z.string(),
  closedAt: z.string().nullable(),
  closedBy: z.string().nullable(),
  total: z.number(),
  safe: z.number(),
  unaccounted: z.number(),
});
export const rollCallView = z.object({ rollCall: rollCallSchema, entries: z.array(entrySchema) });
export const markBody = z.object({
  status: z.enum(['safe', 'unaccounted']),
  /** When the marshal ticked, for a tick made offline and sent later: a later change by another marshal is kept. */
  at: storableDateTime.optional(),
});
export const startBody = z.object({ note: z.string().trim().max(500).default('') });

/** A roll call started on a marshal's phone with no connection, sent on reconnect. */
export const offlineStartBody = z.object({
  /** When the marshal started it on the phone (a time in the future is taken as now). */
  startedAt: storableDateTime,
  note: z.string().trim().max(500).default(''),
  /**
   * The ticks made on the phone, in order, by the visit of the person ticked; for a person the
   * phone saw sign in offline as a paired kiosk (no visit id yet: the kiosk's queue is replayed
   * first), by member, or for a visitor by name.
   */
  ticks: z
    .array(
      z
        .object({ visitId: z.uuid().optional(), memberId: z.uuid().optional(), personName: z.string().trim().min(1).max(200).optional(), status: z.enum(['safe', 'unaccounted']), at: storableDateTime })
        .refine((t) => Boolean(t.visitId || t.memberId || t.personName), { message: 'visitId, memberId or personName', path: ['visitId'] }),
    )
    .max(5000)
    .default([]),
});
export const offlineStartView = rollCallView.extend({
  /** True when the roll call was already open at the site (or sent before): the ticks were merged into it. */
  merged: z.boolean(),
  ticks: z.object({ applied: z.number(), unchanged: z.number(), unmatched: z.number() }),
});
