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

  /** Checks a code against the user's secret and spends its time step. */
  async function checkCode(tx: DbOrTx, user: UserRow, code: string): Promise<boolean> {
    if (!user.totpSecret) return false;
    const step = matchingStep(decryptSecret(config.secretKey, user.totpSecret), code, now());
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
    if (!current.ok) throw new AppError(400, 'invalid_password', 'The password is wrong', { field: 'password' });
    await inTransaction(db, async (tx) => {
      if (!(await checkCode(tx, user, input.code))) throw invalidCode();
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
    return presentMe(user, tenant, session.csrfToken, false);
  }

  return { setup, enable, disable, complete };
}

export type TotpService = ReturnType<typeof createTotpService>;
