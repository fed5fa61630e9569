import type { Platform } from '../../platform/platform.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { AppError, tooManyRequests } from '../../platform/errors.js';
import { clearAttempts, countAttempt, keysWithAttempts, lockedSeconds, lockKey, releaseAttempt } from '../../platform/lockout.js';
import { notifyUsers } from './notifications/notify.js';
import { recordAudit, systemActor } from '../../platform/audit/audit.js';
import { inTransaction } from '../../platform/db/tx.js';
import { accountsRepo } from './accounts.repo.js';
import { hashToken } from '../../platform/crypto.js';
import { dummyHash, verifyPassword } from './passwords.js';

export const LOGIN_USER_POLICY = { limit: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
const LOGIN_IP_POLICY = { limit: 30, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
/** Distinct addresses failing one account in LOGIN_USER_POLICY's window that lock the account itself. */
export const LOGIN_ACCOUNT_ADDRESSES = 5;

/**
 * A signed-in user's password asked again (to change it, to turn off two-factor sign-in): each
 * try is counted before the check, 5 in 15 minutes per account, as sign-in counts them, and a
 * success gives its try back. Without it a stolen session could guess the password it lacks as
 * fast as the server hashes (a wrong current password was an unlimited 400).
 */
export async function checkCurrentPassword(db: DbOrTx, user: { id: string; passwordHash: string | null }, password: string, at: Date): Promise<{ ok: boolean; release: () => Promise<void> }> {
  const key = `reauth:user:${user.id}`;
  const locked = await countAttempt(db, key, LOGIN_USER_POLICY, at);
  if (locked > 0) throw tooManyRequests(locked, 'Too many wrong passwords for this account, try again later');
  return { ok: await verifyPassword(user.passwordHash, password), release: () => releaseAttempt(db, key, at) };
}

/** Password sign-in with its lock-outs (per address, per account and address, per account). */
export function createLogin(deps: Pick<Platform, 'db' | 'now' | 'log' | 'jobs'>) {
  const { db, now } = deps;

  /**
   * Password sign-in. Same 401 for an unknown email and a wrong password. Every attempt is counted
   * before the password is checked (so concurrent guesses cannot slip past a limit): 30 per
   * address and 5 per account and address in 15 minutes; when 5 different addresses fail on one
   * account within 15 minutes, the account itself is locked for 15 minutes and its user told.
   */
  async function login(input: { email: string; password: string; ip: string }) {
    const at = now();
    const ipKey = `login:ip:${input.ip}`;
    const ipLock = await countAttempt(db, ipKey, LOGIN_IP_POLICY, at);
    if (ipLock > 0) throw tooManyRequests(ipLock, 'Too many sign-in attempts from this address, try again later');
    const user = await accountsRepo.findUserByEmail(db, input.email);
    // An unknown email is counted per address as an account is (keyed by its hash), so the sixth
    // try answers 429 whether or not the account exists: the lock-out tells no one who has one.
    const pairPrefix = user ? `login:user-ip:${user.id}:` : `login:email-ip:${hashToken(input.email.toLowerCase())}:`;
    if (user) {
      const locked = await lockedSeconds(db, `login:user:${user.id}`, at);
      if (locked > 0) throw tooManyRequests(locked, 'This account is locked after failed sign-ins from several places; try again later or reset your password');
    }
    const pairLock = await countAttempt(db, `${pairPrefix}${input.ip}`, LOGIN_USER_POLICY, at);
    if (pairLock > 0) throw tooManyRequests(pairLock, 'Too many failed sign-ins to this account from here, try again later');
    const ok = user && !user.disabledAt ? await verifyPassword(user.passwordHash, input.password) : (await verifyPassword(await dummyHash(), input.password), false);
    if (!ok || !user) {
      if (user) await lockAccountIfWidelyFailing(user, pairPrefix, at);
      throw new AppError(401, 'invalid_credentials', 'Wrong email or password');
    }
    await clearAttempts(db, `${pairPrefix}${input.ip}`);
    await releaseAttempt(db, ipKey, at);
    const tenant = await accountsRepo.findTenant(db, user.tenantId);
    if (tenant?.passwordSignInOff) {
      throw new AppError(403, 'password_signin_off', 'Your organisation signs in only through its identity provider: use its button');
    }
    const pendingTotp = Boolean(user.totpEnabledAt);
    const { token, session } = await accountsRepo.insertSession(db, user, at, pendingTotp);
    return { token, csrfToken: session.csrfToken, user, session, totpRequired: pendingTotp };
  }

  /** Failures from LOGIN_ACCOUNT_ADDRESSES different addresses in the window lock the account (once), and its user is told. */
  async function lockAccountIfWidelyFailing(user: { id: string; tenantId: string; email: string }, pairPrefix: string, at: Date) {
    const addresses = await keysWithAttempts(db, pairPrefix, new Date(at.getTime() - LOGIN_USER_POLICY.windowMs));
    if (addresses < LOGIN_ACCOUNT_ADDRESSES) return;
    await inTransaction(db, async (tx) => {
      if (!(await lockKey(tx, `login:user:${user.id}`, new Date(at.getTime() + LOGIN_USER_POLICY.lockMs), at))) return;
      await recordAudit(tx, user.tenantId, systemActor, { action: 'user.locked_out', targetType: 'user', targetId: user.id, summary: `Sign-in to ${user.email} locked for 15 minutes after failures from ${addresses} addresses` });
      await notifyUsers(tx, deps, user.tenantId, [user.id], {
        title: 'Your account was locked for 15 minutes',
        body: `Someone failed to sign in to your account from ${addresses} different places within 15 minutes, so sign-in is paused for 15 minutes. If this was not you, change your password (or reset it) once you are back in.`,
      });
    });
  }

  return { login };
}
