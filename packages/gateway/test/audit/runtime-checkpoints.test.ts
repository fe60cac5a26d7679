import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { startSequencing } from '../../src/audit/sequencer.js';
import { generateApiKey, hashApiKey } from '../../src/auth/api-keys.js';
import { ManualClock } from '../../src/clock.js';
import { validateConfig } from '../../src/config/load-config.js';
import { createGatewayRuntime, type GatewayRuntime } from '../../src/runtime.js';
import { expectGatewayError } from '../pipeline/helpers.js';
import { defaultCaps, fixturePolicy } from '../support/harness.js';

let runtime: GatewayRuntime | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await runtime?.close();
  runtime = undefined;
});

/** A minimal valid config in a fresh folder, with a `checkpoints` section naming `keyFile`. */
async function configWith(keyFile: string | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-cp-runtime-'));
  const approver = await generateSigningKeyPair({ alg: 'EdDSA' });
  const config = {
    gatewayId: 'gw-cp',
    database: { path: 'gateway.db' },
    approvals: { keys: [{ type: 'inline', jwks: { keys: [approver.publicJwk] } }] },
    auth: {
      apiKeys: [
        {
          id: 'auditor-1',
          tenantId: 'acme-bank',
          roles: ['auditor'],
          keyHash: hashApiKey(generateApiKey()),
        },
      ],
    },
    policy: { inline: fixturePolicy() },
    // Seeded caps are recorded (control.caps_set): the lineage has an event to sign over.
    caps: defaultCaps(),
    ...(keyFile ? { checkpoints: { keyFile, intervalMs: 60_000 } } : {}),
  };
  return { dir, loaded: () => validateConfig(config, dir) };
}

describe('checkpoints in a running gateway', () => {
  it('builds a sequencer from the config key file (relative to the config) and signs with it', async () => {
    const { dir, loaded } = await configWith('keys/checkpoint.jwk.json');
    const key = await generateSigningKeyPair({ alg: 'EdDSA', kid: 'cp-config' });
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'keys/checkpoint.jwk.json'), JSON.stringify(key.privateJwk), {
      mode: 0o600,
    });
    runtime = await createGatewayRuntime(loaded(), {
      clock: new ManualClock('2026-11-30T06:00:00Z'),
    });
    const record = await runtime.sequencer?.sequence();
    expect(record).toMatchObject({
      kid: 'cp-config',
      signedAt: Date.parse('2026-11-30T06:00:00Z'),
    });
  });

  it('has no sequencer without the section, and refuses an unreadable key file (CONFIG_INVALID)', async () => {
    runtime = await createGatewayRuntime((await configWith(undefined)).loaded());
    expect(runtime.sequencer).toBeUndefined();
    await runtime.close();
    runtime = undefined;
    await expectGatewayError(
      createGatewayRuntime((await configWith('missing.jwk')).loaded()),
      'CONFIG_INVALID',
    );
  });

  it('runs a batch every interval until stopped, and reports a failure without stopping', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    let calls = 0;
    const sequencer = {
      lastBatchSize: 0,
      sequence: async () => {
        calls += 1;
        if (calls === 2) throw new Error('busy');
        return undefined;
      },
    };
    const timer = startSequencing(sequencer, { intervalMs: 250, maxBatch: 1000 }, (error) =>
      errors.push(error),
    );
    await vi.advanceTimersByTimeAsync(249);
    expect(calls).toBe(0);
    await vi.advanceTimersByTimeAsync(501);
    expect(calls).toBe(3);
    expect(errors).toHaveLength(1);
    await timer.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(3);
  });

  it('starts a batch early once maxBatch events were appended, and goes on at once while batches are full', async () => {
    vi.useFakeTimers();
    const sizes = [1000, 1000, 400];
    let calls = 0;
    const sequencer = {
      lastBatchSize: 0,
      sequence: async () => {
        sequencer.lastBatchSize = sizes[calls] ?? 0;
        calls += 1;
        return undefined;
      },
    };
    const timer = startSequencing(sequencer, { intervalMs: 60_000, maxBatch: 1000 }, () => {});
    timer.notify(600);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(0);
    timer.notify(400);
    // No tick has come: the 1,000th event started a batch, and full batches are followed by the next.
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toBe(3);
    await timer.stop();
  });
});
