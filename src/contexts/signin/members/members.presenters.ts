import { sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { MemberRow } from './members.port.js';
import type { memberSchema } from './members.schemas.js';

export type MemberView = z.infer<typeof memberSchema>;

/**
 * A member's public shape (the photo as a versioned URL, never the QR token). Typed as the
 * schema's output, so a route may write it with plain `JSON.stringify` (decision 025).
 */
export function presentMember(m: MemberRow): MemberView {
  return {
    id: m.id,
    groupId: m.groupId,
    fullName: m.fullName,
    role: m.role,
    email: m.email,
    phone: m.phone,
    startDate: m.startDate,
    endDate: m.endDate,
    customFields: m.customFields,
    photoUrl: m.photoKey ? `/api/signin/members/${m.id}/photo?v=${m.version}` : null,
    archived: Boolean(m.archivedAt),
    version: m.version,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

/**
 * A member of the members page as `preparedMemberPage` reads it, a row as an array (no row
 * mapping, decision 034): `presentMember`'s values as PostgreSQL writes them as text: the dates as
 * the connection writes a `date` (as `presentMember` gets them), the custom fields as their
 * `jsonb` text (JSON), the timestamps as `Date.toISOString()` writes them.
 */
export type MemberPageRow = readonly [
  id: string,
  groupId: string,
  fullName: string,
  role: string,
  email: string | null,
  phone: string | null,
  startDate: string | null,
  endDate: string | null,
  customFields: string,
  hasPhoto: boolean,
  archived: boolean,
  version: number,
  createdAt: string,
  updatedAt: string,
];

/** The select list of `MemberPageRow` over `members`, in its order. */
export function memberPageColumnsSql(): SQL {
  const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return sql.raw(
    'id, group_id, full_name, role, email, phone, start_date::text as start_date, end_date::text as end_date, custom_fields::text as custom_fields, ' +
      `photo_key is not null as has_photo, archived_at is not null as archived, version, ${iso('created_at')} as created_at, ${iso('updated_at')} as updated_at`,
  );
}

const text = (s: string | null) => (s === null ? 'null' : JSON.stringify(s));

/**
 * The members page's answer, `{"items":[…],"total":n}`, each item `presentMember`'s keys in its
 * order with the same values (members.db.test.ts compares them member by member), written as
 * JSON text directly: no objects to build and serialise (decision 034). Ids, dates and timestamps
 * are PostgreSQL's (uuid, `YYYY-MM-DD`, ISO): nothing in them needs escaping.
 */
export function memberPageJson(rows: readonly MemberPageRow[], total: number): string {
  let out = '{"items":[';
  for (let i = 0; i < rows.length; i++) {
    const [id, groupId, fullName, role, email, phone, startDate, endDate, customFields, hasPhoto, archived, version, createdAt, updatedAt] = rows[i]!;
    if (i > 0) out += ',';
    out +=
      `{"id":"${id}","groupId":"${groupId}","fullName":${JSON.stringify(fullName)},"role":${JSON.stringify(role)},"email":${text(email)},"phone":${text(phone)},` +
      `"startDate":${startDate === null ? 'null' : `"${startDate}"`},"endDate":${endDate === null ? 'null' : `"${endDate}"`},"customFields":${customFields},` +
      `"photoUrl":${hasPhoto ? `"/api/signin/members/${id}/photo?v=${version}"` : 'null'},"archived":${archived},"version":${version},"createdAt":"${createdAt}","updatedAt":"${updatedAt}"}`;
  }
  return `${out}],"total":${total}}`;
}
