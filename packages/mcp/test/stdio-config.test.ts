import { generateProvenanceKeyPair, planDigest } from '@handoff/copilot-adapter';
import type { HandoffPlan } from '@handoff/protocol';
import { importJWK, jwtVerify } from 'jose';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { fixturePlan } from '../../gateway/test/support/harness.js';
import { main } from '../src/cli.js';
import { COPILOT_KEY_ENV, COPILOT_KEY_FILE_ENV, signerFromEnv } from '../src/plan-signer.js';
import { runStdioServer, StdioConfigError } from '../src/stdio.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('handoff-mcp command line', () => {
  test('an API key flag does not exist (keys come from the environment): usage error 2', async () => {
    vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    expect(await main(['--gateway', 'http://127.0.0.1:1', '--api-key', 'hk_x'])).toBe(2);
  });

  test('no gateway URL: usage error 2', async () => {
    vi.stubEnv('HANDOFF_GATEWAY_URL', '');
    const err = vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    expect(await main([])).toBe(2);
    expect(String(err.mock.calls[0]?.[0])).toContain('--gateway is required');
  });

  test('no HANDOFF_API_KEY: exit 1 naming the variable, before anything is served', async () => {
    vi.stubEnv('HANDOFF_API_KEY', '');
    const err = vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    expect(await main(['--gateway', 'http://127.0.0.1:1'])).toBe(1);
    expect(String(err.mock.calls[0]?.[0])).toContain('HANDOFF_API_KEY');
  });

  test('a gateway URL that is not http(s) is refused', async () => {
    await expect(
      runStdioServer({ gatewayUrl: 'ftp://gateway', env: { HANDOFF_API_KEY: 'hk_x' } }),
    ).rejects.toBeInstanceOf(StdioConfigError);
  });
});

describe('the copilot signing key from the environment', () => {
  test('absent: no signer (plans go unsigned)', async () => {
    expect(await signerFromEnv({})).toBeUndefined();
  });

  test('from a file: the signature verifies with the public key and binds the plan digest', async () => {
    const pair = await generateProvenanceKeyPair();
    const signer = await signerFromEnv(
      { [COPILOT_KEY_FILE_ENV]: '/keys/copilot.jwk' },
      async (path) => {
        expect(path).toBe('/keys/copilot.jwk');
        return JSON.stringify(pair.privateJwk);
      },
    );
    const plan: HandoffPlan = fixturePlan();
    const jws = await signer?.(plan);
    const { payload, protectedHeader } = await jwtVerify(
      jws ?? '',
      await importJWK(pair.publicJwk, pair.alg),
    );
    expect(protectedHeader).toMatchObject({ kid: pair.kid, typ: 'handoff-plan+jwt' });
    expect(payload.planDigest).toBe(planDigest(plan));
  });

  test.each([
    ['both variables set', { [COPILOT_KEY_FILE_ENV]: '/k', [COPILOT_KEY_ENV]: '{}' }, /not both/],
    ['text that is not JSON', { [COPILOT_KEY_ENV]: 'not json' }, /not JSON/],
    [
      'a public key (no "d")',
      { [COPILOT_KEY_ENV]: '{"kty":"OKP","crv":"Ed25519","x":"AA"}' },
      /no "d"/,
    ],
  ])('%s is INVALID_KEY, with no key material in the message', async (_name, env, message) => {
    const refusal = signerFromEnv(env, async () => '{}');
    await expect(refusal).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(refusal).rejects.toThrow(message);
  });

  test('an unreadable file is INVALID_KEY naming the file', async () => {
    const refusal = signerFromEnv({ [COPILOT_KEY_FILE_ENV]: '/missing.jwk' }, async () => {
      throw new Error('ENOENT');
    });
    await expect(refusal).rejects.toThrow(/\/missing\.jwk could not be read/);
  });
});
