import type { Platform } from '../../../platform/platform.js';
import { badRequest, validationFailed } from '../../../platform/errors.js';
import { loadModel, type RecordModel } from '../record.repo.js';
import { conditionGroupSchema, validateCondition, type ConditionGroup, type FieldCatalog } from '../rules/conditions.js';
import { builtInFieldCatalog } from '../rules/fields.js';
import type { Principal } from '../../../platform/http/principal.js';
import { levelAt, orgAccessOf } from '../access.js';

/** The fields a condition of this tenant may name: the profile's, `fact.<key>` of each fact and `check.<key>` of each check. */
export function catalogOf(model: RecordModel): FieldCatalog {
  return builtInFieldCatalog(model.checks, [...model.profileTypes.values()].map((t) => t.key), model.facts);
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
 * the built-in and the trust's checks are everyone's. Validating a condition still takes the whole
 * catalogue (`catalogOf`): a check is the tenant's, whoever names it.
 */
export function createFieldsSetup({ db }: Pick<Platform, 'db'>) {
  async function fieldCatalog(p: Principal): Promise<FieldCatalog> {
    const model = await loadModel(db, p.tenantId);
    const access = orgAccessOf(p);
    return catalogOf({ ...model, checks: model.checks.filter((c) => !c.organisationId || levelAt(access, c.organisationId) !== null) });
  }
  return { fieldCatalog };
}
