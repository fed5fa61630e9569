import type { Platform } from '../../../platform/platform.js';
import { AppError, notFound } from '../../../platform/errors.js';
import { hashToken, newToken } from '../../../platform/crypto.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { accountsRepo } from '../accounts.repo.js';
import { assertPassword, emailTaken } from '../accounts.service.js';
import { hashPassword } from '../passwords.js';
import { oneTimeTokensRepo } from './invites.repo.js';
import { usersRepo } from '../users/users.repo.js';
import { scopeChecks, uniqueScopes, type ScopeTargets } from '../users/scope-targets.js';
import type { Scope } from '../../../platform/http/principal.js';

export const INVITE_TTL_MS = 7 * 24 * 3600_000;

export type InvitesDeps = Pick<Platform, 'db' | 'now' | 'log' | 'mailer' | 'config'> & { scopeTargets: ScopeTargets };
type InviteRole = 'admin' | 'manager' | 'viewer';

const reachGone = () =>
  new AppError(409, 'invitation_reach_gone', 'Every site and organisation this invitation was limited to has been deleted: ask for a new invitation', { field: 'token' });

export const invalidToken = () => new AppError(404, 'invalid_token', 'This link is invalid, used or expired');

export function createInvitesService(deps: InvitesDeps) {
  const { db, now, log, config } = deps;
  const checks = scopeChecks(deps.scopeTargets);

  /** "limited to North, Northgate Primary" for a scoped invitation's audit summary; nothing for the whole tenant. */
  async function limitedTo(tx: DbOrTx, tenantId: string, scopes: readonly Scope[]) {
    if (scopes.length === 0) return '';
    const { sites, organisations } = await checks.names(tx, tenantId, scopes);
    return `, limited to ${[...sites, ...organisations].join(', ')}`;
  }

  async function invite(tenantId: string, actor: Actor, input: { email: string; role: InviteRole; name?: string; scopes?: Scope[] }) {
    const token = newToken('thr_inv_');
    const at = now();
    const scopes = uniqueScopes(input.scopes ?? []);
    const created = await inTransaction(db, async (tx) => {
      if (await accountsRepo.findUserByEmail(tx, input.email)) throw emailTaken('email');
      // The users' scopes endpoint's rule: each names a site or organisation of this tenant (400 unknown_site / unknown_organisation on scopes.N.refId).
      await checks.assertTargets(tx, tenantId, input.scopes ?? []);
      const row = await oneTimeTokensRepo.insert(tx, {
        tenantId,
        purpose: 'invite',
        tokenHash: hashToken(token),
        email: input.email,
        role: input.role,
        name: input.name ?? '',
        scopes,
        createdBy: actor.kind === 'user' ? actor.id : null,
        createdAt: at,
        expiresAt: new Date(at.getTime() + INVITE_TTL_MS),
      });
      await recordAudit(tx, tenantId, actor, {
        action: 'invite.created',
        targetType: 'invite',
        targetId: row.id,
        summary: `${input.email} invited as ${input.role}${await limitedTo(tx, tenantId, scopes)}`,
        data: { email: input.email, role: input.role, scopes },
      });
      return row;
    });
    const tenant = await accountsRepo.findTenant(db, tenantId);
    const inviteUrl = `${config.publicUrl}/invite/${token}`;
    // After the commit: a mail failure must not undo the invitation (its link is shown too).
    try {
      await deps.mailer.send({
        to: input.email,
        subject: `You are invited to ${tenant?.name ?? 'Threshold'}`,
        text: `${actor.label} invited you to ${tenant?.name ?? 'Threshold'} on Threshold as ${input.role}.\n\nAccept the invitation within 7 days:\n${inviteUrl}\n`,
      });
    } catch (err) {
      log.error({ err, inviteId: created.id }, 'invitation email failed');
    }
    return { invite: created, inviteUrl };
  }

  async function preview(token: string) {
    const found = await oneTimeTokensRepo.findUsable(db, 'invite', hashToken(token), now());
    if (!found) throw invalidToken();
    const scopes = found.token.scopes ?? [];
    // Only the names of what they will reach, in the invitation's own tenant.
    const reach = scopes.length === 0 ? ('whole_tenant' as const) : await checks.names(db, found.token.tenantId, scopes);
    return { email: found.token.email, role: roleOf(found.token.role), name: found.token.name ?? '', tenantName: found.tenantName, reach };
  }

  /** Creates the invited user and signs them in. The token is spent exactly once. */
  async function accept(input: { token: string; password: string; name: string }) {
    assertPassword(input.password);
    const passwordHash = await hashPassword(input.password);
    const at = now();
    return inTransaction(db, async (tx) => {
      const invite = await oneTimeTokensRepo.redeem(tx, 'invite', hashToken(input.token), at);
      if (!invite) throw invalidToken();
      if (await accountsRepo.findUserByEmail(tx, invite.email)) throw emailTaken('token');
      const user = await accountsRepo.insertUser(tx, {
        tenantId: invite.tenantId,
        email: invite.email,
        name: input.name,
        passwordHash,
        role: roleOf(invite.role),
        createdAt: at,
        sessionsValidAfter: at,
      });
      // A scope may only name a site or organisation that exists (the users' scopes endpoint refuses
      // others): one deleted since the invitation is dropped, not stored, and the audit says so.
      // Dropping them all would leave no scope, the whole tenant: refused instead (nothing written,
      // the link still pending for an admin to revoke and invite again).
      const invited = invite.scopes ?? [];
      const scopes = await checks.existing(tx, invite.tenantId, invited);
      if (invited.length > 0 && scopes.length === 0) throw reachGone();
      await usersRepo.replaceScopes(tx, invite.tenantId, user.id, scopes);
      const dropped = invited.length - scopes.length;
      await recordAudit(tx, invite.tenantId, { kind: 'user', id: user.id, label: user.email }, {
        action: 'invite.accepted',
        targetType: 'user',
        targetId: user.id,
        summary: `${user.email} accepted the invitation as ${user.role}${await limitedTo(tx, invite.tenantId, scopes)}${dropped > 0 ? ` (${dropped} scope${dropped === 1 ? '' : 's'} dropped: no longer exist)` : ''}`,
        data: { inviteId: invite.id, scopes, ...(dropped > 0 ? { droppedScopes: invited.filter((s) => !scopes.some((k) => k.kind === s.kind && k.refId === s.refId)) } : {}) },
      });
      const { token, session } = await accountsRepo.insertSession(tx, user, at);
      const tenant = (await accountsRepo.findTenant(tx, invite.tenantId))!;
      return { token, session, user, tenant, scopes };
    });
  }

  async function listPending(tenantId: string) {
    return oneTimeTokensRepo.listPending(db, tenantId, 'invite', now());
  }

  async function revoke(tenantId: string, actor: Actor, id: string) {
    await inTransaction(db, async (tx) => {
      const row = await oneTimeTokensRepo.deletePending(tx, tenantId, 'invite', id);
      if (!row) throw notFound('Invitation');
      await recordAudit(tx, tenantId, actor, {
        action: 'invite.revoked',
        targetType: 'invite',
        targetId: id,
        summary: `Invitation of ${row.email} revoked`,
      });
    });
  }

  return { invite, preview, accept, listPending, revoke };
}

function roleOf(role: string | null): InviteRole {
  return role === 'admin' || role === 'manager' ? role : 'viewer';
}

export type InvitesService = ReturnType<typeof createInvitesService>;
