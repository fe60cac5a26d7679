import {
  base64url,
  CompactSign,
  type CryptoKey,
  exportJWK,
  FlattenedSign,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import {
  SignedDocumentError,
  type SignedDocumentErrorCode,
} from '../../src/signing/signed-document-error.js';
import {
  type PinnedKey,
  type SignatureAlgorithm,
  verifySignedDocument,
  verifySignedJwt,
} from '../../src/signing/verify-signed-document.js';

/** The failure paths of the one signed-document verifier, each with the code it must give. */
const TYP = 'handoff-test+jws';
const NOW_MS = Date.UTC(2026, 10, 21, 9, 30);
const NOW_SEC = NOW_MS / 1000;

interface Pair {
  alg: SignatureAlgorithm;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

let ed: Pair;
let ec: Pair;

async function pair(alg: SignatureAlgorithm, kid: string): Promise<Pair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg } };
}

beforeAll(async () => {
  ed = await pair('EdDSA', 'ed-1');
  ec = await pair('ES256', 'ec-1');
});

const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

function sign(
  signer: Pair,
  header: Record<string, unknown> = {},
  payload: unknown = { hello: 'world' },
) {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: TYP, ...header })
    .sign(signer.privateKey);
}

/** A resolver of the pinned public keys that records each lookup. */
function pinned(keys: JWK[] = [ed.publicJwk, ec.publicJwk]) {
  const lookups: unknown[] = [];
  const resolveKey = async (header: { alg: SignatureAlgorithm; kid: string }) => {
    lookups.push(header);
    const jwk = keys.find((key) => key.kid === header.kid);
    return jwk === undefined ? undefined : { key: jwk };
  };
  return { lookups, resolveKey };
}

const options = (
  resolveKey: (h: { alg: SignatureAlgorithm; kid: string }) => Promise<PinnedKey | undefined>,
  algorithms: readonly SignatureAlgorithm[] = ['EdDSA', 'ES256'],
) => ({ typ: TYP, algorithms, resolveKey });

