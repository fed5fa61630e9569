import { z } from 'zod';
import { WONDE_SOURCE_PATHS, type WondeSourcePath } from '../../../common/wonde-sources.js';
import type { WondeDate, WondeEmployee } from './wonde.types.js';

/**
 * Wonde employee → the person fields the integration writes to a profile. Each target field reads
 * the first non-empty source path of its list, so a school can prefer legal names or a work email.
 * Paths are dotted into the employee as Wonde returns it (`contact_details.data.emails.work`).
 */
export { WONDE_SOURCE_PATHS, type WondeSourcePath } from '../../../common/wonde-sources.js';

export const WONDE_TARGET_FIELDS = ['firstName', 'lastName', 'email', 'phone', 'role', 'startDate', 'endDate', 'dateOfBirth', 'externalId'] as const;
export type WondeTargetField = (typeof WONDE_TARGET_FIELDS)[number];

export const wondeFieldMappingSchema = z.object({
  fields: z.partialRecord(z.enum(WONDE_TARGET_FIELDS), z.array(z.enum(WONDE_SOURCE_PATHS)).min(1).max(5)),
  /** Profile type for `teaching_staff: true` / false (record profile type ids); null: use the type map. */
  teachingProfileTypeId: z.uuid().nullable().default(null),
  supportProfileTypeId: z.uuid().nullable().default(null),
  /** Only employees Wonde marks as current. */
  currentOnly: z.boolean().default(true),
});
export type WondeFieldMapping = z.infer<typeof wondeFieldMappingSchema>;

export const DEFAULT_WONDE_FIELDS: Record<WondeTargetField, WondeSourcePath[]> = {
  firstName: ['forename', 'legal_forename'],
  lastName: ['surname', 'legal_surname'],
  email: ['contact_details.data.emails.work', 'contact_details.data.emails.email', 'contact_details.data.emails.primary'],
  phone: ['contact_details.data.phones.mobile', 'contact_details.data.phones.work', 'contact_details.data.phones.phone'],
  role: ['employment_details.data.job_title', 'employment_details.data.role'],
  startDate: ['employment_details.data.employment_start_date'],
  endDate: ['employment_details.data.employment_end_date'],
  dateOfBirth: ['date_of_birth'],
  externalId: ['upi'],
};

export const DEFAULT_WONDE_MAPPING: WondeFieldMapping = {
  fields: DEFAULT_WONDE_FIELDS,
  teachingProfileTypeId: null,
  supportProfileTypeId: null,
  currentOnly: true,
};

export type WondePerson = {
  wondeId: string;
  /** The UPI (unique person identifier), how people are matched across runs and to profiles. */
  externalId: string | null;
  firstName: string;
  lastName: string;
  /** Legal names, when Wonde has them (kept for the record's identity checks). */
  legalFirstName: string | null;
  legalLastName: string | null;
  fullName: string;
  email: string | null;
  phone: string | null;
  role: string;
  startDate: string | null; // YYYY-MM-DD
  endDate: string | null;
  dateOfBirth: string | null;
  teachingStaff: boolean;
  current: boolean;
  /** The profile type id chosen by the teaching flag, or null to leave it to the type map. */
  profileTypeId: string | null;
};

function isWondeDate(v: unknown): v is WondeDate {
  return typeof v === 'object' && v !== null && typeof (v as { date?: unknown }).date === 'string';
}

/** A Wonde date object or string → `YYYY-MM-DD` (null when absent or unreadable). */
export function wondeDay(v: unknown): string | null {
  const s = isWondeDate(v) ? v.date : typeof v === 'string' ? v : null;
  if (!s) return null;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(s);
  return m ? m[1]! : null;
}

function read(e: WondeEmployee, path: WondeSourcePath): unknown {
  let cur: unknown = e;
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (isWondeDate(v)) return wondeDay(v);
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

function first(e: WondeEmployee, paths: readonly WondeSourcePath[] | undefined): string | null {
  for (const p of paths ?? []) {
    const v = text(read(e, p));
    if (v !== null) return v;
  }
  return null;
}

export function mapWondeEmployee(e: WondeEmployee, mapping: WondeFieldMapping = DEFAULT_WONDE_MAPPING): WondePerson {
  const f = (k: WondeTargetField) => mapping.fields[k] ?? DEFAULT_WONDE_FIELDS[k];
  const firstName = first(e, f('firstName')) ?? '';
  const lastName = first(e, f('lastName')) ?? '';
  const employment = e.employment_details?.data ?? null;
  const teachingStaff = employment?.teaching_staff === true;
  const day = (k: WondeTargetField) => {
    const v = first(e, f(k));
    return v && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null;
  };
  const email = first(e, f('email'));
  return {
    wondeId: e.id,
    externalId: first(e, f('externalId')),
    firstName,
    lastName,
    legalFirstName: text(e.legal_forename),
    legalLastName: text(e.legal_surname),
    fullName: [firstName, lastName].filter(Boolean).join(' ') || e.id,
    email: email ? email.toLowerCase() : null,
    phone: first(e, f('phone')),
    role: first(e, f('role')) ?? (teachingStaff ? 'Teacher' : ''),
    startDate: day('startDate'),
    endDate: day('endDate'),
    dateOfBirth: day('dateOfBirth'),
    teachingStaff,
    current: employment?.current !== false,
    profileTypeId: teachingStaff ? mapping.teachingProfileTypeId : mapping.supportProfileTypeId,
  };
}
