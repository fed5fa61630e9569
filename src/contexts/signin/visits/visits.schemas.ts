import { z } from 'zod';
import { storableDate } from '../../../platform/http/dates.js';

/** A day to filter on, within what the database's timestamps hold (year 0000 was a 500). */
const filterDate = storableDate;

export const visitSchema = z.object({
  id: z.string(),
  siteId: z.string(),
  groupId: z.string(),
  memberId: z.string().nullable(),
  personName: z.string(),
  visitor: z.object({ fullName: z.string(), company: z.string().optional(), email: z.string().optional(), phone: z.string().optional(), dateOfBirth: z.string().optional() }).nullable(),
  signedInAt: z.string(),
  signedOutAt: z.string().nullable(),
  signedOutBy: z.enum(['kiosk', 'manual', 'auto']).nullable(),
  outcome: z.enum(['signed_in', 'rejected']),
  safetyStatus: z.enum(['passed', 'notified', 'rejected', 'skipped']),
  reasons: z.array(z.object({ check: z.string(), code: z.string(), reason: z.string() })),
  answers: z.record(z.string(), z.unknown()),
  agreementVersion: z.string().nullable(),
  hostMemberId: z.string().nullable(),
  protected: z.boolean(),
  /** Recorded by a kiosk while offline and replayed later, at the kiosk's time. */
  recordedOffline: z.boolean(),
  createdAt: z.string(),
});

const answerValue = z.union([z.string().max(2000), z.boolean()]);
export const signInBody = z
  .object({
    groupId: z.uuid(),
    memberId: z.uuid().optional(),
    qrToken: z.string().min(1).max(200).optional(),
    visitor: z
      .object({
        fullName: z.string().trim().min(1).max(200),
        company: z.string().trim().max(200).optional(),
        email: z.email().max(320).optional(),
        phone: z.string().trim().max(40).optional(),
        dateOfBirth: storableDate.optional(),
        hostMemberId: z.uuid().optional(),
      })
      .optional(),
    answers: z.record(z.string().max(40), answerValue).default({}),
    agreementAccepted: z.boolean().default(false),
    pin: z.string().max(16).optional(),
  })
  .refine((b) => [b.memberId, b.qrToken, b.visitor].filter((x) => x !== undefined).length === 1, { message: 'Give exactly one of memberId, qrToken or visitor', path: ['memberId'] });

export const signOutBody = z
  .object({ memberId: z.uuid().optional(), qrToken: z.string().min(1).max(200).optional(), visitId: z.uuid().optional() })
  .refine((b) => [b.memberId, b.qrToken, b.visitId].filter((x) => x !== undefined).length === 1, { message: 'Give exactly one of memberId, qrToken or visitId', path: ['memberId'] });

export const badgeSchema = z.object({ name: z.string(), groupName: z.string(), groupColour: z.string(), siteName: z.string(), hostName: z.string().nullable(), company: z.string().nullable(), date: z.string(), photoUrl: z.string().nullable() });

export const visitsQuery = z.object({
  siteId: z.uuid().optional(),
  groupId: z.uuid().optional(),
  memberId: z.uuid().optional(),
  person: z.string().trim().min(1).max(200).optional(),
  from: filterDate.optional().describe('the first day (inclusive), as each visit’s site counts days: in its time zone'),
  to: filterDate.optional().describe('the last day (inclusive), in each visit’s site’s time zone; not before `from`'),
  outcome: z.enum(['signed_in', 'rejected']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
