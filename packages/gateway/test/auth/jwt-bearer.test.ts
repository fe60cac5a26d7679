import {
  base64url,
  type CryptoKey,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  generateSecret,
  type JWTPayload,
  type JWTVerifyGetKey,
  SignJWT,
} from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  createJwtAuthenticator,
  type JwtAlgorithm,
  type JwtAuthenticatorOptions,
} from '../../src/auth/jwt-bearer.js';
import { ManualClock } from '../../src/clock.js';
import { GatewayError } from '../../src/errors.js';

const ISSUER = 'https://idp.example.com/';
const AUDIENCE = 'https://gateway.example.com';
const START = '2026-11-21T14:00:00.000Z';

interface SigningKey {
  alg: JwtAlgorithm;
  kid: string;
  privateKey: CryptoKey;
}

let eddsa: SigningKey;
let rs256: SigningKey;
let stranger: SigningKey;
let getKey: JWTVerifyGetKey;

async function signingKey(alg: JwtAlgorithm, kid: string): Promise<[SigningKey, object]> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return [
    { alg, kid, privateKey },
    { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
  ];
}

beforeAll(async () => {
  const [ed, edJwk] = await signingKey('EdDSA', 'ed-1');
  const [rs, rsJwk] = await signingKey('RS256', 'rs-1');
  // Same kid and alg as the trusted EdDSA key, but not in the key set.
  [stranger] = await signingKey('EdDSA', 'ed-1');
  eddsa = ed;
  rs256 = rs;
  getKey = createLocalJWKSet({ keys: [edJwk, rsJwk] });
});

/** A fresh clock and authenticator per test, so moving time never leaks between tests. */
function setup(overrides: Partial<JwtAuthenticatorOptions> = {}) {
  const clock = new ManualClock(START);
  const auth = createJwtAuthenticator({
    issuer: ISSUER,
    audience: AUDIENCE,
    getKey,
    clock,
    ...overrides,
  });
  return { clock, auth, nowSec: Math.floor(clock.now() / 1000) };
}

function claims(nowSec: number, extra: JWTPayload = {}): JWTPayload {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-ana',
    iat: nowSec,
    exp: nowSec + 600,
    tenant_id: 'tenant-a',
    roles: ['approver'],
    ...extra,
  };
}

function sign(key: SigningKey, payload: JWTPayload): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

/** Asserts an UNAUTHENTICATED rejection with `reason`, whose message holds no part of the token. */
async function expectRejected(promise: Promise<unknown>, token: string, reason: string) {
  const err = await rejection(promise);
  expect(err.code).toBe('UNAUTHENTICATED');
  expect(err.details).toEqual({ reason });
  for (const part of token.split('.').filter((p) => p.length > 0)) {
    expect(err.message).not.toContain(part);
  }
  expect(err.cause).toBeUndefined();
  return err;
}

describe('createJwtAuthenticator: accepted tokens', () => {
  test('an EdDSA token yields its principal', async () => {
    const { auth, nowSec } = setup();
    const token = await sign(eddsa, claims(nowSec, { roles: ['approver', 'auditor'] }));
    await expect(auth.authenticate(token)).resolves.toEqual({
      id: 'user-ana',
      tenantId: 'tenant-a',
      roles: ['approver', 'auditor'],
      via: 'jwt',
    });
  });

  test('an RS256 token yields its principal', async () => {
    const { auth, nowSec } = setup();
    const token = await sign(rs256, claims(nowSec, { sub: 'copilot-svc', roles: ['copilot'] }));
    await expect(auth.authenticate(token)).resolves.toMatchObject({
      id: 'copilot-svc',
      roles: ['copilot'],
    });
  });

  test('unknown roles are dropped and duplicates removed', async () => {
    const { auth, nowSec } = setup();
    const roles = ['admin', 'approver', 'crm:write', 'approver', 7];
    const token = await sign(eddsa, claims(nowSec, { roles }));
    await expect(auth.authenticate(token)).resolves.toMatchObject({ roles: ['approver'] });
  });

  test('custom tenant and roles claims and an audience list', async () => {
    const { auth, nowSec } = setup({
      tenantClaim: 'https://handoff.dev/tenant',
      rolesClaim: 'groups',
      audience: ['other', AUDIENCE],
    });
    const payload = claims(nowSec, {
      'https://handoff.dev/tenant': 'tenant-z',
      groups: ['auditor'],
    });
    const principal = await auth.authenticate(await sign(eddsa, payload));
    expect(principal).toMatchObject({ tenantId: 'tenant-z', roles: ['auditor'] });
  });

  test('expiry within the 30 s clock tolerance is accepted', async () => {
    const { auth, clock, nowSec } = setup();
    const token = await sign(eddsa, claims(nowSec, { exp: nowSec + 60 }));
    clock.advance(80_000);
    await expect(auth.authenticate(token)).resolves.toMatchObject({ id: 'user-ana' });
  });
});

