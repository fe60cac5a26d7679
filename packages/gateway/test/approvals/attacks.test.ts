import {
  base64url,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWTHeaderParameters,
  SignJWT,
} from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import type { KeySource } from '../../src/approvals/key-source.js';
import { createKeySource } from '../../src/approvals/key-source.js';
import { generateSigningKeyPair, type SigningKeyPair } from '../../src/approvals/signing-keys.js';
import type { GatewayError } from '../../src/errors.js';
import { countingSource, craftToken, keyring, refusal, sign, verify } from './fixtures.js';

const TYP = 'handoff-approval+jwt';
let ed: SigningKeyPair;
let ec: SigningKeyPair;
let keys: KeySource;
let claims: Record<string, unknown>;
const refusals: { error: GatewayError; token: string }[] = [];

beforeAll(async () => {
  ({ ed, ec, keys } = await keyring());
  claims = decodeJwt(await sign(ed));
});

/** Verifies `token` against a counting wrapper of `keys`; returns the error and how many key lookups ran. */
async function attempt(
  token: string,
): Promise<{ code: string; lookups: number; error: GatewayError }> {
  const { source, lookups } = countingSource(keys);
  const error = await refusal(verify(token, source));
  refusals.push({ error, token });
  return { code: error.code, lookups: lookups(), error };
}

async function signWith(
  key: Parameters<SignJWT['sign']>[0],
  header: JWTHeaderParameters,
  payload = claims,
) {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}

describe('algorithm confusion is refused before any key lookup', () => {
  test('alg none (an unsigned token crafted by hand)', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const token = craftToken({ alg, kid: ed.kid, typ: TYP }, claims);
      expect(await attempt(token)).toMatchObject({ code: 'APPROVAL_ALG_NOT_ALLOWED', lookups: 0 });
    }
    const noAlg = craftToken({ kid: ed.kid, typ: TYP }, claims, 'c2ln');
    expect(await attempt(noAlg)).toMatchObject({ code: 'APPROVAL_ALG_NOT_ALLOWED', lookups: 0 });
  });

  test('HS256 with the public key bytes as the HMAC secret', async () => {
    const secrets = [
      new TextEncoder().encode(JSON.stringify(ed.publicJwk)),
      base64url.decode(ed.publicJwk.x ?? ''),
    ];
    for (const secret of secrets) {
      const token = await signWith(secret, { alg: 'HS256', kid: ed.kid, typ: TYP });
      expect(await attempt(token)).toMatchObject({ code: 'APPROVAL_ALG_NOT_ALLOWED', lookups: 0 });
    }
  });

  test('RS256 with a fresh RSA key, even one published in the JWKS', async () => {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const rsaPublic = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256' };
    const ignored: string[] = [];
    const withRsa = createKeySource(
      { type: 'inline', jwks: { keys: [ed.publicJwk, rsaPublic] } },
      { onIgnoredKey: (i) => ignored.push(`${i.kid}: ${i.reason}`) },
    );
    expect(ignored).toEqual(['rsa-1: alg is not one of EdDSA,ES256']);
    const token = await signWith(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1', typ: TYP });
    expect((await refusal(verify(token, withRsa))).code).toBe('APPROVAL_ALG_NOT_ALLOWED');
    expect(await attempt(token)).toMatchObject({ code: 'APPROVAL_ALG_NOT_ALLOWED', lookups: 0 });
  });
});

