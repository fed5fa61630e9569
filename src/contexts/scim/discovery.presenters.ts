import { commonAttributes, enterpriseSchema, groupSchema, publishedAttributes, URN, userSchema, type SchemaDef } from './scim.schema.js';
import { DEFAULT_PAGE, MAX_PAGE } from './resource/listing.js';

/** /ServiceProviderConfig, /ResourceTypes and /Schemas: truthful about what this server does. */
export function serviceProviderConfig(base: string, maxPayloadSize: number) {
  return {
    schemas: [URN.serviceProviderConfig],
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize },
    filter: { supported: true, maxResults: MAX_PAGE },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    // RFC 9865: both paging methods; cursors do not expire (they name a position, not a snapshot).
    pagination: { cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: DEFAULT_PAGE, maxPageSize: MAX_PAGE },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'The SCIM token generated on the SCIM tab of this group, sent as Authorization: Bearer thr_scim_…',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string) {
  return [
    {
      schemas: [URN.resourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'A member of this SCIM group',
      schema: URN.user,
      schemaExtensions: [{ schema: URN.enterprise, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [URN.resourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'A group of the identity provider inside this SCIM group',
      schema: URN.group,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

function schemaDoc(s: SchemaDef, base: string) {
  const common = s.id === URN.enterprise ? [] : commonAttributes.filter((a) => a.name === 'externalId');
  return {
    schemas: [URN.schema],
    id: s.id,
    name: s.name,
    description: s.description,
    attributes: publishedAttributes([...s.attributes, ...common]),
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${s.id}` },
  };
}

export function schemas(base: string) {
  return [userSchema, enterpriseSchema, groupSchema].map((s) => schemaDoc(s, base));
}
