import type { Platform } from '../../../platform/platform.js';
import { AppError, notFound } from '../../../platform/errors.js';
import { hashToken, newToken } from '../../../platform/crypto.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { accountsRepo } from '../accounts.repo.js';
import { assertPassword, emailTaken } from '../accounts.service.js';
import { hashPassword } from '../passwords.js';
import { oneTimeTokensRepo } from './invites.repo.js';

export const INVITE_TTL_MS = 7 * 24 * 3600_000;

export type InvitesDeps = Pick<Platform, 'db' | 'now' | 'log' | 'mailer' | 'config'>;
type InviteRole = 'admin' | 'manager' | 'viewer';

export const invalidToken = () => new AppError(404, 'invalid_token', 'This link is invalid, used or expired');

export function createInvitesService(deps: InvitesDeps) {
  const { db, now, log, config } = deps;

  async function invite(tenantId: string, actor: Actor, input: { email: string; role: InviteRole; name?: string }) {
    const token = newToken('thr_inv_');
    const at = now();
    const created = await inTransaction(db, async (tx) => {
      if (await accountsRepo.findUserByEmail(tx, input.email)) throw emailTaken('email');
      const row = await oneTimeTokensRepo.insert(tx, {
        tenantId,
        purpose: 'invite',
        tokenHash: hashToken(token),
        email: input.email,
        role: input.role,
        name: input.name ?? '',
        createdBy: actor.kind === 'user' ? actor.id : null,
        createdAt: at,
        expiresAt: new Date(at.getTime() + INVITE_TTL_MS),
      });
      await recordAudit(tx, tenantId, actor, {
        action: 'invite.created',
        targetType: 'invite',
        targetId: row.id,
        summary: `${input.email} invited as ${input.role}`,
        data: { email: input.email, role: input.role },
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
    return { email: found.token.email, role: roleOf(found.token.role), name: found.token.name ?? '', tenantName: found.tenantName };
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
      await recordAudit(tx, invite.tenantId, { kind: 'user', id: user.id, label: user.email }, {
        action: 'invite.accepted',
        targetType: 'user',
        targetId: user.id,
        summary: `${user.email} accepted the invitation as ${user.role}`,
        data: { inviteId: invite.id },
      });
      const { token, session } = await accountsRepo.insertSession(tx, user, at);
      const tenant = (await accountsRepo.findTenant(tx, invite.tenantId))!;
      return { token, session, user, tenant };
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