describe('keys', () => {
  test('an unknown kid, and a missing kid', async () => {
    const stranger = await generateSigningKeyPair({ alg: 'EdDSA' });
    expect((await attempt(await sign(stranger))).code).toBe('APPROVAL_UNKNOWN_KEY');
    const key = await importJWK(ed.privateJwk, 'EdDSA');
    const noKid = await signWith(key, { alg: 'EdDSA', typ: TYP });
    expect(await attempt(noKid)).toMatchObject({ code: 'APPROVAL_UNKNOWN_KEY', lookups: 0 });
  });

  test('a valid signature by a key from another JWKS that claims a known kid', async () => {
    const impostor = await generateSigningKeyPair({ alg: 'EdDSA', kid: ed.kid });
    expect((await attempt(await sign(impostor))).code).toBe('APPROVAL_INVALID_SIGNATURE');
  });

  test('keys embedded in the header (jwk, jku) are never used', async () => {
    const attacker = await generateSigningKeyPair({ alg: 'EdDSA' });
    const key = await importJWK(attacker.privateJwk, 'EdDSA');
    const embedded = { jwk: attacker.publicJwk, jku: 'https://attacker.example/jwks.json' };
    const own = await signWith(key, { alg: 'EdDSA', kid: attacker.kid, typ: TYP, ...embedded });
    expect((await attempt(own)).code).toBe('APPROVAL_UNKNOWN_KEY');
    const known = await signWith(key, { alg: 'EdDSA', kid: ed.kid, typ: TYP, ...embedded });
    expect((await attempt(known)).code).toBe('APPROVAL_INVALID_SIGNATURE');
  });

  test('a known kid used with another allowed alg', async () => {
    const impostor = await generateSigningKeyPair({ alg: 'ES256', kid: ed.kid });
    expect((await attempt(await sign(impostor))).code).toBe('APPROVAL_UNKNOWN_KEY');
  });

  test('a JWKS holding a private key (or a secret) is refused', () => {
    for (const bad of [ed.privateJwk, { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' }]) {
      const make = () => createKeySource({ type: 'inline', jwks: { keys: [ec.publicJwk, bad] } });
      expect(make).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
      expect(make).toThrow(/keys\[1\] holds private key material/);
    }
  });

  test('keys with a mismatched kty/crv or another use are ignored', () => {
    const ignored: string[] = [];
    const source = createKeySource(
      {
        type: 'inline',
        jwks: {
          keys: [
            { ...ec.publicJwk, kid: 'ec-as-eddsa', alg: 'EdDSA' },
            { ...ed.publicJwk, kid: 'ed-as-es256', alg: 'ES256' },
            { ...ec.publicJwk, kid: 'p384', crv: 'P-384' },
            { ...ed.publicJwk, kid: 'enc', use: 'enc' },
            { ...ed.publicJwk, kid: undefined },
          ],
        },
      },
      { onIgnoredKey: (i) => ignored.push(`${i.kid}: ${i.reason}`) },
    );
    expect(ignored).toHaveLength(5);
    expect(ignored[0]).toBe('ec-as-eddsa: kty/crv do not match alg EdDSA');
    expect(source.lastResolvedJwk('ec-as-eddsa')).toBeUndefined();
  });
});

describe('token integrity and shape', () => {
  test('a tampered payload', async () => {
    const [head, , signature] = (await sign(ed)).split('.');
    const raised = { ...claims, maxSpend: { amountMinor: 99_000_000, currency: 'USD' } };
    const token = `${head}.${base64url.encode(JSON.stringify(raised))}.${signature}`;
    expect((await attempt(token)).code).toBe('APPROVAL_INVALID_SIGNATURE');
  });

  test('a wrong or missing typ', async () => {
    const key = await importJWK(ed.privateJwk, 'EdDSA');
    for (const header of [
      { alg: 'EdDSA', kid: ed.kid, typ: 'JWT' },
      { alg: 'EdDSA', kid: ed.kid },
    ]) {
      const { code, lookups, error } = await attempt(await signWith(key, header));
      expect({ code, lookups }).toEqual({ code: 'APPROVAL_MALFORMED', lookups: 0 });
      expect(error.issues[0]?.code).toBe('WRONG_TYP');
    }
  });

  test('an oversized token, and garbage', async () => {
    const big = await sign(ed, { comment: 'x'.repeat(4000) });
    const { code, lookups, error } = await attempt(`${big}${'A'.repeat(16_384 - big.length + 1)}`);
    expect({ code, lookups, issue: error.issues[0]?.code }).toEqual({
      code: 'APPROVAL_MALFORMED',
      lookups: 0,
      issue: 'TOKEN_TOO_LARGE',
    });
    expect((await refusal(verify(big, keys, { maxTokenBytes: 512 }))).code).toBe(
      'APPROVAL_MALFORMED',
    );
    for (const garbage of ['', 'not-a-jwt', 'a.b.c', `${'e30'}.e30.e30.e30`]) {
      expect((await attempt(garbage)).code).toBe('APPROVAL_MALFORMED');
    }
  });

  test('a payload that is not ApprovalClaims (float maxSpend, missing jti)', async () => {
    const key = await importJWK(ed.privateJwk, 'EdDSA');
    const header = { alg: 'EdDSA', kid: ed.kid, typ: TYP };
    const float = { ...claims, maxSpend: { amountMinor: 2500.5, currency: 'USD' } };
    const { code, error } = await attempt(await signWith(key, header, float));
    expect(code).toBe('APPROVAL_MALFORMED');
    expect(error.issues.map((i) => `${i.code} ${i.path}`)).toEqual([
      'MONEY_NOT_INTEGER /maxSpend/amountMinor',
    ]);
    const { jti: _jti, ...noJti } = claims;
    const missing = await attempt(await signWith(key, header, noJti));
    expect(missing.code).toBe('APPROVAL_MALFORMED');
    expect(missing.error.issues[0]?.path).toBe('/jti');
  });
});

test('no refusal message quotes the token or key material', () => {
  expect(refusals.length).toBeGreaterThan(15);
  for (const { error, token } of refusals) {
    const parts = token.split('.').filter((part) => part.length > 8);
    for (const secret of [...parts, ed.publicJwk.x, ed.privateJwk.d, ec.publicJwk.x]) {
      expect(error.message).not.toContain(secret);
    }
  }
});
