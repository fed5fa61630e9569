import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError, isUnreachable, setCsrfToken, type Me } from './api';
import { client, ok } from './api/client';
import { can, isTenantWide, type Permission } from './permissions';
import { forgetSession, offlineSession, rememberSession } from './offline/session';

type SessionState =
  | { status: 'loading' }
  /** `endSession`: the identity provider's sign-out page to offer, when the session began there. */
  | { status: 'signed-out'; endSession?: { url: string; label: string } }
  /** Password accepted; the TOTP code is still owed. */
  | { status: 'totp'; me: Me }
  | { status: 'signed-in'; me: Me };

type SessionApi = {
  state: SessionState;
  /** Reads the session the first time it is called (useSession does); later calls do nothing. */
  start(): void;
  /** Re-reads the session, /api/auth/session (after sign-in, a role change, enabling two-factor…). */
  refresh(): Promise<void>;
  /** Stores the answer of POST /api/auth/login or /api/auth/totp. */
  accept(me: Me): void;
  signOut(): Promise<void>;
};

const SessionContext = createContext<SessionApi | null>(null);

function stateOf(me: Me): SessionState {
  setCsrfToken(me.csrfToken);
  return me.totpRequired ? { status: 'totp', me } : { status: 'signed-in', me };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const queryClient = useQueryClient();

  const refresh = useCallback(async () => {
    const signedOut = () => {
      forgetSession();
      setCsrfToken(null);
      setState({ status: 'signed-out' });
    };
    try {
      // The session probe answers null when nobody is signed in (where /api/auth/me's 401 would be an error in the console).
      const { me } = await ok(client.GET('/api/auth/session'));
      if (!me) return signedOut();
      if (offlineSession()) rememberSession(me);
      setState(stateOf(me));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return signedOut();
      // No connection: a marshal's phone that opened a roll call opens with its remembered session.
      const remembered = isUnreachable(err) ? offlineSession() : null;
      if (remembered) {
        setState(stateOf(remembered));
        return;
      }
      throw err;
    }
  }, []);

  // Asked on first use (a page that needs the session calls useSession), not on load: the kiosk, which
  // never has one, would otherwise ask on every start and log a 401 in the console.
  const started = useRef(false);
  const start = useCallback(() => {
    if (started.current) return;
    started.current = true;
    refresh().catch(() => setState({ status: 'signed-out' }));
  }, [refresh]);

  const value = useMemo<SessionApi>(
    () => ({
      state,
      start,
      refresh,
      accept: (me) => {
        queryClient.clear(); // a new sign-in starts with an empty cache
        setState(stateOf(me));
      },
      async signOut() {
        // A session that began at an identity provider: offer its sign-out page afterwards.
        const offer = await ok(client.GET('/api/auth/oidc/end-session')).catch(() => null);
        try {
          await ok(client.POST('/api/auth/logout'));
        } finally {
          forgetSession();
          setCsrfToken(null);
          queryClient.clear(); // the next user of this browser must not see this one's data
          setState(offer?.url && offer.label ? { status: 'signed-out', endSession: { url: offer.url, label: offer.label } } : { status: 'signed-out' });
        }
      },
    }),
    [state, start, refresh, queryClient],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  const { start } = s;
  useEffect(start, [start]);
  return s;
}

/** The signed-in user's session; only for pages inside the app layout. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe needs a signed-in session');
  return state.me;
}

/** Whether the user holds the permission: by role, by a scope that grants it, and a tenant-wide one only unscoped (the server decides). */
export function userCan(user: Me['user'], permission: Permission): boolean {
  return can({ role: user.role, scopes: user.scopes }, permission);
}

/** Whether the signed-in user holds the permission (for hiding controls; the server decides). */
export function useCan(permission: Permission): boolean {
  return userCan(useMe().user, permission);
}

/**
 * Whether the signed-in user reaches the whole tenant (no scope): what belongs to no one site or
 * organisation (adding sites, webhooks, the block list, retention) is theirs alone.
 */
export function useTenantWide(): boolean {
  return isTenantWide({ scopes: useMe().user.scopes });
}

/** Whether the signed-in user is limited to some sites (what a new group, shown nowhere yet, is out of reach of). */
export function useSiteScoped(): boolean {
  return useMe().user.scopes.some((s) => s.kind === 'site');
}
