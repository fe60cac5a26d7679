import { describe, expect, test } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { GatewayError } from '../../src/errors.js';
import { inSpan, tracingEnabled } from '../../src/observability/tracing.js';
import { startTracing } from '../../src/observability/tracing-setup.js';
import { fixturePolicy } from '../support/harness.js';

/** `observability.tracing` goes through the config schema; tracing is off unless `enabled`. */

function configWith(observability: unknown) {
  return {
    gatewayId: 'gw-tracing',
    database: { path: ':memory:' },
    approvals: { keys: [{ type: 'inline', jwks: { keys: [] } }] },
    auth: { apiKeys: [] },
    policy: { inline: fixturePolicy() },
    observability,
  };
}

function refusal(observability: unknown): GatewayError {
  try {
    validateConfig(configWith(observability), '.');
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('observability.tracing config', () => {
  test('an unknown exporter, a bad endpoint or a missing enabled flag is CONFIG_INVALID at its path', () => {
    const exporter = refusal({ tracing: { enabled: true, exporter: 'zipkin' } });
    expect(exporter.code).toBe('CONFIG_INVALID');
    expect(exporter.issues.map((i) => i.path)).toEqual(['/observability/tracing/exporter']);
    const endpoint = refusal({ tracing: { enabled: true, endpoint: 'not a url' } });
    expect(endpoint.issues.map((i) => i.path)).toEqual(['/observability/tracing/endpoint']);
    const flag = refusal({ tracing: { exporter: 'console' } });
    expect(flag.issues.map((i) => i.path)).toEqual(['/observability/tracing/enabled']);
  });

  test('a valid section is accepted; tracing starts only when enabled, and stops at shutdown', async () => {
    const loaded = validateConfig(
      configWith({
        tracing: { enabled: false, exporter: 'otlp', endpoint: 'http://127.0.0.1:4318/v1/traces' },
      }),
      '.',
    );
    const off = await startTracing(loaded.config.observability?.tracing);
    expect(tracingEnabled()).toBe(false);
    await off.shutdown();

    const on = await startTracing({ enabled: true, exporter: 'none' });
    expect(tracingEnabled()).toBe(true);
    const seen = await inSpan('probe', {}, async (span) => span?.isRecording());
    expect(seen).toBe(true);
    await on.shutdown();
    expect(tracingEnabled()).toBe(false);
    expect(await inSpan('probe', {}, async (span) => span)).toBeUndefined();
  });
});
