import type { Platform } from '../../../platform/platform.js';
import { conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { assertTrustAdmin } from '../access.js';
import { loadModel } from '../record.repo.js';
import { fieldsOf } from '../rules/conditions.js';
import { ensureSeeded, newKey } from './keys.js';
import { setupRepo } from './setup.repo.js';

/** Profile types: list, add, rename, retire or restore, and delete one nothing uses (409 saying what does). */
export function createProfileTypesSetup({ db, now }: Pick<Platform, 'db' | 'now'>) {
  async function listProfileTypes(tenantId: string) {
    const model = await loadModel(db, tenantId);
    return [...model.profileTypes.values()];
  }

  async function createProfileType(p: Principal, actor: Actor, input: { name: string }) {
    assertTrustAdmin(p);
    return inTransaction(db, async (t) => {
      await ensureSeeded(t, p.tenantId);
      const position = await setupRepo.nextPosition(t, p.tenantId, 'types');
      const row = await setupRepo.insertProfileType(t, p.tenantId, { key: newKey(input.name), name: input.name, position });
      await recordAudit(t, p.tenantId, actor, { action: 'record.profile_type.created', targetType: 'record_profile_type', targetId: row.id, summary: `Profile type ${input.name} added` });
      return row;
    });
  }

  async function updateProfileType(p: Principal, actor: Actor, id: string, patch: { name?: string; retired?: boolean }) {
    assertTrustAdmin(p);
    return inTransaction(db, async (t) => {
      const type = await setupRepo.profileType(t, p.tenantId, id);
      if (!type) throw notFound('Profile type');
      const set: { name?: string; retiredAt?: Date | null } = {};
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.retired !== undefined) set.retiredAt = patch.retired ? (type.retiredAt ?? now()) : null;
      const row = await setupRepo.updateProfileType(t, p.tenantId, id, set);
      const what = patch.retired === true ? 'retired' : patch.retired === false ? 'restored' : 'renamed';
      await recordAudit(t, p.tenantId, actor, { action: `record.profile_type.${what}`, targetType: 'record_profile_type', targetId: id, summary: `Profile type ${type.name} ${what}${patch.name && patch.name !== type.name ? ` to ${patch.name}` : ''}` });
      return row;
    });
  }

  async function deleteProfileType(p: Principal, actor: Actor, id: string) {
    assertTrustAdmin(p);
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
      await setupRepo.deleteProfileType(t, p.tenantId, id);
      await recordAudit(t, p.tenantId, actor, { action: 'record.profile_type.deleted', targetType: 'record_profile_type', targetId: id, summary: `Profile type ${type.name} deleted` });
    });
  }

  return { listProfileTypes, createProfileType, updateProfileType, deleteProfileType };
}
