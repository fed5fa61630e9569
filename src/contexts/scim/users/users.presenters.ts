import { sql, type SQL } from 'drizzle-orm';
import { URN } from '../scim.schema.js';
import { isObject } from '../resource/canonical.js';
import { etagOf } from '../resource/etag.js';
import type { ScimJson } from '../resource/resource.presenters.js';
import { docFromRow, type ScimUserRow } from './users.repo.js';

/** A SCIM User as clients see it: its stored document, the manager as a reference, `meta` with the ETag. */
export function presentUser(row: ScimUserRow, base: string): ScimJson {
  const doc = docFromRow(row);
  const ent = doc[URN.enterprise];
  if (isObject(ent) && isObject(ent.manager) && typeof ent.manager.value === 'string') {
    ent.manager = { value: ent.manager.value, $ref: `${base}/Users/${ent.manager.value}` };
  }
  return {
    schemas: isObject(ent) ? [URN.user, URN.enterprise] : [URN.user],
    id: row.memberId,
    ...doc,
    meta: {
      resourceType: 'User',
      created: row.createdAt.toISOString(),
      lastModified: row.updatedAt.toISOString(),
      location: `${base}/Users/${row.memberId}`,
      version: etagOf(row.version),
    },
  };
}

/** A JSON fragment of our own (keys, URNs) as a SQL literal; none holds a quote. */
const lit = (text: string): SQL => {
  if (text.includes("'") || text.includes(BASE_MARK)) throw new Error(`not a plain literal: ${text}`);
  return sql.raw(`'${text}'`);
};
const cat = (parts: SQL[]) => sql.join(parts, sql` || `);

/**
 * Where a stored user document (`scim_users.doc`) holds its group's base URL: one raw U+0001, which
 * no JSON text written by `to_json` or jsonb can hold (both escape control characters as `\u0001`),
 * so the mark is never confused with a user's data.
 */
export const BASE_MARK = '\u0001';

/** The base URL as it goes in place of `BASE_MARK`: JSON-escaped, without its quotes. */
export const baseForDoc = (base: string): string => JSON.stringify(base).slice(1, -1);

/**
 * `presentUser` written in SQL (decisions 028, 036): the User's JSON as one text value, kept in the
 * `doc` column by the trigger of migration 0018 (whose body is this expression over `NEW`, see
 * users.db.test.ts), so a SCIM read costs the database a column read and the server no row
 * mapping, no presenting and no serialising. `u` is a row of `scim_users` (a table name, alias or
 * `NEW`). Where the group's base URL goes (`meta.location`, the manager's `$ref`) the text holds
 * `BASE_MARK`; a read puts the base in with `replace` (`withBase`), a page of them the server
 * after the statement (decision 049). Built by concatenation, each
 * attribute `,"key":value` or nothing (NULL swallows its fragment), so an attribute is left out
 * exactly where `docFromRow` leaves it out: null columns, empty lists, a `name` or enterprise
 * extension with nothing in it, an empty manager. Text goes through `to_json` (JSON escaping),
 * lists as stored (jsonb), timestamps in UTC with milliseconds as `Date.toISOString()` writes them,
 * the version as the weak ETag. Same keys in the same order as `presentUser`: users.db.test.ts
 * compares the two for varied users on both databases.
 */
export function userDocSql(u: string): SQL {
  const col = (name: string) => sql.raw(`${u}.${name}`);
  // One attribute: `,"key":<json>` when the column is not null, else ''.
  const text = (key: string, column: string) => sql`coalesce(${lit(`,"${key}":`)} || to_json(${col(column)})::text, '')`;
  const list = (key: string, column: string) => sql`(case when ${col(column)} is null or ${col(column)} in ('null'::jsonb, '[]'::jsonb) then '' else ${lit(`,"${key}":`)} || ${col(column)}::text end)`;
  // A complex attribute: `,"key":{…}` with its sub-attributes (each `,"k":v`, the first comma dropped), or '' when none is there.
  const complex = (key: string, present: SQL, parts: SQL[]) => sql`(case when ${present} then ${lit(`,"${key}":{`)} || substr(${cat(parts)}, 2) || '}' else '' end)`;
  const anyOf = (columns: string[], more: SQL[] = []) => sql.join([...columns.map((c) => sql`${col(c)} is not null`), ...more], sql` or `);
  // `"<mark>/Users/<id>"`: the mark outside to_json, which would escape it.
  const url = (id: SQL) => sql`'"' || chr(1) || substr(to_json('/Users/' || ${id})::text, 2)`;
  const iso = (column: string) => sql`to_char(${col(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

  const name: Array<[string, string]> = [
    ['formatted', 'formatted_name'],
    ['familyName', 'family_name'],
    ['givenName', 'given_name'],
    ['middleName', 'middle_name'],
    ['honorificPrefix', 'honorific_prefix'],
    ['honorificSuffix', 'honorific_suffix'],
  ];
  const enterprise: Array<[string, string]> = [
    ['employeeNumber', 'employee_number'],
    ['costCenter', 'cost_center'],
    ['organization', 'organization'],
    ['division', 'division'],
    ['department', 'department'],
  ];
  const manager = sql`nullif(${col('manager')}, '')`;
  const hasEnterprise = anyOf(
    enterprise.map(([, c]) => c),
    [sql`${manager} is not null`],
  );
  return sql`(${cat([
    sql`'{"schemas":' || (case when ${hasEnterprise} then ${lit(JSON.stringify([URN.user, URN.enterprise]))} else ${lit(JSON.stringify([URN.user]))} end)`,
    sql`',"id":' || to_json(${col('member_id')})::text`,
    text('userName', 'user_name'),
    text('externalId', 'external_id'),
    complex(
      'name',
      anyOf(name.map(([, c]) => c)),
      name.map(([k, c]) => text(k, c)),
    ),
    text('displayName', 'display_name'),
    text('nickName', 'nick_name'),
    text('profileUrl', 'profile_url'),
    text('title', 'title'),
    text('userType', 'user_type'),
    text('preferredLanguage', 'preferred_language'),
    text('locale', 'locale'),
    text('timezone', 'timezone'),
    sql`',"active":' || ${col('active')}::text`,
    list('emails', 'emails'),
    list('phoneNumbers', 'phone_numbers'),
    list('addresses', 'addresses'),
    complex(URN.enterprise, hasEnterprise, [...enterprise.map(([k, c]) => text(k, c)), sql`coalesce(',"manager":{"value":' || to_json(${manager})::text || ',"$ref":' || ${url(manager)} || '}', '')`]),
    sql`',"meta":{"resourceType":"User","created":"' || ${iso('created_at')} || '","lastModified":"' || ${iso('updated_at')} || '","location":' || ${url(col('member_id'))}`,
    sql`',"version":' || to_json('W/"' || ${col('version')} || '"')::text || '}}'`,
  ])})`;
}

/** A stored document (or a comma-separated run of them) with the group's base URL put in. */
export const withBase = (doc: SQL, base: SQL): SQL => sql`replace(${doc}, chr(1), ${base})`;
