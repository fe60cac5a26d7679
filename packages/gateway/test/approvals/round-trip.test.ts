import { HANDOFF_PROTOCOL_VERSION, sha256Digest } from '@handoff/protocol';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
} from 'jose';
import { describe, expect, test } from 'vitest';
import { createApprovalToken } from '../../src/approvals/create-approval.js';
import { combineKeySources, createKeySource } from '../../src/approvals/key-source.js';
import { ALLOWED_ALGORITHMS, generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { ManualClock } from '../../src/clock.js';
import { approvalInput, keyring, refusal, START, START_SEC, sign, verify } from './fixtures.js';

describe('generateSigningKeyPair', () => {
  test.each(ALLOWED_ALGORITHMS)(
    '%s: kid is the RFC 7638 thumbprint; public half has no d',
    async (alg) => {
      const pair = await generateSigningKeyPair({ alg });
      expect(pair.alg).toBe(alg);
      expect(pair.kid).toBe(await calculateJwkThumbprint(pair.publicJwk));
      expect(pair.publicJwk).toMatchObject({ kid: pair.kid, alg, use: 'sig' });
      expect(pair.publicJwk).not.toHaveProperty('d');
      expect(pair.privateJwk).toMatchObject({ kid: pair.kid, alg, d: expect.any(String) });
      expect(pair.publicJwk.crv).toBe(alg === 'EdDSA' ? 'Ed25519' : 'P-256');
    },
  );

  test('takes a kid; refuses algorithms outside the pinned list', async () => {
    expect((await generateSigningKeyPair({ alg: 'ES256', kid: 'finance-2026' })).kid).toBe(
      'finance-2026',
    );
    const bad = { alg: 'RS256' } as unknown as Parameters<typeof generateSigningKeyPair>[0];
    expect((await refusal(generateSigningKeyPair(bad))).code).toBe('CONFIG_INVALID');
  });
});

describe('create then verify', () => {
  test.each(ALLOWED_ALGORITHMS)('%s round trip', async (alg) => {
    const { ed, ec, keys } = await keyring();
    const pair = alg === 'EdDSA' ? ed : ec;
    const token = await sign(pair);
    const verified = await verify(token, keys);
    expect(verified.header).toEqual({ alg, kid: pair.kid, typ: 'handoff-approval+jwt' });
    expect(verified.claims).toEqual({
      protocolVersion: HANDOFF_PROTOCOL_VERSION,
      kind: 'ApprovalClaims',
      ...approvalInput(),
      iat: START_SEC,
      nbf: START_SEC,
      exp: START_SEC + 900,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    });
    expect(verified.publicJwk).toEqual(pair.publicJwk);
    expect(verified.tokenDigest).toBe(sha256Digest(token));
    expect(keys.lastResolvedJwk(pair.kid)).toEqual(pair.publicJwk);
  });

  test('ttlSeconds, kid override, fresh jti, and the thumbprint as the default kid', async () => {
    const { ed, keys } = await keyring();
    const a = await verify(await sign(ed, {}, { ttlSeconds: 60 }), keys);
    const b = await verify(await sign(ed, { comment: 'ok' }), keys);
    expect(a.claims.exp - a.claims.iat).toBe(60);
    expect(a.claims.jti).not.toBe(b.claims.jti);
    expect(b.claims.comment).toBe('ok');

    const { kid: _kid, ...noKid } = ed.privateJwk;
    const token = await createApprovalToken(approvalInput(), noKid, {
      clock: new ManualClock(START),
    });
    expect(decodeProtectedHeader(token).kid).toBe(ed.kid);
    const renamed = await sign(ed, {}, { kid: 'renamed' });
    expect(decodeProtectedHeader(renamed).kid).toBe('renamed');
  });

  test('typ is compared as a media type (case, application/ prefix)', async () => {
    const { ed, keys } = await keyring();
    const { claims } = await verify(await sign(ed), keys);
    const typ = 'application/Handoff-Approval+JWT';
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: ed.kid, typ })
      .sign(await importJWK(ed.privateJwk, 'EdDSA'));
    expect((await verify(token, keys)).header.typ).toBe(typ);
  });

  test('refuses public, RSA and mismatched keys, invalid claims and a bad ttl', async () => {
    const { ed, ec } = await keyring();
    const rsa = await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey);
    for (const jwk of [ed.publicJwk, rsa, { ...ec.privateJwk, alg: 'EdDSA' }]) {
      const error = await refusal(createApprovalToken(approvalInput(), jwk));
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).not.toContain(ed.privateJwk.d);
    }
    const invalid = await refusal(sign(ed, { maxSpend: { amountMinor: 1.5, currency: 'USD' } }));
    expect(invalid.code).toBe('VALIDATION_FAILED');
    expect(invalid.issues.map((i) => `${i.code} ${i.path}`)).toContain(
      'MONEY_NOT_INTEGER /maxSpend/amountMinor',
    );
    await expect(sign(ed, {}, { ttlSeconds: 0 })).rejects.toThrow(RangeError);
  });
});

describe('combineKeySources', () => {
  test('tries each source; unknown everywhere is APPROVAL_UNKNOWN_KEY', async () => {
    const { ed, ec } = await keyring();
    const first = createKeySource({ type: 'inline', jwks: { keys: [ed.publicJwk] } });
    const second = createKeySource({ type: 'inline', jwks: { keys: [ec.publicJwk] } });
    const keys = combineKeySources([first, second]);
    expect((await verify(await sign(ec), keys)).publicJwk).toEqual(ec.publicJwk);
    expect(keys.lastResolvedJwk(ec.kid)).toEqual(ec.publicJwk);
    expect((await keys.resolveJwk({ alg: 'EdDSA', kid: ed.kid })).x).toBe(ed.publicJwk.x);

    const stranger = await generateSigningKeyPair({ alg: 'EdDSA' });
    expect((await refusal(verify(await sign(stranger), keys))).code).toBe('APPROVAL_UNKNOWN_KEY');
  });

  test('a failing source does not hide a key another source has', async () => {
    const { ed } = await keyring();
    const missing = createKeySource({ type: 'file', path: '/nonexistent/handoff/jwks.json' });
    const inline = createKeySource({ type: 'inline', jwks: { keys: [ed.publicJwk] } });
    const keys = combineKeySources([missing, inline]);
    expect((await verify(await sign(ed), keys)).header.kid).toBe(ed.kid);
    const stranger = await generateSigningKeyPair({ alg: 'EdDSA' });
    const error = await refusal(verify(await sign(stranger), keys));
    expect(error.code).toBe('KEY_SOURCE_UNAVAILABLE');
  });
});
