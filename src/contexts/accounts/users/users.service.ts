import type { Platform } from '../../../platform/platform.js';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import type { Principal, Role, Scope } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { usersRepo, type UserWithScopes } from './users.repo.js';
import { scopeChecks, uniqueScopes, type ScopeTargets } from './scope-targets.js';
import { scopesVersionOf } from './scopes-version.js';

export type { ScopeTargets } from './scope-targets.js';

export type UsersDeps = Pick<Platform, 'db' | 'now'> & { scopeTargets: ScopeTargets };

/** Only the owner may change the owner's account; nobody may demote or disable the owner. */
function assertMayTouch(principal: Principal, target: UserWithScopes | { role: Role }) {
  if (target.role === 'owner' && principal.role !== 'owner') {
    throw new AppError(403, 'owner_protected', 'Only the owner can change the owner’s account');
  }
}

export function createUsersService(deps: UsersDeps) {
  const { db, now } = deps;
  const checks = scopeChecks(deps.scopeTargets);

  async function get(tenantId: string, id: string) {
    const user = await usersRepo.find(db, tenantId, id);
    if (!user) throw notFound('User');
    return user;
  }

  async function update(
    principal: Principal,
    actor: Actor,
    id: string,
    patch: { name?: string; role?: Role; fromRole?: Role; disabled?: boolean },
  ) {
    if (patch.role === 'owner') {
      throw badRequest('invalid_role', 'A tenant has exactly one owner: transfer ownership instead', 'role');
    }
    const { tenantId } = principal;
    return inTransaction(db, async (tx) => {
      const target = await usersRepo.findForUpdate(tx, tenantId, id);
      if (!target) throw notFound('User');
      assertMayTouch(principal, target);
      // The role the editor read (the role is its own version, as a digest is the scopes'): stale, nothing is saved.
      if (patch.fromRole !== undefined && patch.fromRole !== target.role) {
        throw conflict('version_conflict', `Someone else changed the role of ${target.name || target.email} since you opened it (now ${target.role}); nothing was saved. Make your change again if it is still needed.`, { role: target.role });
      }
      if (target.role === 'owner' && patch.role !== undefined && patch.role !== target.role) {
        throw badRequest('owner_protected', 'The owner cannot be demoted: transfer ownership first', 'role');
      }
      if (target.role === 'owner' && patch.disabled) {
        throw badRequest('owner_protected', 'The owner cannot be disabled', 'disabled');
      }
      if (patch.disabled && principal.kind === 'user' && principal.id === id) {
        throw badRequest('cannot_disable_self', 'You cannot disable your own account', 'disabled');
      }
      const changes: Record<string, unknown> = {};
      const set: Parameters<typeof usersRepo.update>[3] = {};
      if (patch.name !== undefined && patch.name !== target.name) {
        set.name = patch.name;
        changes.name = { from: target.name, to: patch.name };
      }
      if (patch.role !== undefined && patch.role !== target.role) {
        set.role = patch.role;
        changes.role = { from: target.role, to: patch.role };
      }
      if (patch.disabled !== undefined && patch.disabled !== Boolean(target.disabledAt)) {
        set.disabledAt = patch.disabled ? now() : null;
        changes.disabled = { from: Boolean(target.disabledAt), to: patch.disabled };
      }
      if (Object.keys(set).length > 0) {
        await usersRepo.update(tx, tenantId, id, set);
        if (patch.disabled) await usersRepo.deleteSessions(tx, tenantId, id);
        const action = changes.disabled ? (patch.disabled ? 'user.disabled' : 'user.enabled') : changes.role ? 'user.role_changed' : 'user.updated';
        await recordAudit(tx, tenantId, actor, {
          action,
          targetType: 'user',
          targetId: id,
          summary: `User ${target.email} updated (${Object.keys(changes).join(', ')})`,
          data: changes,
        });
      }
      return (await usersRepo.find(tx, tenantId, id))!;
    });
  }

  /**
   * Replaces the user's scopes. `expectedVersion`, the `scopesVersion` the editor read: when the
   * scopes changed since (another administrator saved), 409 `version_conflict` and nothing saved.
   * The user's row is locked first, so two saves from one read cannot both pass the comparison.
   */
  async function setScopes(principal: Principal, actor: Actor, id: string, scopes: Scope[], expectedVersion?: string) {
    const { tenantId } = principal;
    const unique = uniqueScopes(scopes);
    return inTransaction(db, async (tx) => {
      const target = await usersRepo.findForUpdate(tx, tenantId, id);
      if (!target) throw notFound('User');
      assertMayTouch(principal, target);
      // Tenant-wide permissions need an unscoped caller: a scoped owner could never unscope themselves again.
      if (target.role === 'owner' && unique.length > 0) throw badRequest('owner_unscoped', 'The owner reaches the whole tenant and cannot be limited to sites or organisations', 'scopes');
      if (expectedVersion !== undefined) {
        const current = scopesVersionOf((await usersRepo.find(tx, tenantId, id))!.scopes);
        if (current !== expectedVersion) throw conflict('version_conflict', `Someone else changed the reach of ${target.name || target.email} since you opened it; nothing was saved. Reload to see their change, then make yours again.`, { scopesVersion: current });
      }
      await checks.assertTargets(tx, tenantId, scopes);
      await usersRepo.replaceScopes(tx, tenantId, id, unique);
      await recordAudit(tx, tenantId, actor, {
        action: 'user.scopes_set',
        targetType: 'user',
        targetId: id,
        summary: `Scopes of ${target.email} set (${unique.length})`,
        data: { scopes: unique },
      });
      return (await usersRepo.find(tx, tenantId, id))!;
    });
  }

  /** The owner hands over: the target becomes owner, the old owner admin, in one transaction. */
  async function transferOwnership(principal: Principal, actor: Actor, id: string) {
    const { tenantId } = principal;
    if (principal.kind !== 'user' || principal.role !== 'owner' || !principal.id) throw forbidden();
    const ownerId = principal.id;
    if (id === ownerId) throw badRequest('already_owner', 'You already are the owner');
    return inTransaction(db, async (tx) => {
      const owner = await usersRepo.findForUpdate(tx, tenantId, ownerId);
      if (!owner || owner.role !== 'owner') {
        throw new AppError(409, 'not_owner', 'You are no longer the owner of this tenant');
      }
      const target = await usersRepo.findForUpdate(tx, tenantId, id);
      if (!target) throw notFound('User');
      if (target.disabledAt) throw badRequest('user_disabled', 'A disabled user cannot become the owner');
      if ((await usersRepo.find(tx, tenantId, id))!.scopes.length > 0) throw badRequest('owner_unscoped', 'The owner reaches the whole tenant: remove this user’s scopes before handing them ownership');
      // Demote first: a unique index allows one owner per tenant.
      await usersRepo.update(tx, tenantId, ownerId, { role: 'admin' });
      await usersRepo.update(tx, tenantId, id, { role: 'owner' });
      await recordAudit(tx, tenantId, actor, {
        action: 'tenant.ownership_transferred',
        targetType: 'user',
        targetId: id,
        summary: `Ownership handed from ${owner.email} to ${target.email}`,
        data: { from: ownerId, to: id, previousRole: target.role },
      });
      return (await usersRepo.find(tx, tenantId, id))!;
    });
  }

  return { list: (tenantId: string) => usersRepo.list(db, tenantId), get, update, setScopes, transferOwnership };
}

export type UsersService = ReturnType<typeof createUsersService>;
