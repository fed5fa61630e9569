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
  ['userName eq "Bjensen"', `coalesce(lower(${U}."user_name") = lower($1), false)`, ['Bjensen']],
  ['USERNAME Eq "x"', `coalesce(lower(${U}."user_name") = lower($1), false)`, ['x']],
  ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"', `coalesce(lower(${U}."user_name") = lower($1), false)`, ['x']],
  ['externalId eq "AbC"', `coalesce(${U}."external_id" = $1, false)`, ['AbC']],
  ['id eq "00919288221112222"', `coalesce(lower(${U}."member_id"::text) = lower($1), false)`, ['00919288221112222']],
  ['userName ne "x"', `(NOT coalesce(lower(${U}."user_name") = lower($1), false))`, ['x']],
  ['displayName co "50%_"', `coalesce(lower(${U}."display_name") LIKE lower($1) ESCAPE '\\', false)`, ['%50\\%\\_%']],
  ['name.familyName sw "Jen"', `coalesce(lower(${U}."family_name") LIKE lower($1) ESCAPE '\\', false)`, ['Jen%']],
  ['title ew "ager"', `coalesce(lower(${U}."title") LIKE lower($1) ESCAPE '\\', false)`, ['%ager']],
  ['title pr', `coalesce(${U}."title" <> '', false)`, []],
  ['userName gt "m"', `coalesce(lower(${U}."user_name") > lower($1), false)`, ['m']],
  ['userName ge "m"', `coalesce(lower(${U}."user_name") >= lower($1), false)`, ['m']],
  ['userName lt "m"', `coalesce(lower(${U}."user_name") < lower($1), false)`, ['m']],
  ['userName le "m"', `coalesce(lower(${U}."user_name") <= lower($1), false)`, ['m']],
  ['active eq true', `coalesce(${U}."active" = $1, false)`, [true]],
  ['active eq "False"', `coalesce(${U}."active" = $1, false)`, [false]],
  ['active ne false', `(NOT coalesce(${U}."active" = $1, false))`, [false]],
  ['meta.lastModified gt "2011-05-13T04:42:34Z"', `coalesce(${U}."updated_at" > $1::timestamptz, false)`, ['2011-05-13T04:42:34.000Z']],
  ['title eq null', `(NOT coalesce(${U}."title" <> '', false))`, []],
  [
    'userName eq "a" and not (title pr)',
    `(coalesce(lower(${U}."user_name") = lower($1), false) AND (NOT coalesce(${U}."title" <> '', false)))`,
    ['a'],
  ],
  [
    'userName eq "a" or displayName eq "b"',
    `(coalesce(lower(${U}."user_name") = lower($1), false) OR coalesce(lower(${U}."display_name") = lower($2), false))`,
    ['a', 'b'],
  ],
  ['emails eq "a@x.test"', EL(`coalesce(lower((scim_el.v->>'value')) = lower($1), false)`), ['a@x.test']],
  ['emails.type eq "work"', EL(`coalesce(lower((scim_el.v->>'type')) = lower($1), false)`), ['work']],
  [
    'emails[type eq "work" and value co "@x"]',
    EL(`(coalesce(lower((scim_el.v->>'type')) = lower($1), false) AND coalesce(lower((scim_el.v->>'value')) LIKE lower($2) ESCAPE '\\', false))`),
    ['work', '%@x%'],
  ],
  [
    'emails[type eq "work"].value eq "a@x.test"',
    `(${EL(`(coalesce(lower((scim_el.v->>'type')) = lower($1), false) AND coalesce(lower((scim_el.v->>'value')) = lower($2), false))`)})`,
    ['work', 'a@x.test'],
  ],
  ['emails[primary eq true]', EL(`coalesce(((scim_el.v->>'primary'))::boolean = $1, false)`), [true]],
  ['phoneNumbers[type eq "mobile"]', EL(`coalesce(lower((scim_el.v->>'type')) = lower($1), false)`, 'phone_numbers'), ['mobile']],
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"', `coalesce(lower(${U}."employee_number") = lower($1), false)`, ['701984']],
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m1"', `coalesce(lower(${U}."manager") = lower($1), false)`, ['m1']],
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
