import type { Me } from '../api';

/**
 * A marshal's phone that opened a roll call remembers who is signed in, so the app (and the roll
 * call's last list) opens with no connection. Only those devices; forgotten on sign-out, on a 401,
 * and after OFFLINE_HOURS without reaching the server (the server's default OFFLINE_MAX_HOURS).
 */
const KEY = 'threshold.offline.session';
export const OFFLINE_HOURS = 72;

export function rememberSession(me: Me, storage: Pick<Storage, 'setItem'> = localStorage) {
  storage.setItem(KEY, JSON.stringify({ me, savedAt: new Date().toISOString() }));
}

export function offlineSession(now = new Date(), storage: Pick<Storage, 'getItem' | 'removeItem'> = localStorage): Me | null {
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return null;
    const { me, savedAt } = JSON.parse(raw) as { me: Me; savedAt: string };
    if (now.getTime() - new Date(savedAt).getTime() > OFFLINE_HOURS * 3_600_000) {
      storage.removeItem(KEY);
      return null;
    }
    return me;
  } catch {
    return null;
  }
}

export function forgetSession(storage: Pick<Storage, 'removeItem'> = localStorage) {
  storage.removeItem(KEY);
}

/** Registers the service worker (the offline shell) where the browser allows one. */
export function registerOfflineShell() {
  if (typeof window !== 'undefined' && window.isSecureContext && 'serviceWorker' in navigator) void navigator.serviceWorker.register('/sw.js').catch(() => undefined);
}