describe('createJwtAuthenticator: rejected tokens', () => {
  test('expired', async () => {
    const { auth, clock, nowSec } = setup();
    const token = await sign(eddsa, claims(nowSec, { exp: nowSec + 60 }));
    clock.advance(91_000);
    const err = await expectRejected(auth.authenticate(token), token, 'expired');
    expect(err.message).toBe('Bearer token rejected: expired');
    expect(err.httpStatus).toBe(401);
  });

  test('not yet valid', async () => {
    const { auth, nowSec } = setup();
    const token = await sign(eddsa, claims(nowSec, { nbf: nowSec + 120 }));
    await expectRejected(auth.authenticate(token), token, 'not_yet_valid');
  });

  test('wrong issuer', async () => {
    const { auth, nowSec } = setup();
    const token = await sign(eddsa, claims(nowSec, { iss: 'https://evil.example.com/' }));
    await expectRejected(auth.authenticate(token), token, 'wrong_issuer');
  });

  test('wrong audience', async () => {
    const { auth, nowSec } = setup();
    const token = await sign(eddsa, claims(nowSec, { aud: 'https://other.example.com' }));
    await expectRejected(auth.authenticate(token), token, 'wrong_audience');
  });

  test('alg none (unsecured JWT, hand-crafted)', async () => {
    const { auth, nowSec } = setup();
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const token = `${header}.${base64url.encode(JSON.stringify(claims(nowSec)))}.`;
    await expectRejected(auth.authenticate(token), token, 'alg_not_allowed');
  });

  test('HS256, even with a valid MAC', async () => {
    const { auth, nowSec } = setup();
    const secret = await generateSecret('HS256');
    const token = await new SignJWT(claims(nowSec))
      .setProtectedHeader({ alg: 'HS256', kid: 'ed-1' })
      .sign(secret);
    await expectRejected(auth.authenticate(token), token, 'alg_not_allowed');
  });

  test('an algorithm allowed elsewhere but not configured here', async () => {
    const { auth, nowSec } = setup({ algorithms: ['EdDSA'] });
    const token = await sign(rs256, claims(nowSec));
    await expectRejected(auth.authenticate(token), token, 'alg_not_allowed');
  });

  test('bad signature: signed by a key not in the key set', async () => {
    const { auth, nowSec } = setup();
    const token = await sign(stranger, claims(nowSec));
    await expectRejected(auth.authenticate(token), token, 'bad_signature');
  });

  test('unknown key id', async () => {
    const { auth, nowSec } = setup();
    const token = await sign({ ...eddsa, kid: 'ed-404' }, claims(nowSec));
    await expectRejected(auth.authenticate(token), token, 'unknown_key');
  });

  test('malformed token', async () => {
    const { auth } = setup();
    await expectRejected(auth.authenticate('abc.def.ghi'), 'abc.def.ghi', 'malformed');
  });

  test('missing tenant claim', async () => {
    const { auth, nowSec } = setup();
    const token = await sign(eddsa, claims(nowSec, { tenant_id: undefined }));
    const err = await expectRejected(auth.authenticate(token), token, 'missing_tenant');
    expect(err.message).toBe('Bearer token rejected: no "tenant_id" claim');
  });

  test('no known roles, or roles not an array', async () => {
    const { auth, nowSec } = setup();
    for (const roles of [['admin', 'owner'], [], 'approver', undefined]) {
      const token = await sign(eddsa, claims(nowSec, { roles }));
      await expectRejected(auth.authenticate(token), token, 'no_known_roles');
    }
  });

  test('missing exp or sub', async () => {
    const { auth, nowSec } = setup();
    for (const drop of ['exp', 'sub']) {
      const token = await sign(eddsa, claims(nowSec, { [drop]: undefined }));
      const err = await expectRejected(auth.authenticate(token), token, 'invalid_claims');
      expect(err.message).toBe(`Bearer token rejected: missing "${drop}"`);
    }
  });
});

describe('createJwtAuthenticator: key source and configuration', () => {
  test('a failing key source is KEY_SOURCE_UNAVAILABLE, not a caller error', async () => {
    const { auth, nowSec } = setup({
      getKey: () => Promise.reject(new TypeError('fetch failed')),
    });
    const err = await rejection(auth.authenticate(await sign(eddsa, claims(nowSec))));
    expect(err.code).toBe('KEY_SOURCE_UNAVAILABLE');
    expect(err.httpStatus).toBe(503);
  });

  test.each([
    ['alg none', { algorithms: ['none'] }],
    ['HS256', { algorithms: ['HS256'] }],
    ['no algorithms', { algorithms: [] }],
    ['empty issuer', { issuer: '' }],
    ['empty audience', { audience: [] }],
    ['negative tolerance', { clockToleranceSec: -1 }],
  ])('invalid configuration is CONFIG_INVALID: %s', (_name, bad) => {
    const options = { issuer: ISSUER, audience: AUDIENCE, getKey, clock: new ManualClock(START) };
    const create = () => createJwtAuthenticator({ ...options, ...(bad as object) });
    expect(create).toThrow(GatewayError);
    expect(create).toThrow(/Invalid JWT configuration/);
  });
});
