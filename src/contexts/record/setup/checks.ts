import type { z } from 'zod';
import type { Platform } from '../../../platform/platform.js';
import { badRequest, conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { assertLevel, assertTrustAdmin, levelAt, orgAccessOf } from '../access.js';
import { loadModel, type CheckRow, type RecordModel } from '../record.repo.js';
import { fieldsOf, type ConditionGroup } from '../rules/conditions.js';
import { assertCondition, reachedCatalogOf } from './fields.js';
import { ensureSeeded, newKey } from './keys.js';
import { setupRepo } from './setup.repo.js';
import type { checkCreateSchema, checkPatchSchema } from './setup.schemas.js';

type CheckShape = { appliesTo?: string[]; condition?: ConditionGroup | null; type?: CheckRow['type']; options?: string[]; passValue?: boolean | null; referenceLabel?: string | null };

/**
 * A check's profile types exist, its condition names fields the caller reaches (or the check's
 * condition already named), a choice has options, only a yes/no has a pass value.
 */
function assertCheckShape(p: Principal, model: RecordModel, input: CheckShape, current?: CheckRow) {
  const keys = new Set([...model.profileTypes.values()].map((t) => t.key));
  const unknown = (input.appliesTo ?? []).filter((k) => !keys.has(k));
  if (unknown.length) throw badRequest('unknown_profile_type', `Unknown profile type ${unknown.map((k) => `"${k}"`).join(', ')}`, 'appliesTo');
  assertCondition(input.condition, reachedCatalogOf(model, p, fieldsOf(current?.condition)));
  const type = input.type ?? current?.type;
  const options = input.options ?? current?.options ?? [];
  if (type === 'choice' && options.length === 0) throw badRequest('options_required', 'A choice check needs its options', 'options');
  if (type !== 'yesno' && (input.passValue ?? null) !== null) throw badRequest('invalid_pass_value', 'Only a yes/no check has an answer that counts as done', 'passValue');
}

/**
 * Checks: the built-in set (statutory ones stay on and cannot be deleted; only help, validity and
 * use of a recommended one change), the trust's own, and each school's own (its administrators').
 */
export function createChecksSetup({ db }: Pick<Platform, 'db'>) {
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
        assertTrustAdmin(p);
        // A trust-wide check belongs to no organisation: one named with it was dropped without a word.
        if (input.organisationId !== undefined) throw badRequest('organisation_not_allowed', 'A trust-wide check belongs to no organisation: leave organisationId out, or add the check with scope "organisation"', 'organisationId');
      }
      assertCheckShape(p, model, input);
      const position = await setupRepo.nextPosition(t, p.tenantId, 'checks');
      const { scope, organisationId, ...rest } = input;
      const row = await setupRepo.insertCheck(t, p.tenantId, { key: newKey(input.name), scope, organisationId: scope === 'organisation' ? organisationId! : null, ...rest, position });
      await recordAudit(t, p.tenantId, actor, { action: 'record.check.created', targetType: 'record_check', targetId: row.id, summary: `Check ${row.name} added (${scope === 'tenant' ? 'trust-wide' : 'organisation'})`, data: input });
      return row;
    });
  }

  /** The check to change, when the caller administers where it belongs (a school's check of a school they do not reach is not found). */
  async function loadCheckForChange(t: DbOrTx, p: Principal, id: string) {
    const access = orgAccessOf(p);
    const check = await setupRepo.check(t, p.tenantId, id);
    if (!check) throw notFound('Check');
    if (check.organisationId) {
      if (levelAt(access, check.organisationId) === null) throw notFound('Check');
      assertLevel(access, check.organisationId, 'administer', 'Check');
    } else {
      assertTrustAdmin(p);
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
      assertCheckShape(p, model, patch, check);
      const row = await setupRepo.updateCheck(t, p.tenantId, id, patch);
      await recordAudit(t, p.tenantId, actor, { action: 'record.check.updated', targetType: 'record_check', targetId: id, summary: `Check ${check.name} updated`, data: { patch } });
      return row;
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
      await setupRepo.deleteCheck(t, p.tenantId, id);
      await recordAudit(t, p.tenantId, actor, { action: 'record.check.deleted', targetType: 'record_check', targetId: id, summary: `Check ${check.name} deleted` });
    });
  }

  return { listChecks, createCheck, updateCheck, deleteCheck };
}
