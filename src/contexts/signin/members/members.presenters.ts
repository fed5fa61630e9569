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
 * `presentMember` written in SQL (decisions 031, 037): the member's JSON as one text value, kept in
 * the `doc` column by the trigger of migration 0020 (whose body is this expression over `NEW`;
 * members.db.test.ts checks every row against it, so the trigger's copy cannot drift from this),
 * so the members page sends the stored texts (one row per member, joined with commas in Node) and
 * PostgreSQL builds no JSON on a read.
 * `m` is a row of `members` (a table name, alias or `NEW`). Built by concatenation, each value
 * as `to_json` writes it (what `json_agg` of the row wrote before: text JSON-escaped, a `date` as
 * `YYYY-MM-DD` whatever the DateStyle, `jsonb` as its text), timestamps in UTC with milliseconds
 * as `Date.toISOString()` writes them, the photo as its versioned URL (nothing from the config: the
 * URL is relative). Same keys, in the same order, with the same values as `presentMember`
 * (members.db.test.ts compares each member of a page with `GET /members/:id`).
 */
export function memberDocSql(m: string): SQL {
  const col = (name: string) => `${m}.${name}`;
  const json = (column: string) => `to_json(${col(column)})::text`;
  const orNull = (column: string) => `coalesce(${json(column)}, 'null')`;
  const iso = (column: string) => `to_char(${col(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return sql.raw(
    `(${[
      `'{"id":"' || ${col('id')}`,
      `'","groupId":"' || ${col('group_id')}`,
      `'","fullName":' || ${json('full_name')}`,
      `',"role":' || ${json('role')}`,
      `',"email":' || ${orNull('email')}`,
      `',"phone":' || ${orNull('phone')}`,
      `',"startDate":' || ${orNull('start_date')}`,
      `',"endDate":' || ${orNull('end_date')}`,
      `',"customFields":' || ${col('custom_fields')}::text`,
      `',"photoUrl":' || (case when ${col('photo_key')} is null then 'null' else '"/api/signin/members/' || ${col('id')} || '/photo?v=' || ${col('version')} || '"' end)`,
      `',"archived":' || (case when ${col('archived_at')} is null then 'false' else 'true' end)`,
      `',"version":' || ${col('version')}`,
      `',"createdAt":"' || ${iso('created_at')}`,
      `'","updatedAt":"' || ${iso('updated_at')} || '"}'`,
    ].join(' || ')})`,
  );
}
