import { beforeAll, describe, expect, test } from 'vitest';
import type { KeySource } from '../../src/approvals/key-source.js';
import type { SigningKeyPair } from '../../src/approvals/signing-keys.js';
import { verifyApprovalToken } from '../../src/approvals/verify-approval.js';
import { ManualClock, toIso } from '../../src/clock.js';
import { AUDIENCE, keyring, refusal, START, START_SEC, sign, verify } from './fixtures.js';

/** The ISO time `seconds` after START. */
const after = (seconds: number) => toIso((START_SEC + seconds) * 1000);

let ed: SigningKeyPair;
let ec: SigningKeyPair;
let keys: KeySource;

beforeAll(async () => {
  ({ ed, ec, keys } = await keyring());
});

describe('exp (NumericDate seconds, 30 s default leeway)', () => {
  test('accepted until exp + tolerance, refused from then on', async () => {
    const token = await sign(ed, {}, { ttlSeconds: 900 });
    await expect(verify(token, keys, { at: after(899) })).resolves.toBeDefined();
    await expect(verify(token, keys, { at: after(900) })).resolves.toBeDefined();
    await expect(verify(token, keys, { at: after(929) })).resolves.toBeDefined();
    const error = await refusal(verify(token, keys, { at: after(930) }));
    expect(error.code).toBe('APPROVAL_EXPIRED');
    expect(error.details).toEqual({ exp: START_SEC + 900 });
    expect((await refusal(verify(token, keys, { at: after(86_400) }))).code).toBe(
      'APPROVAL_EXPIRED',
    );
  });

  test('clockToleranceSec changes the leeway', async () => {
    const token = await sign(ec, {}, { ttlSeconds: 60 });
    const strict = await refusal(verify(token, keys, { at: after(60), clockToleranceSec: 0 }));
    expect(strict.code).toBe('APPROVAL_EXPIRED');
    await expect(
      verify(token, keys, { at: after(60 + 299), clockToleranceSec: 300 }),
    ).resolves.toBeDefined();
  });

  test('the verifier reads the injected clock, not the wall clock', async () => {
    const clock = new ManualClock(START);
    const token = await sign(ed, {}, { ttlSeconds: 120 });
    const options = { keys, audience: AUDIENCE, clock };
    await expect(verifyApprovalToken(token, options)).resolves.toBeDefined();
    clock.advance(151_000);
    expect((await refusal(verifyApprovalToken(token, options))).code).toBe('APPROVAL_EXPIRED');
  });
});

describe('nbf', () => {
  test('refused before nbf - tolerance, accepted within the leeway', async () => {
    const later = await sign(ed, { nbf: START_SEC + 120, exp: START_SEC + 900 });
    const error = await refusal(verify(later, keys));
    expect(error.code).toBe('APPROVAL_NOT_YET_VALID');
    expect(error.details).toEqual({ nbf: START_SEC + 120 });
    await expect(verify(later, keys, { at: after(90) })).resolves.toBeDefined();

    const soon = await sign(ed, { nbf: START_SEC + 20, exp: START_SEC + 900 });
    await expect(verify(soon, keys)).resolves.toBeDefined();
    const strict = await refusal(verify(soon, keys, { clockToleranceSec: 0 }));
    expect(strict.code).toBe('APPROVAL_NOT_YET_VALID');
  });
});

describe('aud', () => {
  test('an approval for another gateway is refused', async () => {
    const token = await sign(ed, { aud: 'gateway-prod' });
    const refused = await refusal(verify(token, keys));
    expect(refused.code).toBe('APPROVAL_WRONG_AUDIENCE');
    // It names the audience expected (this gateway's id), so the approver knows what to sign for.
    expect(refused.message).toContain(`aud must be ${JSON.stringify(AUDIENCE)}`);
    expect(refused.message).not.toContain('gateway-prod');
    const verified = await verify(token, keys, { audience: 'gateway-prod' });
    expect(verified.claims.aud).toBe('gateway-prod');
  });

  test('expiry is checked with the signature first: a forged expired token is a bad signature', async () => {
    const token = await sign(ed);
    const [head, body] = token.split('.');
    const forged = `${head}.${body}.${'A'.repeat(86)}`;
    const error = await refusal(verify(forged, keys, { at: after(10_000) }));
    expect(error.code).toBe('APPROVAL_INVALID_SIGNATURE');
  });

  test('bad options are CONFIG_INVALID', async () => {
    const token = await sign(ed);
    for (const options of [
      { clockToleranceSec: -1 },
      { maxTokenBytes: 0 },
      { maxTokenBytes: 1.5 },
    ]) {
      expect((await refusal(verify(token, keys, options))).code).toBe('CONFIG_INVALID');
    }
  });
});
