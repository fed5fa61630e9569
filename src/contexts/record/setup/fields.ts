import type { Platform } from '../../../platform/platform.js';
import { badRequest, validationFailed } from '../../../platform/errors.js';
import { loadModel, type RecordModel } from '../record.repo.js';
import { conditionGroupSchema, validateCondition, type ConditionGroup, type FieldCatalog } from '../rules/conditions.js';
import { builtInFieldCatalog } from '../rules/fields.js';
import type { Principal } from '../../../platform/http/principal.js';
import { levelAt, orgAccessOf } from '../access.js';

/** Every field a condition of this tenant could name (through `reachedCatalogOf` only): the profile's, `fact.<key>` of each fact and `check.<key>` of each check. */
function catalogOf(model: RecordModel): FieldCatalog {
  return builtInFieldCatalog(model.checks, [...model.profileTypes.values()].map((t) => t.key), model.facts);
}

/**
 * The fields a condition may name for this caller: the tenant's, less each school's own check whose
 * organisation they do not reach (the rule `listChecks` lists checks by). An unreached school's key
 * is then "Unknown field", as a key that does not exist: accepting it would tell that it exists.
 * `keep` names fields accepted whatever the reach: those a condition being edited already names,
 * which its editor has already been shown (a trust administrator may have written them).
 */
export function reachedCatalogOf(model: RecordModel, p: Principal, keep: ReadonlySet<string> = new Set()): FieldCatalog {
  const access = orgAccessOf(p);
  return catalogOf({ ...model, checks: model.checks.filter((c) => !c.organisationId || levelAt(access, c.organisationId) !== null || keep.has(`check.${c.key}`)) });
}

/** Validates a condition against the tenant's fields: 400 naming the unknown or misused field. */
export function assertCondition(condition: ConditionGroup | null | undefined, catalog: FieldCatalog, path = 'condition'): void {
  if (!condition) return;
  const issues = validateCondition(condition, catalog, path);
  if (issues.length) throw validationFailed(issues.map((i) => ({ field: i.field, message: `${i.message} (at ${i.path})` })));
}

/** A condition given as JSON text (a query parameter): parsed, then validated against the fields. */
export function parseConditionParam(text: string | undefined, catalog: FieldCatalog, field = 'condition'): ConditionGroup | null {
  if (!text) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badRequest('invalid_condition', 'The condition is not valid JSON', field);
  }
  const parsed = conditionGroupSchema.safeParse(json);
  if (!parsed.success) throw badRequest('invalid_condition', `The condition is malformed: ${parsed.error.issues[0]?.message ?? 'invalid'}`, field);
  assertCondition(parsed.data, catalog, field);
  return parsed.data;
}

/**
 * What the visual condition builder offers: the tenant's fields as the caller reaches them
 * (presented with the operators by presentFieldCatalog). A school's own check is a field only to a
 * caller who reaches its organisation, as `listChecks` lists it; the profile's fields, the facts,
 * the built-in and the trust's checks are everyone's. A condition is validated against the same
 * catalogue (`reachedCatalogOf`).
 */
export function createFieldsSetup({ db }: Pick<Platform, 'db'>) {
  async function fieldCatalog(p: Principal): Promise<FieldCatalog> {
    return reachedCatalogOf(await loadModel(db, p.tenantId), p);
  }
  return { fieldCatalog };
}
