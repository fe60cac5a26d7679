/** Sign-in with a passkey: `session.signInOptions`, a WebAuthn assertion, `session.signIn`. */
import { useState } from 'preact/hooks';
import { ErrorNote } from '../components/notice.js';
import { passkeysAvailable, signWithPasskey } from '../lib/passkey.js';
import { mutate } from '../lib/rpc.js';
import { useSession } from '../session.js';

export function SignInPage() {
  const { setSession } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const signIn = async () => {
    setBusy(true);
    setError(null);
    try {
      const { options } = await mutate('session.signInOptions');
      const response = await signWithPasskey(options);
      setSession(await mutate('session.signIn', { response }));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card narrow">
      <h1>Sign in</h1>
      <p>Sign in with the passkey you registered from your enrolment link.</p>
      {passkeysAvailable() ? null : (
        <p class="error">
          This browser cannot use passkeys here (a secure context is needed: https or localhost).
        </p>
      )}
      <button type="button" class="primary" disabled={busy} onClick={signIn} data-testid="sign-in">
        Sign in with a passkey
      </button>
      <ErrorNote error={error} />
    </section>
  );
}
