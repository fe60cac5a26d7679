/**
 * The console shell: the header with who is signed in, the navigation their roles allow, and the client routes
 * below `/console/` (the gateway answers `index.html` for each, see its console route).
 */
import type { ComponentChildren, JSX } from 'preact';
import { LocationProvider, Route, Router } from 'preact-iso';
import { mutate } from './lib/rpc.js';
import { AuditorPage } from './pages/auditor-page.js';
import { EnrolPage } from './pages/enrol-page.js';
import { InboxPage } from './pages/inbox-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { OperatorPage } from './pages/operator-page.js';
import { PlanPage } from './pages/plan-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { holds, SessionContext, useSession, useSessionState } from './session.js';

function Header() {
  const { session, setSession } = useSession();
  const signOut = async () => {
    await mutate('session.signOut').catch(() => undefined);
    setSession(null);
  };
  return (
    <header class="top">
      <a class="brand" href="/console/">
        Handoff
      </a>
      {session ? (
        <nav>
          {holds(session, 'approver') ? <a href="/console/">Inbox</a> : null}
          {holds(session, 'operator') ? <a href="/console/operator">Operator</a> : null}
          {holds(session, 'auditor') || holds(session, 'operator') ? (
            <a href="/console/auditor">Auditor</a>
          ) : null}
          <span class="who" data-testid="who">
            {session.subject} · {session.tenantId}
          </span>
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </nav>
      ) : null}
    </header>
  );
}

/** Pages that need a session show the sign-in page until there is one. */
function Signed({ children }: { children: ComponentChildren }) {
  const { session } = useSession();
  if (session === undefined) return <p class="muted">Loading…</p>;
  if (session === null) return <SignInPage />;
  return <>{children}</>;
}

/** A route's component that shows `Page` (with the route's parameters) to a signed-in person only. */
function signedIn<P extends object>(Page: (props: P) => JSX.Element | null) {
  return (props: P) => (
    <Signed>
      <Page {...props} />
    </Signed>
  );
}

export function App() {
  const state = useSessionState();
  return (
    <SessionContext.Provider value={state}>
      <LocationProvider>
        <Header />
        <main>
          <Router>
            <Route path="/console/enrol" component={EnrolPage} />
            <Route path="/console/signin" component={SignInPage} />
            <Route path="/console/plans/:id" component={signedIn(PlanPage)} />
            <Route path="/console/operator" component={signedIn(OperatorPage)} />
            <Route path="/console/auditor" component={signedIn(AuditorPage)} />
            <Route path="/console/" component={signedIn(InboxPage)} />
            <Route default component={NotFoundPage} />
          </Router>
        </main>
      </LocationProvider>
    </SessionContext.Provider>
  );
}
