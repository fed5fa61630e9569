import type { Platform } from '../../../platform/platform.js';
import { AppError, badRequest, conflict, tooManyRequests } from '../../../platform/errors.js';
import { decryptSecret, encryptSecret } from '../../../platform/crypto.js';
import { recordAudit } from '../../../platform/audit/audit.js';
import { clearAttempts, countAttempt } from '../../../platform/lockout.js';
import type { Principal } from '../../../platform/http/principal.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { accountsRepo, type UserRow } from '../accounts.repo.js';
import { LOGIN_USER_POLICY } from '../accounts.service.js';
import { presentMe } from '../accounts.presenters.js';
import { checkCurrentPassword } from '../login.js';
import { sessionsRepo } from '../sessions.repo.js';
import { enrolment, matchingStep, newTotpSecret } from './totp.js';
import { totpRepo } from './totp.repo.js';

export type TotpDeps = Pick<Platform, 'db' | 'now' | 'config'>;

const invalidCode = () => new AppError(400, 'invalid_code', 'The code is wrong or was already used', { field: 'code' });
/**
 * Turning two-factor off: one answer whichever of the two is wrong, naming no field, so a stolen
 * session cannot tell a right password from a wrong one by the answer.
 */
const invalidPasswordOrCode = () => new AppError(400, 'invalid_password_or_code', 'The password or the code is wrong (each code works once)');

export function createTotpService(deps: TotpDeps) {
  const { db, now, config } = deps;

  async function sessionUser(principal: Principal): Promise<UserRow & { sessionId: string }> {
    if (principal.kind !== 'user' || !principal.id || !principal.sessionId) {
      throw new AppError(400, 'not_a_user_session', 'Only a signed-in user can set up two-factor sign-in');
    }
    const user = await accountsRepo.findUser(db, principal.tenantId, principal.id);
    if (!user) throw new AppError(401, 'unauthenticated', 'Authentication required');
    return { ...user, sessionId: principal.sessionId };
  }

  /** The time step a code belongs to under the user's secret, or null (nothing spent). */
  function stepOf(user: UserRow, code: string): number | null {
    return user.totpSecret ? matchingStep(decryptSecret(config.secretKey, user.totpSecret), code, now()) : null;
  }

  /** Checks a code against the user's secret and spends its time step. */
  async function checkCode(tx: DbOrTx, user: UserRow, code: string): Promise<boolean> {
    const step = stepOf(user, code);
    if (step === null) return false;
    return totpRepo.useStep(tx, user.tenantId, user.id, step);
  }

  /** A new secret, stored (encrypted) but not enabled until a code from it is confirmed. */
  async function setup(principal: Principal) {
    const user = await sessionUser(principal);
    if (user.totpEnabledAt) throw conflict('totp_already_enabled', 'Two-factor sign-in is already on; turn it off first');
    const secret = newTotpSecret();
    await totpRepo.setSecret(db, user.tenantId, user.id, encryptSecret(config.secretKey, secret), null);
    return enrolment(secret, user.email);
  }

  async function enable(principal: Principal, code: string) {
    const user = await sessionUser(principal);
    if (user.totpEnabledAt) throw conflict('totp_already_enabled', 'Two-factor sign-in is already on');
    if (!user.totpSecret) throw badRequest('totp_not_set_up', 'Start the set-up first');
    await inTransaction(db, async (tx) => {
      if (!(await checkCode(tx, user, code))) throw invalidCode();
      await totpRepo.enable(tx, user.tenantId, user.id, now());
      await recordAudit(tx, user.tenantId, { kind: 'user', id: user.id, label: user.email }, {
        action: 'user.totp_enabled',
        targetType: 'user',
        targetId: user.id,
        summary: `${user.email} turned on two-factor sign-in`,
      });
    });
  }

  async function disable(principal: Principal, input: { password: string; code: string }) {
    const user = await sessionUser(principal);
    if (!user.totpEnabledAt) throw badRequest('totp_not_enabled', 'Two-factor sign-in is not on');
    const tenant = await accountsRepo.findTenant(db, user.tenantId);
    if (tenant?.require2fa) throw badRequest('totp_required_by_tenant', 'Your organisation requires two-factor sign-in');
    // Password and code are one try, counted before either is checked and given back only when both are right.
    const current = await checkCurrentPassword(db, user, input.password, now());
    // The code is checked whatever the password (the same work either way); its step is spent only when both are right.
    const step = stepOf(user, input.code);
    if (!current.ok || step === null) throw invalidPasswordOrCode();
    await inTransaction(db, async (tx) => {
      if (!(await totpRepo.useStep(tx, user.tenantId, user.id, step))) throw invalidPasswordOrCode();
      await totpRepo.setSecret(tx, user.tenantId, user.id, null, null);
      await recordAudit(tx, user.tenantId, { kind: 'user', id: user.id, label: user.email }, {
        action: 'user.totp_disabled',
        targetType: 'user',
        targetId: user.id,
        summary: `${user.email} turned off two-factor sign-in`,
      });
    });
    await current.release();
  }

  /** Second step of sign-in. Wrong codes count toward the account's lock-out. */
  async function complete(principal: Principal, code: string) {
    const user = await sessionUser(principal);
    const session = await sessionsRepo.find(db, user.sessionId);
    if (!session?.pendingTotp) throw badRequest('totp_not_pending', 'This session does not owe a code');
    const at = now();
    const lockKey = `login:user:${user.id}`;
    // Counted before the code is checked, so concurrent guesses cannot slip past the limit.
    const locked = await countAttempt(db, lockKey, LOGIN_USER_POLICY, at);
    if (locked > 0) throw tooManyRequests(locked, 'This account is locked after too many failed sign-ins, try again later');
    const ok = await inTransaction(db, async (tx) => {
      if (!(await checkCode(tx, user, code))) return false;
      await sessionsRepo.completeTotp(tx, session.id);
      await clearAttempts(tx, lockKey);
      return true;
    });
    if (!ok) throw invalidCode();
    const tenant = (await accountsRepo.findTenant(db, user.tenantId))!;
    return presentMe(user, await accountsRepo.userScopes(db, user.tenantId, user.id), tenant, session.csrfToken, false);
  }

  return { setup, enable, disable, complete };
}

export type TotpService = ReturnType<typeof createTotpService>;
