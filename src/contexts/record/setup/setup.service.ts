import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Platform } from '../../../platform/platform.js';
import { badRequest, conflict, notFound, validationFailed } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { assertLevel, assertTrustAdmin, levelAt, orgAccessOf, visibleOrgs } from '../access.js';
import { loadModel, type CheckRow, type RecordModel } from '../record.repo.js';
import { recordChecks, recordOrganisations, recordProfileTypes, recordRatingSystems } from '../record.tables.js';
import { conditionGroupSchema, fieldsOf, OPERATOR_LABELS, OPERATORS, validateCondition, type ConditionGroup, type FieldCatalog } from '../rules/conditions.js';
import { builtInFieldCatalog } from '../rules/fields.js';
import { setupRepo } from './setup.repo.js';
import { seedRecord } from './seed.js';
import type {
  checkCreateSchema,
  checkPatchSchema,
  organisationCreateSchema,
  organisationPatchSchema,
  ratingSystemCreateSchema,
  ratingSystemPatchSchema,
} from './setup.schemas.js';

export type SetupDeps = Pick<Platform, 'db' | 'now'>;

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40) || 'x';
const newKey = (name: string) => `custom_${slug(name)}_${randomBytes(3).toString('hex')}`;

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

export function createSetupService(deps: SetupDeps) {
  const { db } = deps;

  // ---- organisations ----------------------------------------------------------------------

  async function listOrganisations(p: Principal) {
    const access = orgAccessOf(p);
    const visible = visibleOrgs(access);
    const model = await loadModel(db, p.tenantId);
    return [...model.organisations.values()]
      .filter((o) => visible === null || visible.includes(o.id))
      .map((o) => ({ ...o, access: levelAt(access, o.id)! }));
  }

  async function getOrganisation(p: Principal, id: string) {
    const access = orgAccessOf(p);
    const org = await setupRepo.organisation(db, p.tenantId, id);
    if (!org) throw notFound('Organisation');
    assertLevel(access, org.id, 'view', 'Organisation');
    return { ...org, access: levelAt(access, org.id)! };
  }

  /** The first organisation of a tenant seeds its record with the built-in KCSIE set. */
  async function createOrganisation(p: Principal, actor: Actor, input: Omit<z.output<typeof organisationCreateSchema>, 'timeZone'> & { timeZone?: string }, tx: DbOrTx = db) {
    assertTrustAdmin(orgAccessOf(p));
    return inTransaction(tx, async (t) => {
      if (!(await setupRepo.hasProfileTypes(t, p.tenantId))) await seedRecord(t, p.tenantId);
      const [org] = await t.insert(recordOrganisations).values({ tenantId: p.tenantId, ...input }).returning();
      await recordAudit(t, p.tenantId, actor, { action: 'record.organisation.created', targetType: 'record_organisation', targetId: org!.id, summary: `Organisation ${org!.name} created`, data: input });
      return { ...org!, access: 'administer' as const };
    });
  }

  async function updateOrganisation(p: Principal, actor: Actor, id: string, patch: z.output<typeof organisationPatchSchema>) {
    const access = orgAccessOf(p);
    return inTransaction(db, async (t) => {
      const org = await setupRepo.organisation(t, p.tenantId, id);
      if (!org) throw notFound('Organisation');
      assertLevel(access, org.id, 'administer', 'Organisation');
      const [row] = await t.update(recordOrganisations).set(patch).where(and(eq(recordOrganisations.tenantId, p.tenantId), eq(recordOrganisations.id, id))).returning();
      await recordAudit(t, p.tenantId, actor, { action: 'record.organisation.updated', targetType: 'record_organisation', targetId: id, summary: `Organisation ${row!.name} updated`, data: { before: { name: org.name, type: org.type, retentionYears: org.retentionYears, timeZone: org.timeZone }, patch } });
      return { ...row!, access: levelAt(access, id)! };
    });
  }

  async function deleteOrganisation(p: Principal, actor: Actor, id: string) {
    const access = orgAccessOf(p);
    return inTransaction(db, async (t) => {
      const org = await setupRepo.organisation(t, p.tenantId, id);
      if (!org) throw notFound('Organisation');
      assertLevel(access, org.id, 'view', 'Organisation');
      assertTrustAdmin(access);
      const profiles = await setupRepo.profilesUsing(t, p.tenantId, 'organisation', id);
      if (profiles > 0) {
        throw conflict('organisation_in_use', `${org.name} is in use: ${profiles} profile${profiles === 1 ? '' : 's'} belong to it. Move or erase them first.`, { usedBy: { profiles } });
      }
      await t.delete(recordOrganisations).where(and(eq(recordOrganisations.tenantId, p.tenantId), eq(recordOrganisations.id, id)));
      await recordAudit(t, p.tenantId, actor, { action: 'record.organisation.deleted', targetType: 'record_organisation', targetId: id, summary: `Organisation ${org.name} deleted` });
    });
  }

  // ---- profile types ----------------------------------------------------------------------

  async function listProfileTypes(tenantId: string) {
    const model = await loadModel(db, tenantId);
    return [...model.profileTypes.values()];
  }

  async function ensureSeeded(t: DbOrTx, tenantId: string) {
    if (!(await setupRepo.hasProfileTypes(t, tenantId))) await seedRecord(t, tenantId);
  }

  async function createProfileType(p: Principal, actor: Actor, input: { name: string }) {
    assertTrustAdmin(orgAccessOf(p));
    return inTransaction(db, async (t) => {
      await ensureSeeded(t, p.tenantId);
      const position = await setupRepo.nextPosition(t, p.tenantId, 'types');
      const [row] = await t.insert(recordProfileTypes).values({ tenantId: p.tenantId, key: newKey(input.name), name: input.name, position }).returning();
      await recordAudit(t, p.tenantId, actor, { action: 'record.profile_type.created', targetType: 'record_profile_type', targetId: row!.id, summary: `Profile type ${input.name} added` });
      return row!;
    });
  }

  async function updateProfileType(p: Principal, actor: Actor, id: string, patch: { name?: string; retired?: boolean }) {
    assertTrustAdmin(orgAccessOf(p));
    return inTransaction(db, async (t) => {
      const type = await setupRepo.profileType(t, p.tenantId, id);
      if (!type) throw notFound('Profile type');
      const set: Partial<typeof recordProfileTypes.$inferInsert> = {};
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.retired !== undefined) set.retiredAt = patch.retired ? (type.retiredAt ?? deps.now()) : null;
      const [row] = await t.update(recordProfileTypes).set(set).where(and(eq(recordProfileTypes.tenantId, p.tenantId), eq(recordProfileTypes.id, id))).returning();
      const what = patch.retired === true ? 'retired' : patch.retired === false ? 'restored' : 'renamed';
      await recordAudit(t, p.tenantId, actor, { action: `record.profile_type.${what}`, targetType: 'record_profile_type', targetId: id, summary: `Profile type ${type.name} ${what}${patch.name && patch.name !== type.name ? ` to ${patch.name}` : ''}` });
      return row!;
    });
  }

  async function deleteProfileType(p: Principal, actor: Actor, id: string) {
    assertTrustAdmin(orgAccessOf(p));
    return inTransaction(db, async (t) => {
      const type = await setupRepo.profileType(t, p.tenantId, id);
      if (!type) throw notFound('Profile type');
      const profiles = await setupRepo.profilesUsing(t, p.tenantId, 'profileType', id);
      const model = await loadModel(t, p.tenantId);
      const checks = model.checks.filter((c) => c.appliesTo.includes(type.key) || fieldsOf(c.condition).has('profile.type') && JSON.stringify(c.condition).includes(`"${type.key}"`));
      const systems = model.systems.filter((s) => type.key in s.rules);
      if (profiles > 0 || checks.length > 0 || systems.length > 0) {
        const uses = [
          profiles ? `${profiles} profile${profiles === 1 ? '' : 's'}` : '',
          checks.length ? `the check${checks.length === 1 ? '' : 's'} ${checks.map((c) => `"${c.name}"`).join(', ')}` : '',
          systems.length ? `the rating system${systems.length === 1 ? '' : 's'} ${systems.map((s) => `"${s.name}"`).join(', ')}` : '',
        ].filter(Boolean);
        throw conflict('profile_type_in_use', `${type.name} is in use by ${uses.join(' and ')}. Retire it instead.`, {
          usedBy: { profiles, checks: checks.map((c) => c.name), ratingSystems: systems.map((s) => s.name) },
        });
      }
      await t.delete(recordProfileTypes).where(and(eq(recordProfileTypes.tenantId, p.tenantId), eq(recordProfileTypes.id, id)));
      await recordAudit(t, p.tenantId, actor, { action: 'record.profile_type.deleted', targetType: 'record_profile_type', targetId: id, summary: `Profile type ${type.name} deleted` });
    });
  }

  // ---- checks -----------------------------------------------------------------------------

  /** Checks visible to the caller: built-in and trust-wide, and the own checks of organisations they reach. */
  async function listChecks(p: Principal, organisationId?: string) {
    const access = orgAccessOf(p);
    const model = await loadModel(db, p.tenantId);
    if (organisationId) {
      if (!model.organisations.has(organisationId)) throw notFound('Organisation');
      assertLevel(access, organisationId, 'view', 'Organisation');
    }
    return model.checks.filter((c) => {
      if (!c.organisationId) return true;
      if (organisationId) return c.organisationId === organisationId;
      return levelAt(access, c.organisationId) !== null;
    });
  }

  function assertCheckShape(model: RecordModel, input: { appliesTo?: string[]; condition?: ConditionGroup | null; type?: CheckRow['type']; options?: string[]; passValue?: boolean | null; referenceLabel?: string | null }, current?: CheckRow) {
    const keys = new Set([...model.profileTypes.values()].map((t) => t.key));
    const unknown = (input.appliesTo ?? []).filter((k) => !keys.has(k));
    if (unknown.length) throw badRequest('unknown_profile_type', `Unknown profile type ${unknown.map((k) => `"${k}"`).join(', ')}`, 'appliesTo');
    assertCondition(input.condition, catalogOf(model));
    const type = input.type ?? current?.type;
    const options = input.options ?? current?.options ?? [];
    if (type === 'choice' && options.length === 0) throw badRequest('options_required', 'A choice check needs its options', 'options');
    if (type !== 'yesno' && (input.passValue ?? null) !== null) throw badRequest('invalid_pass_value', 'Only a yes/no check has an answer that counts as done', 'passValue');
  }

  async function createCheck(p: Principal, actor: Actor, input: z.output<typeof checkCreateSchema>) {
    const access = orgAccessOf(p);
    return inTransaction(db, async (t) => {
      await ensureSeeded(t, p.tenantId);
      const model = await loadModel(t, p.tenantId);
      if (input.scope === 'organisation') {
        if (!input.organisationId) throw badRequest('organisation_required', 'A school’s own check names its organisation', 'organisationId');
        if (!model.organisations.has(input.organisationId)) throw notFound('Organisation');
        assertLevel(access, input.organisationId, 'administer', 'Organisation');
      } else {
        assertTrustAdmin(access);
      }
      assertCheckShape(model, input);
      const position = await setupRepo.nextPosition(t, p.tenantId, 'checks');
      const { scope, organisationId, ...rest } = input;
      const [row] = await t
        .insert(recordChecks)
        .values({ tenantId: p.tenantId, key: newKey(input.name), scope, organisationId: scope === 'organisation' ? organisationId! : null, ...rest, position })
        .returning();
      await recordAudit(t, p.tenantId, actor, { action: 'record.check.created', targetType: 'record_check', targetId: row!.id, summary: `Check ${row!.name} added (${scope === 'tenant' ? 'trust-wide' : 'organisation'})`, data: input });
      return row!;
    });
  }

  async function loadCheckForChange(t: DbOrTx, p: Principal, id: string) {
    const access = orgAccessOf(p);
    const check = await setupRepo.check(t, p.tenantId, id);
    if (!check) throw notFound('Check');
    if (check.organisationId) {
      if (levelAt(access, check.organisationId) === null) throw notFound('Check');
      assertLevel(access, check.organisationId, 'administer', 'Check');
    } else {
      assertTrustAdmin(access);
    }
    return check;
  }

  async function updateCheck(p: Principal, actor: Actor, id: string, patch: z.output<typeof checkPatchSchema>) {
    return inTransaction(db, async (t) => {
      const check = await loadCheckForChange(t, p, id);
      if (check.requirement === 'statutory' && (patch.enabled === false || patch.requirement === 'recommended')) {
        throw badRequest('statutory_check', `${check.name} is statutory: it cannot be switched off or made optional`, patch.enabled === false ? 'enabled' : 'requirement');
      }
      if (check.scope === 'builtin') {
        const allowed = new Set(['enabled', 'help', 'validity']);
        const bad = Object.keys(patch).find((k) => !allowed.has(k) && patch[k as keyof typeof patch] !== undefined);
        if (bad) throw badRequest('built_in_check', `${check.name} is part of the built-in ${check.setVersion ?? ''} set: only its help, validity and (if recommended) whether it is used can change`.replace('  ', ' '), bad);
      }
      const model = await loadModel(t, p.tenantId);
      assertCheckShape(model, patch, check);
      const [row] = await t.update(recordChecks).set(patch).where(and(eq(recordChecks.tenantId, p.tenantId), eq(recordChecks.id, id))).returning();
      await recordAudit(t, p.tenantId, actor, { action: 'record.check.updated', targetType: 'record_check', targetId: id, summary: `Check ${check.name} updated`, data: { patch } });
      return row!;
    });
  }

  async function deleteCheck(p: Principal, actor: Actor, id: string) {
    return inTransaction(db, async (t) => {
      const check = await loadCheckForChange(t, p, id);
      if (check.requirement === 'statutory' && check.scope === 'builtin') {
        throw conflict('statutory_check', `${check.name} is a statutory check of ${check.setVersion}: it cannot be deleted`);
      }
      if (check.scope === 'builtin') throw conflict('built_in_check', `${check.name} is part of the built-in ${check.setVersion} set: switch it off instead of deleting it`);
      const profiles = await setupRepo.valuesOfCheck(t, p.tenantId, id);
      const model = await loadModel(t, p.tenantId);
      const referencing = model.checks.filter((c) => c.id !== id && fieldsOf(c.condition).has(`check.${check.key}`));
      if (profiles > 0 || referencing.length > 0) {
        const uses = [
          profiles ? `it is recorded on ${profiles} profile${profiles === 1 ? '' : 's'}` : '',
          referencing.length ? `the condition of ${referencing.map((c) => `"${c.name}"`).join(', ')} uses it` : '',
        ].filter(Boolean);
        throw conflict('check_in_use', `${check.name} is in use: ${uses.join(' and ')}. Switch it off instead.`, { usedBy: { profiles, checks: referencing.map((c) => c.name) } });
      }
      await t.delete(recordChecks).where(and(eq(recordChecks.tenantId, p.tenantId), eq(recordChecks.id, id)));
      await recordAudit(t, p.tenantId, actor, { action: 'record.check.deleted', targetType: 'record_check', targetId: id, summary: `Check ${check.name} deleted` });
    });
  }

  // ---- rating systems ---------------------------------------------------------------------

  async function listRatingSystems(tenantId: string) {
    return (await loadModel(db, tenantId)).systems;
  }

  function assertRules(model: RecordModel, rules: Record<string, { require: 'statutory' | 'all' | string[] }> | undefined) {
    if (!rules) return;
    const types = new Set([...model.profileTypes.values()].map((t) => t.key));
    for (const [type, rule] of Object.entries(rules)) {
      if (!types.has(type)) throw badRequest('unknown_profile_type', `Unknown profile type "${type}"`, `rules.${type}`);
      if (Array.isArray(rule.require)) {
        const bad = rule.require.find((k) => !model.checksByKey.has(k));
        if (bad) throw badRequest('unknown_check', `Unknown check "${bad}"`, `rules.${type}.require`);
      }
    }
  }

  /** A mandatory rating system is one every profile must meet: it cannot be switched off. */
  function assertMandatoryEnabled(s: { mandatory: boolean; enabled: boolean }) {
    if (s.mandatory && !s.enabled) throw badRequest('mandatory_rating_system', 'A mandatory rating system cannot be switched off: make it not mandatory first', 'enabled');
  }

  async function createRatingSystem(p: Principal, actor: Actor, input: z.output<typeof ratingSystemCreateSchema>) {
    assertTrustAdmin(orgAccessOf(p));
    return inTransaction(db, async (t) => {
      await ensureSeeded(t, p.tenantId);
      assertRules(await loadModel(t, p.tenantId), input.rules);
      assertMandatoryEnabled(input);
      const position = await setupRepo.nextPosition(t, p.tenantId, 'systems');
      const [row] = await t.insert(recordRatingSystems).values({ tenantId: p.tenantId, key: newKey(input.name), ...input, position }).returning();
      await recordAudit(t, p.tenantId, actor, { action: 'record.rating_system.created', targetType: 'record_rating_system', targetId: row!.id, summary: `Rating system ${row!.name} added` });
      return row!;
    });
  }

  async function updateRatingSystem(p: Principal, actor: Actor, id: string, patch: z.output<typeof ratingSystemPatchSchema>) {
    assertTrustAdmin(orgAccessOf(p));
    return inTransaction(db, async (t) => {
      const sys = await setupRepo.ratingSystem(t, p.tenantId, id);
      if (!sys) throw notFound('Rating system');
      assertRules(await loadModel(t, p.tenantId), patch.rules);
      assertMandatoryEnabled({ mandatory: patch.mandatory ?? sys.mandatory, enabled: patch.enabled ?? sys.enabled });
      const [row] = await t.update(recordRatingSystems).set(patch).where(and(eq(recordRatingSystems.tenantId, p.tenantId), eq(recordRatingSystems.id, id))).returning();
      await recordAudit(t, p.tenantId, actor, { action: 'record.rating_system.updated', targetType: 'record_rating_system', targetId: id, summary: `Rating system ${sys.name} updated`, data: { patch } });
      return row!;
    });
  }

  /** What the visual condition builder offers: every field with its kind, and the operators. */
  async function fieldCatalog(tenantId: string) {
    const model = await loadModel(db, tenantId);
    const catalog = catalogOf(model);
    return {
      items: [...catalog.entries()].map(([field, d]) => ({ field, label: d.label ?? field, kind: d.kind, options: [...(d.options ?? [])] })),
      operators: OPERATORS.map((o) => ({ operator: o, label: OPERATOR_LABELS[o] })),
    };
  }

  return {
    listOrganisations,
    getOrganisation,
    createOrganisation,
    updateOrganisation,
    deleteOrganisation,
    listProfileTypes,
    createProfileType,
    updateProfileType,
    deleteProfileType,
    listChecks,
    createCheck,
    updateCheck,
    deleteCheck,
    listRatingSystems,
    createRatingSystem,
    updateRatingSystem,
    fieldCatalog,
  };
}

export type SetupService = ReturnType<typeof createSetupService>;
