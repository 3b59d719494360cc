import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, csrfToken, onSessionEnded, request, type SessionEnd } from '../api/client';
import type { Me, Permission } from '../api/types';

export type SessionState =
  { status: 'loading' } | { status: 'first-run' } | { status: 'signed-out'; notice?: string } | { status: 'signed-in'; me: Me };

interface SessionContextValue {
  state: SessionState;
  signIn(input: { accountId: string; email: string; password: string }): Promise<void>;
  signOut(): Promise<void>;
  /** Re-reads the member (after switching account, or when permissions may have changed). */
  refresh(): Promise<void>;
  can(permission: Permission): boolean;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/** Why a session ended, in words (SPEC §7: sign-in says why a session ended). */
export function explainSessionEnd(end: SessionEnd): string {
  if (end.code === 'session_revoked') {
    switch (end.reason) {
      case 'signed_out_by_admin':
        return 'An administrator signed everyone out of this account. Sign in again to continue.';
      case 'password_changed':
        return 'Your password was changed, which ends your other sessions. Sign in with the new password.';
      case 'member_removed':
        return 'You were removed from this account, so your session ended. Ask an administrator if that is a mistake.';
      default:
        return 'This session was signed out, here or in another tab. Sign in again to continue.';
    }
  }
  if (end.code === 'expired')
    return 'Your session expired: sessions end after 2 hours without activity, or 12 hours after signing in. Sign in again to continue.';
  return 'Your session is no longer valid (the account may have been refreshed or the session deleted). Sign in again to continue.';
}

export function SessionProvider({ children }: { children: ReactNode }): ReactNode {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const load = useCallback(async (): Promise<void> => {
    const hadCookie = csrfToken() !== undefined;
    try {
      const me = await request('get', '/v1/members/me', { session: false });
      setState({ status: 'signed-in', me });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        const firstRun = await request('get', '/v1/first-run', { session: false }).catch(() => ({ firstRun: false }));
        if (firstRun.firstRun) return setState({ status: 'first-run' });
        const quiet = error.code === 'unauthenticated' && !hadCookie;
        return setState(
          quiet
            ? { status: 'signed-out' }
            : {
                status: 'signed-out',
                notice: explainSessionEnd({
                  code: error.code,
                  ...(typeof error.problem.reason === 'string' ? { reason: error.problem.reason } : {}),
                }),
              },
        );
      }
      setState({
        status: 'signed-out',
        notice: error instanceof ApiError ? `Rekey answered: ${error.message}` : 'Rekey could not be reached.',
      });
    }
  }, []);

  useEffect(() => {
    void load();
    return onSessionEnded((end) => setState({ status: 'signed-out', notice: explainSessionEnd(end) }));
  }, [load]);

  const signIn = useCallback(async (input: { accountId: string; email: string; password: string }): Promise<void> => {
    await request('post', '/v1/sessions', { body: input, session: false });
    const me = await request('get', '/v1/members/me', { session: false });
    setState({ status: 'signed-in', me });
  }, []);

  const signOut = useCallback(async (): Promise<void> => {
    try {
      await request('delete', '/v1/sessions/{id}', { path: { id: 'current' }, session: false });
    } catch {
      // Already over on the server: the console is signed out either way.
    }
    setState({ status: 'signed-out', notice: 'You signed out.' });
  }, []);

  const value = useMemo<SessionContextValue>(
    () => ({
      state,
      signIn,
      signOut,
      refresh: load,
      can: (permission) => state.status === 'signed-in' && state.me.permissions.includes(permission),
    }),
    [state, signIn, signOut, load],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in member; only for pages rendered inside the signed-in layout. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe needs a signed-in session');
  return state.me;
}
