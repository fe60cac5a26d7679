import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createKeySource } from '../../src/approvals/key-source.js';
import { generateSigningKeyPair, type SigningKeyPair } from '../../src/approvals/signing-keys.js';
import { ManualClock } from '../../src/clock.js';
import { refusal, START, sign, verify } from './fixtures.js';

let dir: string;
let path: string;
let a: SigningKeyPair;
let b: SigningKeyPair;
/** An RSA public key: always skipped, so each (re)load of the file reports it once. */
let rsa: JWK;

beforeAll(async () => {
  a = await generateSigningKeyPair({ alg: 'EdDSA' });
  b = await generateSigningKeyPair({ alg: 'ES256' });
  rsa = { ...(await exportJWK((await generateKeyPair('RS256')).publicKey)), kid: 'rsa' };
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'handoff-jwks-'));
  path = join(dir, 'approvers.jwks.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const writeJwks = (keys: unknown[]) => writeFile(path, JSON.stringify({ keys }));

/** A file source over `path` with a frozen clock, counting file loads. */
function fileSource(cooldownMs?: number) {
  const clock = new ManualClock(START);
  let loads = 0;
  const keys = createKeySource(
    { type: 'file', path, ...(cooldownMs === undefined ? {} : { cooldownMs }) },
    { clock, onIgnoredKey: () => (loads += 1) },
  );
  return { keys, clock, loads: () => loads };
}

describe('file key source', () => {
  test('picks up a key written after the first verification, without a restart', async () => {
    await writeJwks([a.publicJwk, rsa]);
    const { keys, loads } = fileSource();
    await verify(await sign(a), keys);
    const tokenB = await sign(b);
    expect((await refusal(verify(tokenB, keys))).code).toBe('APPROVAL_UNKNOWN_KEY');

    await writeJwks([a.publicJwk, b.publicJwk, rsa]);
    const verified = await verify(tokenB, keys);
    expect(verified.publicJwk).toEqual(b.publicJwk);
    expect(keys.lastResolvedJwk(b.kid)).toEqual(b.publicJwk);
    expect(loads()).toBe(2);
  });

  test('an atomic rename rotates keys, and a removed key stops verifying (revocation)', async () => {
    await writeJwks([a.publicJwk]);
    const { keys } = fileSource();
    const tokenA = await sign(a);
    await verify(tokenA, keys);

    await writeFile(`${path}.next`, JSON.stringify({ keys: [b.publicJwk] }));
    await rename(`${path}.next`, path);
    await verify(await sign(b), keys);
    expect((await refusal(verify(tokenA, keys))).code).toBe('APPROVAL_UNKNOWN_KEY');
    expect(keys.lastResolvedJwk(a.kid)).toEqual(a.publicJwk);
  });

  test('an unknown kid re-reads an unchanged file at most once per cooldown (injected clock)', async () => {
    await writeJwks([a.publicJwk, rsa]);
    const { keys, clock, loads } = fileSource();
    await verify(await sign(a), keys);
    expect(loads()).toBe(1);
    const unknown = { alg: 'ES256', kid: 'not-published' };
    for (const advanceMs of [0, 500, 499]) {
      clock.advance(advanceMs);
      expect((await refusal(keys.getKey(unknown))).code).toBe('APPROVAL_UNKNOWN_KEY');
      expect(loads()).toBe(1);
    }
    clock.advance(1);
    expect((await refusal(keys.getKey(unknown))).code).toBe('APPROVAL_UNKNOWN_KEY');
    expect(loads()).toBe(2);
    await keys.getKey({ alg: 'EdDSA', kid: a.kid });
    expect(loads()).toBe(2);
  });

  test('cooldownMs is configurable', async () => {
    await writeJwks([a.publicJwk, rsa]);
    const { keys, loads } = fileSource(0);
    await keys.getKey({ alg: 'EdDSA', kid: a.kid });
    await refusal(keys.getKey({ alg: 'EdDSA', kid: 'other' }));
    expect(loads()).toBe(2);
    expect(() => createKeySource({ type: 'file', path, cooldownMs: -1 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  test('a private key written into the file fails closed until the file is fixed', async () => {
    await writeJwks([a.publicJwk]);
    const { keys } = fileSource();
    const tokenA = await sign(a);
    await verify(tokenA, keys);

    await writeJwks([a.publicJwk, b.privateJwk]);
    const error = await refusal(verify(tokenA, keys));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).not.toContain(b.privateJwk.d);
    expect(error.issues).toEqual([
      { path: '/keys/1', code: 'PRIVATE_KEY_IN_JWKS', message: 'private key' },
    ]);

    await writeJwks([a.publicJwk, b.publicJwk]);
    await verify(tokenA, keys);
  });

  test('a missing file is KEY_SOURCE_UNAVAILABLE; bad JSON or shape is CONFIG_INVALID', async () => {
    const { keys } = fileSource();
    const token = await sign(a);
    expect((await refusal(verify(token, keys))).code).toBe('KEY_SOURCE_UNAVAILABLE');
    await writeFile(path, '{"keys": [');
    expect((await refusal(verify(token, keys))).code).toBe('CONFIG_INVALID');
    await writeFile(path, '{"keys": {}}');
    expect((await refusal(verify(token, keys))).code).toBe('CONFIG_INVALID');
    await writeJwks([a.publicJwk, { ...a.publicJwk, x: b.publicJwk.x }]);
    const duplicate = await refusal(verify(token, keys));
    expect(duplicate.code).toBe('CONFIG_INVALID');
    expect(duplicate.issues[0]?.code).toBe('DUPLICATE_KID');
  });
});
