/**
 * The browser side of WebAuthn (W3C Web Authentication Level 3) with `@simplewebauthn/browser`: it turns the
 * gateway's options JSON (sections 5.4 and 5.5) into `navigator.credentials.create()` / `.get()` calls and the
 * credentials back into JSON (section 5.1.8) for the gateway to verify.
 */
import type { WireOutput } from '@handoff/protocol';
import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser';

type CreationOptions = Parameters<typeof startRegistration>[0]['optionsJSON'];
type RequestOptions = Parameters<typeof startAuthentication>[0]['optionsJSON'];

/**
 * The gateway's options as its wire schema types them: the same WebAuthn JSON members, with enumerations
 * (`attestation`, `hints`, ...) as plain strings, which the browser checks when it builds the credential request.
 */
type WireCreationOptions = WireOutput<'passkeys.enrolOptions'>['options'];
type WireRequestOptions = WireOutput<'session.signInOptions'>['options'];

/** True when this browser can use passkeys here (WebAuthn needs a secure context: https or localhost). */
export function passkeysAvailable(): boolean {
  return browserSupportsWebAuthn() && window.isSecureContext;
}

/** Creates a passkey from the gateway's creation options; answers the `RegistrationResponseJSON`. */
export async function createPasskey(options: WireCreationOptions) {
  const created = await startRegistration({ optionsJSON: options as unknown as CreationOptions });
  return {
    ...created,
    response: { ...created.response },
    clientExtensionResults: { ...created.clientExtensionResults },
  };
}

/** Signs the gateway's challenge with a passkey; answers the `AuthenticationResponseJSON`. */
export async function signWithPasskey(options: WireRequestOptions) {
  const assertion = await startAuthentication({
    optionsJSON: options as unknown as RequestOptions,
  });
  return {
    ...assertion,
    response: { ...assertion.response },
    clientExtensionResults: { ...assertion.clientExtensionResults },
  };
}
