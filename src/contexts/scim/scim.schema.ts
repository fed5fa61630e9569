/**
 * Our fixed SCIM schema (RFC 7643): the User core schema, the Enterprise User extension and Group,
 * as data. It drives the body canonicaliser, the PATCH engine, the filter whitelist's case rules
 * and the /Schemas document. Attributes marked `ignored` exist in the RFC schema and are accepted
 * (identity providers send them) but not stored, so /Schemas does not list them.
 */
export const URN = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

export type AttrType = 'string' | 'boolean' | 'reference' | 'complex' | 'dateTime';

export type AttrDef = {
  name: string;
  type: AttrType;
  multiValued: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'default' | 'never' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  required: boolean;
  description: string;
  subAttributes?: AttrDef[];
  canonicalValues?: string[];
  referenceTypes?: string[];
  /** In the RFC schema, accepted on input, not stored. */
  ignored?: true;
  /**
   * Never unassigned: null, "" or a PATCH remove is a 400 invalidValue rather than a clearing
   * (RFC 7643 §2.5 would make it unassigned, and §4.1.1 leaves `active`'s meaning to us: an
   * unassigned `active` reads as true, so a null must not reactivate a user).
   */
  neverCleared?: true;
};

export type SchemaDef = { id: string; name: string; description: string; attributes: AttrDef[] };

type Opts = Partial<Omit<AttrDef, 'name' | 'type'>>;
const attr = (name: string, type: AttrType, description: string, o: Opts = {}): AttrDef => ({
  name,
  type,
  description,
  multiValued: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  required: false,
  ...o,
});
const str = (name: string, description: string, o: Opts = {}) => attr(name, 'string', description, o);
const ignored = (name: string, type: AttrType = 'string', multiValued = false) =>
  attr(name, type, 'accepted and ignored', { ignored: true, multiValued, ...(type === 'complex' ? { subAttributes: [] } : {}) });

const multiSub = (types: string[], valueDescription: string): AttrDef[] => [
  str('value', valueDescription),
  str('display', 'A human-readable name'),
  str('type', 'A label for the function of the value', { canonicalValues: types }),
  attr('primary', 'boolean', 'The primary value of the attribute'),
];

export const userSchema: SchemaDef = {
  id: URN.user,
  name: 'User',
  description: 'User Account',
  attributes: [
    str('userName', 'Unique identifier of the user in this SCIM group (case-insensitive)', { required: true, uniqueness: 'server' }),
    attr('name', 'complex', "The components of the user's name", {
      subAttributes: [
        str('formatted', 'The full name, formatted for display'),
        str('familyName', 'The family name'),
        str('givenName', 'The given name'),
        str('middleName', 'The middle name(s)'),
        str('honorificPrefix', 'E.g. Ms.'),
        str('honorificSuffix', 'E.g. III'),
      ],
    }),
    str('displayName', 'The name of the user, suitable for display'),
    str('nickName', 'The casual way to address the user'),
    attr('profileUrl', 'reference', "A URI of the user's online profile", { referenceTypes: ['external'] }),
    str('title', "The user's title (shown as the member's role)"),
    str('userType', 'The relationship between the organisation and the user'),
    str('preferredLanguage', 'Preferred written or spoken language'),
    str('locale', 'Default location, e.g. en-GB'),
    str('timezone', 'Time zone in the Olson database format'),
    attr('active', 'boolean', 'Active users may sign in; inactive members are archived (true or false, never null)', { neverCleared: true }),
    attr('password', 'string', 'accepted and ignored', { ignored: true, mutability: 'writeOnly', returned: 'never' }),
    attr('emails', 'complex', 'Email addresses', { multiValued: true, subAttributes: multiSub(['work', 'home', 'other'], 'An email address') }),
    attr('phoneNumbers', 'complex', 'Phone numbers', {
      multiValued: true,
      subAttributes: multiSub(['work', 'home', 'mobile', 'fax', 'pager', 'other'], 'A phone number'),
    }),
    attr('addresses', 'complex', 'Physical mailing addresses', {
      multiValued: true,
      subAttributes: [
        str('formatted', 'The full mailing address'),
        str('streetAddress', 'The street address'),
        str('locality', 'City or locality'),
        str('region', 'State or region'),
        str('postalCode', 'Postal code'),
        str('country', 'Country'),
        str('type', 'work, home or other', { canonicalValues: ['work', 'home', 'other'] }),
        attr('primary', 'boolean', 'The primary address'),
      ],
    }),
    ignored('ims', 'complex', true),
    ignored('photos', 'complex', true),
    ignored('entitlements', 'complex', true),
    ignored('roles', 'complex', true),
    ignored('x509Certificates', 'complex', true),
    attr('groups', 'complex', 'accepted and ignored (see /Groups)', { ignored: true, multiValued: true, mutability: 'readOnly', subAttributes: [] }),
  ],
};

