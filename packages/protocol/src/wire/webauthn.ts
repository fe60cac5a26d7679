/**
 * The WebAuthn JSON shapes the gateway's passkey procedures carry: the options a browser passes to
 * `navigator.credentials.create()` / `.get()` and the credentials it answers, serialised as W3C WebAuthn Level 3
 * defines them (section 5.1.8 `toJSON()`: `RegistrationResponseJSON` and `AuthenticationResponseJSON`; sections
 * 5.4 and 5.5 `PublicKeyCredentialCreationOptionsJSON` and `PublicKeyCredentialRequestOptionsJSON`), the same
 * shapes `@simplewebauthn/server` 13 produces and `@simplewebauthn/browser` 13 consumes. Binary members are
 * base64url without padding (RFC 4648 section 5).
 */
import { z } from 'zod';

/** Base64url without padding (RFC 4648 section 5), at most 16,384 characters. */
export const Base64UrlSchema = z
  .string()
  .max(16_384)
  .regex(/^[A-Za-z0-9_-]*$/)
  .meta({ description: 'base64url without padding (RFC 4648 section 5).' });

const TransportSchema = z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

/** A credential the authenticator may use or must not re-register (WebAuthn L3 section 5.8.3). */
const CredentialDescriptorSchema = z.looseObject({
  id: Base64UrlSchema,
  type: z.literal('public-key'),
  transports: z.array(TransportSchema).optional(),
});

/**
 * `PublicKeyCredentialCreationOptionsJSON` (WebAuthn L3 section 5.4): what the browser needs to create a passkey
 * for the enrolling person (`rp.id` is the console's relying party id, `user.id` an opaque handle).
 */
export const CreationOptionsJsonSchema = z
  .looseObject({
    rp: z.looseObject({ id: z.string().optional(), name: z.string() }),
    user: z.looseObject({ id: Base64UrlSchema, name: z.string(), displayName: z.string() }),
    challenge: Base64UrlSchema,
    pubKeyCredParams: z.array(z.looseObject({ type: z.literal('public-key'), alg: z.int() })),
    timeout: z.int().optional(),
    excludeCredentials: z.array(CredentialDescriptorSchema).optional(),
    authenticatorSelection: z.record(z.string(), z.unknown()).optional(),
    attestation: z.string().optional(),
    hints: z.array(z.string()).optional(),
    extensions: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({
    id: 'WebAuthnCreationOptions',
    description: 'PublicKeyCredentialCreationOptionsJSON (W3C WebAuthn Level 3 section 5.4).',
  });

/**
 * `PublicKeyCredentialRequestOptionsJSON` (WebAuthn L3 section 5.5): what the browser needs to sign a challenge
 * with a passkey (sign-in, or one approval).
 */
export const RequestOptionsJsonSchema = z
  .looseObject({
    challenge: Base64UrlSchema,
    timeout: z.int().optional(),
    rpId: z.string().optional(),
    allowCredentials: z.array(CredentialDescriptorSchema).optional(),
    userVerification: z.enum(['required', 'preferred', 'discouraged']).optional(),
    hints: z.array(z.string()).optional(),
    extensions: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({
    id: 'WebAuthnRequestOptions',
    description: 'PublicKeyCredentialRequestOptionsJSON (W3C WebAuthn Level 3 section 5.5).',
  });

const credentialCommon = {
  id: Base64UrlSchema,
  rawId: Base64UrlSchema,
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()),
};

/**
 * `RegistrationResponseJSON` (WebAuthn L3 section 5.1.8): a new passkey, with its attestation object (CBOR,
 * section 6.5) and the client data the browser signed over (section 5.8.1).
 */
export const RegistrationResponseJsonSchema = z
  .looseObject({
    ...credentialCommon,
    response: z.looseObject({
      clientDataJSON: Base64UrlSchema,
      attestationObject: Base64UrlSchema,
      authenticatorData: Base64UrlSchema.optional(),
      transports: z.array(TransportSchema).optional(),
      publicKeyAlgorithm: z.int().optional(),
      publicKey: Base64UrlSchema.optional(),
    }),
  })
  .meta({
    id: 'WebAuthnRegistrationResponse',
    description: 'RegistrationResponseJSON (W3C WebAuthn Level 3 section 5.1.8).',
  });

/**
 * `AuthenticationResponseJSON` (WebAuthn L3 section 5.1.8): an assertion: the authenticator data (section 6.1),
 * the client data JSON (section 5.8.1) and the signature over `authenticatorData || SHA-256(clientDataJSON)`
 * (section 6.3.3), with the credential id that made it.
 */
export const AuthenticationResponseJsonSchema = z
  .looseObject({
    ...credentialCommon,
    response: z.looseObject({
      clientDataJSON: Base64UrlSchema,
      authenticatorData: Base64UrlSchema,
      signature: Base64UrlSchema,
      userHandle: Base64UrlSchema.optional(),
    }),
  })
  .meta({
    id: 'WebAuthnAuthenticationResponse',
    description: 'AuthenticationResponseJSON (W3C WebAuthn Level 3 section 5.1.8).',
  });

/** A WebAuthn assertion as the browser serialises it (see {@link AuthenticationResponseJsonSchema}). */
export type AuthenticationResponseJson = z.infer<typeof AuthenticationResponseJsonSchema>;
/** A new passkey as the browser serialises it (see {@link RegistrationResponseJsonSchema}). */
export type RegistrationResponseJson = z.infer<typeof RegistrationResponseJsonSchema>;
