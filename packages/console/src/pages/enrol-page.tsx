/**
 * Enrolment from a one-time link `/console/enrol#<token>`: the token stays in the fragment (never sent to a
 * server log), `passkeys.enrolOptions` says who is enrolling, WebAuthn creates the passkey, `passkeys.enrol`
 * registers it in the approver registry. Then the person signs in with it.
 */
import { useEffect, useState } from 'preact/hooks';
import { ErrorNote } from '../components/notice.js';
import { createPasskey } from '../lib/passkey.js';
import { mutate } from '../lib/rpc.js';
import { SignInPage } from './sign-in-page.js';

export function EnrolPage() {
  const token = location.hash.replace(/^#/, '');
  const [who, setWho] = useState<{ subject: string; tenantId: string; expiresAt: string } | null>(
    null,
  );
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const options = async () => mutate('passkeys.enrolOptions', { token });
  useEffect(() => {
    if (!token) return;
    options()
      .then((found) => setWho(found))
      .catch(setError);
  }, [token]);
  const enrol = async () => {
    setBusy(true);
    setError(null);
    try {
      const fresh = await options();
      const response = await createPasskey(fresh.options);
      await mutate('passkeys.enrol', { token, response });
      setDone(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  if (!token)
    return (
      <p class="error">
        This enrolment link has no token: open the link exactly as you received it.
      </p>
    );
  if (done) {
    return (
      <>
        <p class="ok" data-testid="enrolled">
          Your passkey is registered{who ? ` for ${who.subject}` : ''}.
        </p>
        <SignInPage />
      </>
    );
  }
  return (
    <section class="card narrow">
      <h1>Register your passkey</h1>
      {who ? (
        <p>
          You are enrolling as <strong data-testid="enrol-subject">{who.subject}</strong> of{' '}
          {who.tenantId}. The link works once and expires at {who.expiresAt}.
        </p>
      ) : null}
      <button
        type="button"
        class="primary"
        disabled={busy || !who}
        onClick={enrol}
        data-testid="enrol"
      >
        Create my passkey
      </button>
      <ErrorNote error={error} />
    </section>
  );
}
