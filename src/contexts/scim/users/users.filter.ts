import { sql, type SQLWrapper } from 'drizzle-orm';
import type { Filter } from 'scim2-parse-filter';
import { jsonbArray, MAX_FILTER_LENGTH, parseFilter, type FilterWhitelist } from '../resource/filter.js';
import { BAD_TEXT } from '../resource/text.js';
import { URN } from '../scim.schema.js';
import { scimUsers as u } from '../scim.tables.js';

const text = (expr: SQLWrapper, caseExact = false) => ({ kind: 'text' as const, expr, caseExact });

const multi = { value: { key: 'value', kind: 'text' as const }, type: { key: 'type', kind: 'text' as const }, display: { key: 'display', kind: 'text' as const }, primary: { key: 'primary', kind: 'boolean' as const } };

/** The attributes a /Users filter may name (lower case), and the columns they compile to. */
export const userFilterWhitelist: FilterWhitelist = {
  urns: [URN.user.toLowerCase(), URN.enterprise.toLowerCase()],
  attrs: {
    id: { kind: 'text', expr: sql`${u.memberId}::text`, caseExact: false },
    externalid: text(u.externalId, true),
    username: text(u.userName),
    displayname: text(u.displayName),
    nickname: text(u.nickName),
    title: text(u.title),
    usertype: text(u.userType),
    preferredlanguage: text(u.preferredLanguage),
    locale: text(u.locale),
    timezone: text(u.timezone),
    profileurl: text(u.profileUrl),
    'name.formatted': text(u.formattedName),
    'name.familyname': text(u.familyName),
    'name.givenname': text(u.givenName),
    'name.middlename': text(u.middleName),
    'name.honorificprefix': text(u.honorificPrefix),
    'name.honorificsuffix': text(u.honorificSuffix),
    active: { kind: 'boolean', expr: u.active },
    emails: jsonbArray(u.emails, multi),
    phonenumbers: jsonbArray(u.phoneNumbers, multi),
    addresses: jsonbArray(u.addresses, {
      formatted: { key: 'formatted', kind: 'text' },
      streetaddress: { key: 'streetAddress', kind: 'text' },
      locality: { key: 'locality', kind: 'text' },
      region: { key: 'region', kind: 'text' },
      postalcode: { key: 'postalCode', kind: 'text' },
      country: { key: 'country', kind: 'text' },
      type: { key: 'type', kind: 'text' },
      primary: { key: 'primary', kind: 'boolean' },
    }),
    employeenumber: text(u.employeeNumber),
    costcenter: text(u.costCenter),
    organization: text(u.organization),
    division: text(u.division),
    department: text(u.department),
    manager: text(u.manager),
    'manager.value': text(u.manager),
    'meta.created': { kind: 'dateTime', expr: u.createdAt },
    'meta.lastmodified': { kind: 'dateTime', expr: u.updatedAt },
  },
};

/** The value of a filter that is exactly `userName eq "…"` (any case, maybe URN-qualified), else undefined. */
export function plainUserNameEq(tree: Filter): string | undefined {
  if (tree.op !== 'eq' || typeof tree.compValue !== 'string') return undefined;
  const path = tree.attrPath.toLowerCase();
  return path === 'username' || path === `${URN.user.toLowerCase()}:username` ? tree.compValue : undefined;
}

/**
 * `userName eq "…"` as Okta and Entra write it: one space apart, no quote, backslash or control
 * character in the value (so no escape, and nothing JSON's string refuses, as the parser does).
 */
// eslint-disable-next-line no-control-regex -- the control characters are what it keeps out
const PLAIN_USERNAME_EQ = /^userName eq "([^"\\\u0000-\u001f]*)"$/i;

/**
 * The userName a filter asks for when it is exactly `userName eq "…"`, else undefined; an invalid
 * filter throws as `parseFilter` does. The form identity providers send before every create is
 * read without the parser (a tenth of the filtered read's own CPU went to it), giving the value
 * the parser gives (users.filter.test.ts checks the two agree); any other goes to the parser.
 */
export function userNameEqOf(filter: string): string | undefined {
  const plain = filter.length <= MAX_FILTER_LENGTH ? PLAIN_USERNAME_EQ.exec(filter) : null;
  if (plain && !BAD_TEXT.test(plain[1]!)) return plain[1];
  return plainUserNameEq(parseFilter(filter));
}
