import { describe, expect, it } from 'vitest';
import { PgDialect } from 'drizzle-orm/pg-core';
import { compileFilter } from './filter.js';
import { userFilterWhitelist } from '../users/users.filter.js';
import { AppError } from '../../../platform/errors.js';

const dialect = new PgDialect({ casing: 'snake_case' });
const render = (filter: string) => dialect.sqlToQuery(compileFilter(filter, userFilterWhitelist));

const U = '"scim_users"';
const EL = (cond: string, col = 'emails') => `EXISTS (SELECT 1 FROM jsonb_array_elements(${U}."${col}") AS scim_el(v) WHERE ${cond})`;

/** filter → expected SQL and parameters. */
const cases: Array<[string, string, unknown[]]> = [
  ['userName eq "Bjensen"', `(lower(${U}."user_name") = lower($1))`, ['Bjensen']],
  ['USERNAME Eq "x"', `(lower(${U}."user_name") = lower($1))`, ['x']],
  ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"', `(lower(${U}."user_name") = lower($1))`, ['x']],
  ['externalId eq "AbC"', `(${U}."external_id" = $1)`, ['AbC']],
  ['id eq "00919288221112222"', `(lower(${U}."member_id"::text) = lower($1))`, ['00919288221112222']],
  ['userName ne "x"', `(NOT coalesce(lower(${U}."user_name") = lower($1), false))`, ['x']],
  ['displayName co "50%_"', `(lower(${U}."display_name") LIKE lower($1) ESCAPE '\\')`, ['%50\\%\\_%']],
  ['name.familyName sw "Jen"', `(lower(${U}."family_name") LIKE lower($1) ESCAPE '\\')`, ['Jen%']],
  ['title ew "ager"', `(lower(${U}."title") LIKE lower($1) ESCAPE '\\')`, ['%ager']],
  ['title pr', `(${U}."title" <> '')`, []],
  ['userName gt "m"', `(lower(${U}."user_name") > lower($1))`, ['m']],
  ['userName ge "m"', `(lower(${U}."user_name") >= lower($1))`, ['m']],
  ['userName lt "m"', `(lower(${U}."user_name") < lower($1))`, ['m']],
  ['userName le "m"', `(lower(${U}."user_name") <= lower($1))`, ['m']],
  ['active eq true', `(${U}."active" = $1)`, [true]],
  ['active eq "False"', `(${U}."active" = $1)`, [false]],
  ['active ne false', `(NOT coalesce(${U}."active" = $1, false))`, [false]],
  ['meta.lastModified gt "2011-05-13T04:42:34Z"', `(${U}."updated_at" > $1::timestamptz)`, ['2011-05-13T04:42:34.000Z']],
  ['title eq null', `(NOT coalesce((${U}."title" <> ''), false))`, []],
  [
    'userName eq "a" and not (title pr)',
    `((lower(${U}."user_name") = lower($1)) AND (NOT coalesce((${U}."title" <> ''), false)))`,
    ['a'],
  ],
  [
    'userName eq "a" or displayName eq "b"',
    `((lower(${U}."user_name") = lower($1)) OR (lower(${U}."display_name") = lower($2)))`,
    ['a', 'b'],
  ],
  ['emails eq "a@x.test"', EL(`(lower((scim_el.v->>'value')) = lower($1))`), ['a@x.test']],
  ['emails.type eq "work"', EL(`(lower((scim_el.v->>'type')) = lower($1))`), ['work']],
  [
    'emails[type eq "work" and value co "@x"]',
    EL(`((lower((scim_el.v->>'type')) = lower($1)) AND (lower((scim_el.v->>'value')) LIKE lower($2) ESCAPE '\\'))`),
    ['work', '%@x%'],
  ],
  [
    'emails[type eq "work"].value eq "a@x.test"',
    `(${EL(`((lower((scim_el.v->>'type')) = lower($1)) AND (lower((scim_el.v->>'value')) = lower($2)))`)})`,
    ['work', 'a@x.test'],
  ],
  ['emails[primary eq true]', EL(`(((scim_el.v->>'primary'))::boolean = $1)`), [true]],
  ['phoneNumbers[type eq "mobile"]', EL(`(lower((scim_el.v->>'type')) = lower($1))`, 'phone_numbers'), ['mobile']],
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"', `(lower(${U}."employee_number") = lower($1))`, ['701984']],
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m1"', `(lower(${U}."manager") = lower($1))`, ['m1']],
  // Lenient reading of unquoted values (issue 13 item 2) and attribute names in any case (item 1).
  ['userName sw O', `(lower(${U}."user_name") LIKE lower($1) ESCAPE '\\')`, ['O%']],
  ['meta.Created gt 2015-10-10T14:38:21.8617979-07:00', `(${U}."created_at" > $1::timestamptz)`, ['2015-10-10T21:38:21.861Z']],
  ['name.FamilyName eq Employee', `(lower(${U}."family_name") = lower($1))`, ['Employee']],
  [
    'name.familyName eq Employee and (emails.Value co example.com or emails.value co example.org)',
    `((lower(${U}."family_name") = lower($1)) AND (${EL(`(lower((scim_el.v->>'value')) LIKE lower($2) ESCAPE '\\')`)} OR ${EL(`(lower((scim_el.v->>'value')) LIKE lower($3) ESCAPE '\\')`)}))`,
    ['Employee', '%example.com%', '%example.org%'],
  ],
  ['emails[type eq work]', EL(`(lower((scim_el.v->>'type')) = lower($1))`), ['work']],
  ['externalId eq 00123', `(${U}."external_id" = $1)`, ['00123']],
  ['active eq true and userName eq 12', `((${U}."active" = $1) AND (lower(${U}."user_name") = lower($2)))`, [true, '12']],
];

describe('SCIM filter → SQL', () => {
  it.each(cases)('%s', (filter, sqlText, params) => {
    const q = render(filter);
    expect(q.sql).toBe(sqlText);
    expect(q.params).toEqual(params);
  });

  /** Bad filters: every one a 400 invalidFilter, never a widened result. */
  const bad: string[] = [
    'userName eq',
    'foo bar',
    'password eq "x"',
    'nonsense eq "x"',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:shoeSize eq "9"',
    'emails[nope eq "x"]',
    'userName[type eq "x"]',
    'active gt true',
    'active eq "maybe"',
    'meta.created gt "not a date"',
    'meta.created co "2020"',
    'userName eq true',
    'addresses eq "x"',
    'userName co null',
    `userName eq "${'x'.repeat(5000)}"`,
    // Ambiguous unquoted values stay errors.
    'userName eq John Smith',
    'userName eq a b and title pr',
    // Malformed trees the parser lets through (issue 12 item 5: was a TypeError, 500).
    'userName pr not (title eq "x")',
    'userName pr title eq "x"',
    // Dates PostgreSQL cannot hold (issue 12 item 5: was a 500).
    'meta.created gt "+275760-09-13T00:00:00Z"',
    'meta.created gt "0000-01-01T00:00:00Z"',
    'meta.lastModified lt "-000001-01-01T00:00:00Z"',
    // Text PostgreSQL cannot take (issue 12 item 4).
    'userName eq "a\u0000b"',
    'userName eq "\ud800"',
  ];
  it.each(bad.map((f) => [f.slice(0, 80), f]))('rejects %s with invalidFilter', (_label, filter) => {
    let caught: unknown;
    try {
      render(filter);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).status).toBe(400);
    expect((caught as AppError).details.extra?.scimType).toBe('invalidFilter');
  });
});
