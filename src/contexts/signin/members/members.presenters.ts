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
 * `presentMember` written as a select list of `members`, for the members page (decisions 025,
 * 031): each column named as the key `presentMember` gives it, in its order, so PostgreSQL's
 * JSON of the row (`json_agg(row)`) is the presented member and the page costs the server no row
 * mapping, no presenting and no serialising. Same keys and values as `presentMember`
 * (members.db.test.ts compares the two member by member): timestamps in UTC with milliseconds
 * as `Date.toISOString()` writes them, dates as `YYYY-MM-DD` (PostgreSQL's JSON of a `date` is
 * ISO 8601 whatever the DateStyle), the photo as its versioned URL. Plain columns, not
 * `json_build_object`: PostgreSQL builds the JSON of a row for about 70 % of its CPU (decision 031).
 */
export function memberColumnsSql(): SQL {
  const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return sql.raw(
    'id, group_id as "groupId", full_name as "fullName", role, email, phone, start_date as "startDate", end_date as "endDate", ' +
      'custom_fields as "customFields", ' +
      `case when photo_key is null then null else '/api/signin/members/' || id || '/photo?v=' || version end as "photoUrl", ` +
      `archived_at is not null as archived, version, ${iso('created_at')} as "createdAt", ${iso('updated_at')} as "updatedAt"`,
  );
}
