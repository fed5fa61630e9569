import type { CheckRow, OrganisationRow, ProfileTypeRow, RatingSystemRow } from '../record.repo.js';
import type { Level } from '../access.js';
import { OPERATOR_LABELS, OPERATORS, type FieldCatalog } from '../rules/conditions.js';

export const presentOrganisation = (o: OrganisationRow & { access: Level }) => ({ id: o.id, name: o.name, type: o.type, retentionYears: o.retentionYears, timeZone: o.timeZone, access: o.access });
export const presentProfileType = (t: ProfileTypeRow) => ({ id: t.id, key: t.key, name: t.name, builtIn: t.builtIn, retired: t.retiredAt !== null });
export const presentCheck = (c: CheckRow) => ({
  id: c.id,
  key: c.key,
  scope: c.scope,
  organisationId: c.organisationId,
  setVersion: c.setVersion,
  section: c.section,
  name: c.name,
  help: c.help,
  type: c.type,
  options: c.options,
  requirement: c.requirement,
  appliesTo: c.appliesTo,
  condition: c.condition ?? null,
  validity: c.validity ?? null,
  passValue: c.passValue,
  referenceLabel: c.referenceLabel,
  enabled: c.enabled,
});
export const presentRatingSystem = (s: RatingSystemRow) => ({
  id: s.id,
  key: s.key,
  name: s.name,
  readyColour: s.readyColour,
  notReadyColour: s.notReadyColour,
  enabled: s.enabled,
  mandatory: s.mandatory,
  builtIn: s.builtIn,
  defaultRequire: s.defaultRequire,
  rules: s.rules as Record<string, { require: 'statutory' | 'all' | string[] }>,
});

/** The condition builder's offer: every field with its kind (and options), and the operators. */
export const presentFieldCatalog = (catalog: FieldCatalog) => ({
  items: [...catalog.entries()].map(([field, d]) => ({ field, label: d.label ?? field, kind: d.kind, options: [...(d.options ?? [])] })),
  operators: OPERATORS.map((o) => ({ operator: o, label: OPERATOR_LABELS[o] })),
});
