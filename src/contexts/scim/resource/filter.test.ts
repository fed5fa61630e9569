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
