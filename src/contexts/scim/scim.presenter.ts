import { URN } from './scim.schema.js';
import { isObject } from './resource/canonical.js';
import type { ScimUserRow } from './users/users.repo.js';
import { docFromRow } from './users/users.repo.js';

export type ScimJson = Record<string, unknown>;

export const scimBaseUrl = (publicUrl: string, groupId: string) => `${publicUrl}/scim/v2/groups/${groupId}`;

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
      version: `W/"${row.version}"`,
    },
  };
}

export type GroupView = {
  id: string;
  displayName: string;
  externalId: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  members?: Array<{ id: string; display: string }>;
};

export function presentGroup(g: GroupView, base: string): ScimJson {
  return {
    schemas: [URN.group],
    id: g.id,
    displayName: g.displayName,
    ...(g.externalId ? { externalId: g.externalId } : {}),
    ...(g.members ? { members: g.members.map((m) => ({ value: m.id, display: m.display, $ref: `${base}/Users/${m.id}`, type: 'User' })) } : {}),
    meta: {
      resourceType: 'Group',
      created: g.createdAt.toISOString(),
      lastModified: g.updatedAt.toISOString(),
      location: `${base}/Groups/${g.id}`,
      version: `W/"${g.version}"`,
    },
  };
}

export function listResponse(resources: ScimJson[], total: number, startIndex: number): ScimJson {
  return { schemas: [URN.listResponse], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}

/** Splits `attributes` / `excludedAttributes` (comma-separated, maybe URN-qualified) into paths. */
export function attributeList(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

type PathRef = { container: string | null; attr: string; sub?: string };

function refOf(path: string, schemas: string[]): PathRef {
  const lower = path.toLowerCase();
  for (const s of schemas) {
    const id = s.toLowerCase();
    if (lower === id) return { container: null, attr: s };
    if (lower.startsWith(`${id}:`)) {
      const [attr, sub] = path.slice(id.length + 1).split('.');
      return { container: s === URN.user || s === URN.group ? null : s, attr: attr!, sub };
    }
  }
  const [attr, sub] = path.split('.');
  return { container: null, attr: attr!, sub };
}

const keyIn = (o: ScimJson, name: string) => Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());

/**
 * RFC 7644 §3.9: `attributes` keeps only the named attributes (plus `schemas` and `id`, always
 * returned); `excludedAttributes` removes the named ones. Applied to one presented resource.
 */
export function project(resource: ScimJson, attributes: string[], excluded: string[]): ScimJson {
  const schemas = [URN.user, URN.enterprise, URN.group];
  if (attributes.length > 0) {
    const out: ScimJson = { schemas: resource.schemas, id: resource.id };
    for (const path of attributes) {
      const ref = refOf(path, schemas);
      const holder = ref.container ? resource[ref.container] : resource;
      if (!isObject(holder)) continue;
      const key = keyIn(holder, ref.attr);
      if (!key) continue;
      const target = ref.container ? ((out[ref.container] as ScimJson | undefined) ?? (out[ref.container] = {})) : out;
      if (!isObject(target)) continue;
      const value = holder[key];
      if (ref.sub && isObject(value)) {
        const subKey = keyIn(value, ref.sub);
        if (!subKey) continue;
        const existing = isObject(target[key]) ? (target[key] as ScimJson) : {};
        target[key] = { ...existing, [subKey]: value[subKey] };
      } else if (ref.sub && Array.isArray(value)) {
        target[key] = value.map((el) => (isObject(el) ? Object.fromEntries(Object.entries(el).filter(([k]) => k.toLowerCase() === ref.sub!.toLowerCase())) : el));
      } else target[key] = value;
    }
    return out;
  }
  if (excluded.length === 0) return resource;
  const out: ScimJson = structuredClone(resource);
  for (const path of excluded) {
    const ref = refOf(path, schemas);
    const holder = ref.container ? out[ref.container] : out;
    if (!isObject(holder)) continue;
    const key = keyIn(holder, ref.attr);
    if (!key || key === 'id' || key === 'schemas') continue;
    if (ref.sub) {
      const value = holder[key];
      if (isObject(value)) {
        const subKey = keyIn(value, ref.sub);
        if (subKey) delete value[subKey];
      }
    } else delete holder[key];
  }
  return out;
}

/** Whether the presented resource would include `attr` (to skip loading group members). */
export function wants(attr: string, attributes: string[], excluded: string[]): boolean {
  const a = attr.toLowerCase();
  const matches = (p: string) => {
    const l = p.toLowerCase();
    return l === a || l.startsWith(`${a}.`) || l.endsWith(`:${a}`) || l.includes(`:${a}.`);
  };
  if (attributes.length > 0) return attributes.some(matches);
  return !excluded.some((p) => p.toLowerCase() === a || p.toLowerCase().endsWith(`:${a}`));
}
