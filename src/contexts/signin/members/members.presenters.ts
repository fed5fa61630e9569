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
 * `presentMember` written in SQL, for the members page (decision 025): PostgreSQL renders the 50
 * members as JSON text, so the page costs the server no row mapping, no presenting and no
 * serialising. `m` is a row of `members`. Same keys and values as `presentMember`
 * (members.db.test.ts compares the two member by member): timestamps in UTC with milliseconds
 * as `Date.toISOString()` writes them, dates as `YYYY-MM-DD`, the photo as its versioned URL.
 */
export function memberJsonSql(m: string): SQL {
  const c = (column: string) => sql.raw(`${m}.${column}`);
  const iso = (column: string) => sql`to_char(${c(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return sql`json_build_object(
    'id', ${c('id')}, 'groupId', ${c('group_id')}, 'fullName', ${c('full_name')}, 'role', ${c('role')},
    'email', ${c('email')}, 'phone', ${c('phone')},
    'startDate', to_char(${c('start_date')}, 'YYYY-MM-DD'), 'endDate', to_char(${c('end_date')}, 'YYYY-MM-DD'),
    'customFields', ${c('custom_fields')},
    'photoUrl', case when ${c('photo_key')} is null then null else '/api/signin/members/' || ${c('id')} || '/photo?v=' || ${c('version')} end,
    'archived', ${c('archived_at')} is not null, 'version', ${c('version')},
    'createdAt', ${iso('created_at')}, 'updatedAt', ${iso('updated_at')})`;
}
