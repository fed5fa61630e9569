import type { Platform } from '../../../platform/platform.js';
import { AppError, tooManyRequests } from '../../../platform/errors.js';
import { hashToken, newToken } from '../../../platform/crypto.js';
import { recordAudit, systemActor } from '../../../platform/audit/audit.js';
import { countHit, lockedFor, resetCounter, type CounterPolicy } from '../../../platform/rate-limit.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { accountsRepo } from '../accounts.repo.js';
import { assertPassword } from '../accounts.service.js';
import { hashPassword } from '../passwords.js';
import { checkCurrentPassword } from '../login.js';
import { usersRepo } from '../users/users.repo.js';
import { oneTimeTokensRepo } from '../invites/invites.repo.js';
import { invalidToken } from '../invites/invites.service.js';
import { sessionsRepo } from '../sessions.repo.js';

export const RESET_TTL_MS = 3600_000;
/** Reset requests: 5 an hour per email address, 20 an hour per IP address (the next one is refused). */
export const RESET_EMAIL_POLICY: CounterPolicy = { limit: 6, windowMs: 3600_000, lockMs: 3600_000 };
export const RESET_IP_POLICY: CounterPolicy = { limit: 21, windowMs: 3600_000, lockMs: 3600_000 };

export type PasswordDeps = Pick<Platform, 'db' | 'now' | 'log' | 'mailer' | 'config'>;

export function createPasswordService(deps: PasswordDeps) {
  const { db, now, log, config } = deps;

  /**
   * Changes the signed-in user's password. Every other session of the user ends; the current one
   * is re-issued (its start moves to now) so it stays valid.
   */
  async function change(principal: Principal, input: { currentPassword: string; newPassword: string }) {
    if (principal.kind !== 'user' || !principal.id || !principal.sessionId) {
      throw new AppError(400, 'not_a_user_session', 'Only a signed-in user can change their password');
    }
    assertPassword(input.newPassword, 'newPassword');
    const user = await accountsRepo.findUser(db, principal.tenantId, principal.id);
    if (!user) throw new AppError(400, 'invalid_password', 'The current password is wrong', { field: 'currentPassword' });
    const at = now();
    const current = await checkCurrentPassword(db, user, input.currentPassword, at);
    if (!current.ok) throw new AppError(400, 'invalid_password', 'The current password is wrong', { field: 'currentPassword' });
    await current.release();
    const passwordHash = await hashPassword(input.newPassword);
    const { tenantId, id: userId, sessionId } = principal;
    await inTransaction(db, async (tx) => {
      await usersRepo.update(tx, tenantId, userId, { passwordHash, sessionsValidAfter: at });
      await usersRepo.deleteSessions(tx, tenantId, userId, sessionId);
      await sessionsRepo.restart(tx, sessionId, at);
      await recordAudit(tx, tenantId, { kind: 'user', id: userId, label: user.email }, {
        action: 'user.password_changed',
        targetType: 'user',
        targetId: userId,
        summary: `${user.email} changed their password`,
      });
    });
  }

  /** Always succeeds (no user enumeration); rate-limited per email and per IP address. */
  async function requestReset(input: { email: string; ip: string }) {
    const at = now();
    const keys = [
      { key: `reset:ip:${input.ip}`, policy: RESET_IP_POLICY },
      { key: `reset:email:${input.email.toLowerCase()}`, policy: RESET_EMAIL_POLICY },
    ];
    for (const { key } of keys) {
      const locked = await lockedFor(db, key, at);
      if (locked > 0) throw tooManyRequests(locked, 'Too many password reset requests, try again later');
    }
    for (const { key, policy } of keys) {
      const locked = await countHit(db, key, policy, at);
      if (locked > 0) throw tooManyRequests(locked, 'Too many password reset requests, try again later');
    }
    const user = await accountsRepo.findUserByEmail(db, input.email);
    if (!user || user.disabledAt) return;
    const token = newToken('thr_rst_');
    await inTransaction(db, async (tx) => {
      await oneTimeTokensRepo.insert(tx, {
        tenantId: user.tenantId,
        purpose: 'password_reset',
        tokenHash: hashToken(token),
        email: user.email,
        userId: user.id,
        createdAt: at,
        expiresAt: new Date(at.getTime() + RESET_TTL_MS),
      });
      await recordAudit(tx, user.tenantId, { ...systemActor, label: `password reset request from ${input.ip}` }, {
        action: 'user.password_reset_requested',
        targetType: 'user',
        targetId: user.id,
        summary: `Password reset link sent to ${user.email}`,
      });
    });
    try {
      await deps.mailer.send({
        to: user.email,
        subject: 'Reset your Threshold password',
        text: `Someone (hopefully you) asked to reset the password of ${user.email}.\n\nChoose a new password within one hour:\n${config.publicUrl}/reset/${token}\n\nIf it was not you, ignore this email.\n`,
      });
    } catch (err) {
      log.error({ err }, 'password reset email failed');
    }
  }

  /** Sets the new password from a reset link; every session of the user ends. */
  async function completeReset(input: { token: string; password: string }) {
    assertPassword(input.password);
    const passwordHash = await hashPassword(input.password);
    const at = now();
    await inTransaction(db, async (tx) => {
      const reset = await oneTimeTokensRepo.redeem(tx, 'password_reset', hashToken(input.token), at);
      if (!reset?.userId) throw invalidToken();
      const user = await usersRepo.update(tx, reset.tenantId, reset.userId, { passwordHash, sessionsValidAfter: at });
      if (!user || user.disabledAt) throw invalidToken();
      await usersRepo.deleteSessions(tx, reset.tenantId, user.id);
      await oneTimeTokensRepo.spendAllForUser(tx, reset.tenantId, 'password_reset', user.id, at);
      await resetCounter(tx, `login:user:${user.id}`);
      await recordAudit(tx, reset.tenantId, { kind: 'user', id: user.id, label: user.email }, {
        action: 'user.password_reset',
        targetType: 'user',
        targetId: user.id,
        summary: `${user.email} set a new password from a reset link`,
      });
    });
  }

  return { change, requestReset, completeReset };
}

export type PasswordService = ReturnType<typeof createPasswordService>;
