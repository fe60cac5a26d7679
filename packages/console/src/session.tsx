/**
 * The signed-in person, shared by every page: read once with `session.get` (the HttpOnly cookie travels by
 * itself), replaced by `session.signIn`, cleared by `session.signOut`. It also hands the session's CSRF token to
 * the RPC module, which sends it with every mutation.
 */
import type { WireOutput } from '@handoff/protocol';
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { query, RpcError, setCsrfToken } from './lib/rpc.js';

/** A signed-in person's session (`SessionView`). */
export type Session = NonNullable<WireOutput<'session.get'>>;

/** What pages read: the session (null: signed out; undefined: still loading) and a way to change it. */
export interface SessionState {
  session: Session | null | undefined;
  setSession(session: Session | null): void;
}

export const SessionContext = createContext<SessionState>({
  session: undefined,
  setSession: () => {},
});

/** The session state of the page (for {@link SessionContext}'s provider). */
export function useSessionState(): SessionState {
  const [session, set] = useState<Session | null | undefined>(undefined);
  const setSession = (next: Session | null) => {
    setCsrfToken(next?.csrfToken);
    set(next);
  };
  useEffect(() => {
    query('session.get')
      .then((found) => setSession(found ?? null))
      .catch((error: unknown) => {
        if (error instanceof RpcError && error.code !== 'UNAUTHENTICATED')
          console.warn(error.message);
        setSession(null);
      });
  }, []);
  return { session, setSession };
}

/** The current session state. */
export function useSession(): SessionState {
  return useContext(SessionContext);
}

/** True when the session holds principal role `role` (`approver`, `operator`, `auditor`). */
export function holds(session: Session | null | undefined, role: string): boolean {
  return !!session && (session.roles as readonly string[]).includes(role);
}
