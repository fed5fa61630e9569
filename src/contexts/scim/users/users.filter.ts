import { sql, type SQLWrapper } from 'drizzle-orm';
import { jsonbArray, type FilterWhitelist } from '../resource/filter.js';
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
