import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/*
 * A software authenticator for tests (no browser): a P-256 key made in the test, authenticator data and client
 * data built by hand as W3C WebAuthn Level 3 lays them out (section 6.1 authenticator data, 6.5.1 attested
 * credential data, 5.8.1 client data, 6.5.4 the `none` attestation format, 6.5.5 DER ECDSA signatures).
 */

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const sha256 = (data: string | Uint8Array): Buffer => createHash('sha256').update(data).digest();

/** The JSON a browser answers to `navigator.credentials.create()` (RegistrationResponseJSON). */
export interface SoftRegistration {
  id: string;
  rawId: string;
  type: 'public-key';
  clientExtensionResults: Record<string, never>;
  response: { clientDataJSON: string; attestationObject: string; transports: ['internal'] };
}

/** The JSON a browser answers to `navigator.credentials.get()` (AuthenticationResponseJSON). */
export interface SoftAssertion {
  id: string;
  rawId: string;
  type: 'public-key';
  clientExtensionResults: Record<string, never>;
  response: { clientDataJSON: string; authenticatorData: string; signature: string };
}

/** One passkey held by a software authenticator for `rpId`, used from `origin`. */
export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  counter = 0;

  constructor(
    readonly rpId = 'localhost',
    readonly origin = 'http://localhost',
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
  }

  get id(): string {
    return b64(this.credentialId);
  }

  /** The credential's COSE_Key: EC2 (1: 2), ES256 (3: -7), P-256 (-1: 1), x (-2), y (-3) (RFC 9053 section 7.1). */
  coseKey(): Uint8Array {
    const jwk = this.#publicKey.export({ format: 'jwk' });
    const coord = (v: string | undefined) => new Uint8Array(Buffer.from(v ?? '', 'base64url'));
    const map = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, coord(jwk.x)],
      [-3, coord(jwk.y)],
    ]);
    return isoCBOR.encode(map);
  }

  #authData(flags: number, attested?: Uint8Array): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    return Buffer.concat([
      sha256(this.rpId),
      Buffer.from([flags]),
      count,
      attested ?? Buffer.alloc(0),
    ]);
  }

  #clientData(type: string, challenge: string): Buffer {
    return Buffer.from(
      JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }),
    );
  }

  /** Answers creation options: a `none` attestation of this credential over `challenge` (base64url). */
  register(challenge: string): SoftRegistration {
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, this.coseKey()]);
    const authData = this.#authData(0x41, attested); // UP + AT
    const attestation = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(authData)],
      ]) as Parameters<typeof isoCBOR.encode>[0],
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64(this.#clientData('webauthn.create', challenge)),
        attestationObject: b64(attestation),
        transports: ['internal'],
      },
    };
  }

  /** Signs `challenge` (base64url): authenticator data with UP, signature over it and SHA-256 of the client data. */
  assert(challenge: string, type = 'webauthn.get'): SoftAssertion {
    const authData = this.#authData(0x01);
    const clientData = this.#clientData(type, challenge);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(clientData)]),
      this.#privateKey,
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64(clientData),
        authenticatorData: b64(authData),
        signature: b64(signature),
      },
    };
  }
}
