import type { Platform } from '../../../platform/platform.js';
import { AppError, tooManyRequests } from '../../../platform/errors.js';
import { countAttempt, releaseAttempt } from '../../../platform/lockout.js';
import type { KioskPrincipal } from '../access.js';
import type { GroupsService } from '../groups/groups.service.js';

export const PIN_POLICY = { limit: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

/** The kiosk PIN of a group, checked at each sign-in (a use case of the sign-in flow). */
export function createPinCheck(deps: Pick<Platform, 'db' | 'now'>, groupsService: Pick<GroupsService, 'hasPin' | 'pinMatches'>) {
  const { db, now } = deps;
  /**
   * A wrong PIN is a 403. Every try is counted before the PIN is checked (so concurrent guesses
   * cannot slip past): five wrong in 15 minutes lock the group on this kiosk for 15 minutes; a
   * right PIN gives its try back. `known.hasPin`: whether the group has a PIN, when the caller has
   * read it already (with the group, in one statement).
   */
  async function checkPin(kiosk: KioskPrincipal, groupId: string, pin: string | undefined, known?: { hasPin: boolean }) {
    const key = `kiosk-pin:${kiosk.id}:${groupId}`;
    const at = now();
    if (!(known ? known.hasPin : await groupsService.hasPin(db, kiosk.tenantId, groupId))) return;
    const locked = await countAttempt(db, key, PIN_POLICY, at);
    if (locked > 0) throw tooManyRequests(locked, 'Too many wrong PINs; try again later');
    if (await groupsService.pinMatches(db, kiosk.tenantId, groupId, pin)) {
      await releaseAttempt(db, key, at);
      return;
    }
    throw new AppError(403, pin ? 'wrong_pin' : 'pin_required', pin ? 'Wrong PIN' : 'This group needs its PIN');
  }

  return { checkPin };
}

export type PinCheck = ReturnType<typeof createPinCheck>;