async function codeOf(run: Promise<unknown>): Promise<SignedDocumentErrorCode> {
  const error = await run.then(
    () => expect.unreachable('expected a refusal'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SignedDocumentError);
  return (error as SignedDocumentError).code;
}

describe('verifySignedDocument', () => {
  test('verifies with the pinned key and returns payload, header, kid and the resolved key', async () => {
    const keys = pinned();
    const verified = await verifySignedDocument(await sign(ed), options(keys.resolveKey));
    expect(JSON.parse(new TextDecoder().decode(verified.payload))).toEqual({ hello: 'world' });
    expect(verified).toMatchObject({ alg: 'EdDSA', kid: 'ed-1', key: { key: ed.publicJwk } });
    expect(verified.protectedHeader).toEqual({ alg: 'EdDSA', kid: 'ed-1', typ: TYP });
    expect(keys.lookups).toEqual([{ alg: 'EdDSA', kid: 'ed-1' }]);
    await expect(
      verifySignedDocument(await sign(ec), options(keys.resolveKey)),
    ).resolves.toMatchObject({ alg: 'ES256', kid: 'ec-1' });
  });

  test('an alg outside the pinned ones, none and HMAC are refused before any lookup', async () => {
    const keys = pinned();
    const es256 = await sign(ec);
    expect(await codeOf(verifySignedDocument(es256, options(keys.resolveKey, ['EdDSA'])))).toBe(
      'SIGNED_DOCUMENT_ALG_NOT_ALLOWED',
    );
    const payload = encode({ hello: 'world' });
    for (const alg of ['none', 'None', 'HS256', 'RS256', undefined]) {
      const token = `${encode({ alg, kid: ed.kid, typ: TYP })}.${payload}.`;
      expect(await codeOf(verifySignedDocument(token, options(keys.resolveKey)))).toBe(
        'SIGNED_DOCUMENT_ALG_NOT_ALLOWED',
      );
    }
    const secret = base64url.decode(ed.publicJwk.x ?? '');
    const hmac = await new CompactSign(new TextEncoder().encode('{}'))
      .setProtectedHeader({ alg: 'HS256', kid: ed.kid, typ: TYP })
      .sign(secret);
    expect(await codeOf(verifySignedDocument(hmac, options(keys.resolveKey)))).toBe(
      'SIGNED_DOCUMENT_ALG_NOT_ALLOWED',
    );
    expect(keys.lookups).toEqual([]);
  });

  test('a wrong or missing typ; the RFC 7515 forms of the right one pass', async () => {
    const keys = pinned();
    for (const typ of ['JWT', 'handoff-approval+jwt', undefined]) {
      expect(
        await codeOf(verifySignedDocument(await sign(ed, { typ }), options(keys.resolveKey))),
      ).toBe('SIGNED_DOCUMENT_TYP_MISMATCH');
    }
    expect(keys.lookups).toEqual([]);
    for (const typ of ['HANDOFF-TEST+JWS', 'application/handoff-test+jws']) {
      await expect(
        verifySignedDocument(await sign(ed, { typ }), options(keys.resolveKey)),
      ).resolves.toMatchObject({ kid: 'ed-1' });
    }
  });

  test('an unknown kid, a missing kid, and a known kid pinned for another alg', async () => {
    const keys = pinned();
    const stranger = await pair('EdDSA', 'stranger');
    expect(await codeOf(verifySignedDocument(await sign(stranger), options(keys.resolveKey)))).toBe(
      'SIGNED_DOCUMENT_UNKNOWN_KEY',
    );
    expect(
      await codeOf(
        verifySignedDocument(await sign(ed, { kid: undefined }), options(keys.resolveKey)),
      ),
    ).toBe('SIGNED_DOCUMENT_UNKNOWN_KEY');
    // An ES256 signature naming the Ed25519 key's kid: that key is pinned for EdDSA only.
    const impostor = await pair('ES256', ed.kid);
    expect(await codeOf(verifySignedDocument(await sign(impostor), options(keys.resolveKey)))).toBe(
      'SIGNED_DOCUMENT_UNKNOWN_KEY',
    );
  });

  test('a tampered payload or signature, and a valid signature by another key under a known kid', async () => {
    const keys = pinned();
    const [head, , signature] = (await sign(ed)).split('.');
    const tampered = `${head}.${encode({ hello: 'mallory' })}.${signature}`;
    expect(await codeOf(verifySignedDocument(tampered, options(keys.resolveKey)))).toBe(
      'SIGNED_DOCUMENT_INVALID_SIGNATURE',
    );
    const [h, p, s = ''] = (await sign(ed)).split('.');
    const flipped = `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`;
    expect(await codeOf(verifySignedDocument(flipped, options(keys.resolveKey)))).toBe(
      'SIGNED_DOCUMENT_INVALID_SIGNATURE',
    );
    const impostor = await pair('EdDSA', ed.kid);
    expect(await codeOf(verifySignedDocument(await sign(impostor), options(keys.resolveKey)))).toBe(
      'SIGNED_DOCUMENT_INVALID_SIGNATURE',
    );
  });

  test('keys embedded in the header (jwk, jku) are never used', async () => {
    const keys = pinned();
    const attacker = await pair('EdDSA', ed.kid);
    const embedded = { jwk: attacker.publicJwk, jku: 'https://attacker.example/jwks.json' };
    expect(
      await codeOf(verifySignedDocument(await sign(attacker, embedded), options(keys.resolveKey))),
    ).toBe('SIGNED_DOCUMENT_INVALID_SIGNATURE');
    const own = await pair('EdDSA', 'attacker-1');
    expect(
      await codeOf(
        verifySignedDocument(await sign(own, { jwk: own.publicJwk }), options(keys.resolveKey)),
      ),
    ).toBe('SIGNED_DOCUMENT_UNKNOWN_KEY');
    expect(keys.lookups).toEqual([
      { alg: 'EdDSA', kid: ed.kid },
      { alg: 'EdDSA', kid: 'attacker-1' },
    ]);
  });

  test('a crit or b64 header is malformed, even when signed by the pinned key', async () => {
    const keys = pinned();
    const critical = await new CompactSign(new TextEncoder().encode('{}'))
      .setProtectedHeader({ alg: 'EdDSA', kid: ed.kid, typ: TYP, crit: ['exp'], exp: 1 })
      .sign(ed.privateKey, { crit: { exp: true } });
    const flat = await new FlattenedSign(new TextEncoder().encode('{}'))
      .setProtectedHeader({ alg: 'EdDSA', kid: ed.kid, typ: TYP, crit: ['b64'], b64: false })
      .sign(ed.privateKey);
    const unencoded = `${flat.protected}.{}.${flat.signature}`;
    for (const token of [critical, unencoded]) {
      expect(await codeOf(verifySignedDocument(token, options(keys.resolveKey)))).toBe(
        'SIGNED_DOCUMENT_MALFORMED',
      );
    }
    expect(keys.lookups).toEqual([]);
  });

  test('garbage is malformed', async () => {
    const keys = pinned();
    const five = `${(await sign(ed)).split('.').join('.')}.e30.e30`;
    for (const token of [42, undefined, '', 'a.b', 'a.b.c', 'e30.e30.e30.e30', five]) {
      expect(await codeOf(verifySignedDocument(token, options(keys.resolveKey)))).toBe(
        'SIGNED_DOCUMENT_MALFORMED',
      );
    }
    expect(keys.lookups).toEqual([]);
  });

  test("a key that cannot verify the alg is an invalid signature; the resolver's own errors pass through", async () => {
    const { publicKey } = await generateKeyPair('EdDSA');
    const wrongType = async () => ({ key: publicKey });
    expect(await codeOf(verifySignedDocument(await sign(ec), options(wrongType)))).toBe(
      'SIGNED_DOCUMENT_INVALID_SIGNATURE',
    );
    const down = new GatewayError('KEY_SOURCE_UNAVAILABLE', 'The key set did not answer');
    await expect(
      verifySignedDocument(
        await sign(ed),
        options(() => Promise.reject(down)),
      ),
    ).rejects.toBe(down);
  });
});

describe('verifySignedJwt', () => {
  function jwt(claims: JWTPayload, header: Record<string, unknown> = {}) {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: ed.kid, typ: TYP, ...header })
      .sign(ed.privateKey);
  }
  const claimChecks = {
    nowMs: NOW_MS,
    clockToleranceSec: 30,
    audience: 'gw-1',
    requiredClaims: ['jti'],
  };
  const verifyJwt = (token: unknown) =>
    verifySignedJwt(token, { ...options(pinned().resolveKey), claims: claimChecks });
  const valid = { aud: 'gw-1', jti: 'j-1', iat: NOW_SEC, exp: NOW_SEC + 600 };

  test('verifies and returns the claims', async () => {
    await expect(verifyJwt(await jwt(valid))).resolves.toMatchObject({
      payload: valid,
      kid: ed.kid,
    });
  });

  test.each([
    ['expired', { exp: NOW_SEC - 31 }, 'SIGNED_DOCUMENT_EXPIRED', 'exp'],
    ['not yet valid', { nbf: NOW_SEC + 31 }, 'SIGNED_DOCUMENT_NOT_YET_VALID', 'nbf'],
    ['for another audience', { aud: 'gw-2' }, 'SIGNED_DOCUMENT_WRONG_AUDIENCE', 'aud'],
    ['without a required claim', { jti: undefined }, 'SIGNED_DOCUMENT_CLAIM_MISSING', 'jti'],
    ['with a mistyped exp', { exp: 'soon' }, 'SIGNED_DOCUMENT_CLAIM_INVALID', 'exp'],
  ])('a token %s', async (_, change, code, claim) => {
    const error = await verifyJwt(await jwt({ ...valid, ...change } as JWTPayload)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SignedDocumentError);
    expect(error).toMatchObject({ code, claim, kid: ed.kid });
  });

  test('an expired token carries its exp; leeway is honoured', async () => {
    const expired = await verifyJwt(await jwt({ ...valid, exp: NOW_SEC - 60 })).catch(
      (e: unknown) => e,
    );
    expect(error(expired)).toMatchObject({ claim: 'exp', claimValue: NOW_SEC - 60 });
    await expect(verifyJwt(await jwt({ ...valid, exp: NOW_SEC - 29 }))).resolves.toBeDefined();
  });

  test('a signed payload that is not a JSON object is malformed; the header checks come first', async () => {
    const notObject = await new CompactSign(new TextEncoder().encode('[1,2]'))
      .setProtectedHeader({ alg: 'EdDSA', kid: ed.kid, typ: TYP })
      .sign(ed.privateKey);
    expect(await codeOf(verifyJwt(notObject))).toBe('SIGNED_DOCUMENT_MALFORMED');
    expect(await codeOf(verifyJwt(await jwt(valid, { typ: 'JWT' })))).toBe(
      'SIGNED_DOCUMENT_TYP_MISMATCH',
    );
    const [head, , signature] = (await jwt(valid)).split('.');
    const raised = `${head}.${encode({ ...valid, jti: 'j-2' })}.${signature}`;
    expect(await codeOf(verifyJwt(raised))).toBe('SIGNED_DOCUMENT_INVALID_SIGNATURE');
  });
});

function error(value: unknown): SignedDocumentError {
  expect(value).toBeInstanceOf(SignedDocumentError);
  return value as SignedDocumentError;
}