export const enterpriseSchema: SchemaDef = {
  id: URN.enterprise,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    str('employeeNumber', 'Identifier assigned by the organisation'),
    str('costCenter', 'Cost centre'),
    str('organization', 'Organisation'),
    str('division', 'Division'),
    str('department', 'Department'),
    attr('manager', 'complex', "The user's manager", {
      subAttributes: [
        attr('value', 'string', "The manager's id", {}),
        attr('$ref', 'reference', "The manager's URI", { referenceTypes: ['User'], mutability: 'readOnly' }),
        str('displayName', "The manager's display name", { mutability: 'readOnly' }),
      ],
    }),
  ],
};

export const groupSchema: SchemaDef = {
  id: URN.group,
  name: 'Group',
  description: 'A group of the identity provider inside this SCIM group',
  attributes: [
    str('displayName', 'A human-readable name for the group (unique within the SCIM group)', { required: true }),
    attr('members', 'complex', 'Members of the group', {
      multiValued: true,
      subAttributes: [
        attr('value', 'string', 'The id of a User of this SCIM group', { mutability: 'immutable' }),
        attr('$ref', 'reference', 'The URI of the member', { referenceTypes: ['User'], mutability: 'immutable' }),
        str('display', 'The display name of the member', { mutability: 'readOnly' }),
        str('type', 'User', { mutability: 'immutable', canonicalValues: ['User'] }),
      ],
    }),
  ],
};

/** The common attributes of every resource (RFC 7643 §3.1). */
export const commonAttributes: AttrDef[] = [
  str('id', 'The identifier assigned by the service provider', { mutability: 'readOnly', returned: 'always', caseExact: true, uniqueness: 'server' }),
  str('externalId', "The identifier assigned by the identity provider (not required to be unique)", { caseExact: true }),
  attr('meta', 'complex', 'Resource metadata', {
    mutability: 'readOnly',
    subAttributes: [
      str('resourceType', 'User or Group', { mutability: 'readOnly' }),
      attr('created', 'dateTime', 'When the resource was added', { mutability: 'readOnly' }),
      attr('lastModified', 'dateTime', 'When the resource was last changed', { mutability: 'readOnly' }),
      attr('location', 'reference', 'The URI of the resource', { mutability: 'readOnly' }),
      str('version', 'The version (ETag) of the resource', { mutability: 'readOnly', caseExact: true }),
    ],
  }),
];

/** A resource type: its core schema and extensions, as the canonicaliser and the PATCH engine see it. */
export type ResourceDef = { name: 'User' | 'Group'; core: SchemaDef; extensions: SchemaDef[] };

export const userResource: ResourceDef = { name: 'User', core: userSchema, extensions: [enterpriseSchema] };
export const groupResource: ResourceDef = { name: 'Group', core: groupSchema, extensions: [] };

export function findAttr(list: readonly AttrDef[], name: string): AttrDef | undefined {
  const lower = name.toLowerCase();
  return list.find((a) => a.name.toLowerCase() === lower);
}

/** The attributes of a schema as published in /Schemas: only what is stored. */
export function publishedAttributes(list: readonly AttrDef[]): Array<Record<string, unknown>> {
  return list
    .filter((a) => !a.ignored)
    .map(({ ignored: _i, neverCleared: _r, subAttributes, ...a }) => ({
      ...a,
      ...(subAttributes ? { subAttributes: publishedAttributes(subAttributes) } : {}),
    }));
}
