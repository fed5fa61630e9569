import type { z } from 'zod';
import type { Platform } from '../../../platform/platform.js';
import { badRequest, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { assertTrustAdmin } from '../access.js';
import { loadModel, type RecordModel } from '../record.repo.js';
import { ensureSeeded, newKey } from './keys.js';
import { setupRepo } from './setup.repo.js';
import type { ratingSystemCreateSchema, ratingSystemPatchSchema } from './setup.schemas.js';

/** Each rule names an existing profile type and, when it lists checks, existing checks. */
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

/**
 * The built-in "Inspector ready" is the statutory standard (decision 041): a rule of it that lists
 * checks (which replaces "statutory" for that profile type) must still name every statutory check
 * that can apply to the type, so it can add checks but never leave one the law requires out.
 * Other rating systems, the tenant's own and "School ready", stay free.
 */
function assertInspectorReadyKeepsStatutory(model: RecordModel, sys: { key: string; builtIn: boolean }, rules: Record<string, { require: 'statutory' | 'all' | string[] }> | undefined) {
  if (!rules || !sys.builtIn || sys.key !== 'inspector_ready') return;
  for (const [type, rule] of Object.entries(rules)) {
    if (!Array.isArray(rule.require)) continue;
    const listed = new Set(rule.require);
    const left = model.checks.find((c) => c.enabled && c.requirement === 'statutory' && (c.appliesTo.length === 0 || c.appliesTo.includes(type)) && !listed.has(c.key));
    if (left) throw badRequest('statutory_check_required', `Inspector ready must require every statutory check: "${left.name}" is left out for this profile type`, `rules.${type}.require`);
  }
}

/** A mandatory rating system is one every profile must meet: it cannot be switched off. */
function assertMandatoryEnabled(s: { mandatory: boolean; enabled: boolean }) {
  if (s.mandatory && !s.enabled) throw badRequest('mandatory_rating_system', 'A mandatory rating system cannot be switched off: make it not mandatory first', 'enabled');
}

/** Rating systems: list, add, change (name, colours, flags, the rule per profile type). Trust administrators only. */
export function createRatingSystemsSetup({ db }: Pick<Platform, 'db'>) {
  async function listRatingSystems(tenantId: string) {
    return (await loadModel(db, tenantId)).systems;
  }

  async function createRatingSystem(p: Principal, actor: Actor, input: z.output<typeof ratingSystemCreateSchema>) {
    assertTrustAdmin(p);
    return inTransaction(db, async (t) => {
      await ensureSeeded(t, p.tenantId);
      assertRules(await loadModel(t, p.tenantId), input.rules);
      assertMandatoryEnabled(input);
      const position = await setupRepo.nextPosition(t, p.tenantId, 'systems');
      const row = await setupRepo.insertRatingSystem(t, p.tenantId, { key: newKey(input.name), ...input, position });
      await recordAudit(t, p.tenantId, actor, { action: 'record.rating_system.created', targetType: 'record_rating_system', targetId: row.id, summary: `Rating system ${row.name} added` });
      return row;
    });
  }

  async function updateRatingSystem(p: Principal, actor: Actor, id: string, patch: z.output<typeof ratingSystemPatchSchema>) {
    assertTrustAdmin(p);
    return inTransaction(db, async (t) => {
      const sys = await setupRepo.ratingSystem(t, p.tenantId, id);
      if (!sys) throw notFound('Rating system');
      const model = await loadModel(t, p.tenantId);
      assertRules(model, patch.rules);
      assertInspectorReadyKeepsStatutory(model, sys, patch.rules);
      assertMandatoryEnabled({ mandatory: patch.mandatory ?? sys.mandatory, enabled: patch.enabled ?? sys.enabled });
      const row = await setupRepo.updateRatingSystem(t, p.tenantId, id, patch);
      await recordAudit(t, p.tenantId, actor, { action: 'record.rating_system.updated', targetType: 'record_rating_system', targetId: id, summary: `Rating system ${sys.name} updated`, data: { patch } });
      return row;
    });
  }

  return { listRatingSystems, createRatingSystem, updateRatingSystem };
}
