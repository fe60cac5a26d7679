import { describe, expect, test } from 'vitest';
import type { AutomationAdapter } from '../../src/index.js';
import { AdapterError } from '../../src/index.js';
import {
  CONFORMANCE_CHECKS,
  type ConformanceCheck,
  ConformanceFailure,
  type ConformanceSubject,
} from '../../src/testing/index.js';
import { webhookSubject } from './webhook-subject.js';

/** The webhook subject with its adapter altered by `change`. */
function tampered(change: (adapter: AutomationAdapter) => AutomationAdapter): ConformanceSubject {
  const honest = webhookSubject('v1');
  return { ...honest, makeAdapter: (fake, options) => change(honest.makeAdapter(fake, options)) };
}

function check(id: string): ConformanceCheck {
  const found = CONFORMANCE_CHECKS.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
}

async function failureOf(id: string, subject: ConformanceSubject): Promise<string> {
  const error = await check(id)
    .run(subject)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error, `check ${id} should fail`).toBeInstanceOf(ConformanceFailure);
  return (error as ConformanceFailure).message;
}

/** Claims platform_key but sends a fresh key on every call (as if it sent none the platform could dedupe on). */
const freshKeyEachCall = tampered((adapter) => {
  let calls = 0;
  return {
    ...adapter,
    execute: (action, ctx) => {
      calls += 1;
      return adapter.execute(action, { ...ctx, idempotencyKey: `fresh-${calls}` });
    },
  };
});

/** Rethrows every AdapterError as a raw Error. */
const rawErrors = tampered((adapter) => ({
  ...adapter,
  execute: (action, ctx) =>
    adapter.execute(action, ctx).catch((error: unknown) => {
      throw new Error(error instanceof Error ? error.message : 'failed');
    }),
}));

/** Claims it can reverse a webhook call, which the contract says no one can. */
const reversesWebhooks = tampered((adapter) => ({
  ...adapter,
  manifest: { ...adapter.manifest, reversibleActionTypes: ['call_webhook'] },
  reverse: async () => ({ status: 'succeeded' }),
}));

/** Has a reverse method but lists no reversible type. */
const silentReverse = tampered((adapter) => ({
  ...adapter,
  reverse: async () => ({ status: 'succeeded' }),
}));

describe('the conformance kit fails dishonest adapters', () => {
  test('a reversal the contract does not allow, or a reverse method the manifest hides, fails reverse', async () => {
    expect(await failureOf('reverse', reversesWebhooks)).toContain(
      'the contract says call_webhook is not reversible',
    );
    expect(await failureOf('reverse', silentReverse)).toContain(
      'reversibleActionTypes and the reverse method disagree',
    );
  });

  test('the honest webhook adapter passes every check', async () => {
    for (const c of CONFORMANCE_CHECKS) await c.run(webhookSubject('v1'));
  });

  test('platform_key claimed but no stable key sent: idempotency and in-doubt retries fail', async () => {
    expect(await failureOf('idempotency', freshKeyEachCall)).toMatch(/applied twice/);
    expect(await failureOf('timeout-after-apply', freshKeyEachCall)).toMatch(
      /applied the action again/,
    );
    expect(await failureOf('reset-after-apply', freshKeyEachCall)).toMatch(
      /applied the action again/,
    );
    await expect(check('execute-samples').run(freshKeyEachCall)).resolves.toBeUndefined();
  });

  test('raw Errors instead of AdapterError fail every error check', async () => {
    for (const id of ['unsupported-action', 'rate-limit', 'server-error', 'auth-failed', 'abort']) {
      expect(await failureOf(id, rawErrors)).toMatch(/threw Error .*not an AdapterError/);
    }
    expect(await failureOf('timeout-after-apply', rawErrors)).toMatch(/not an AdapterError/);
  });

  test('a raw TypeError from validate fails', async () => {
    const throwing = tampered((adapter) => ({
      ...adapter,
      validate: () => {
        throw new TypeError('cannot read properties of undefined');
      },
    }));
    expect(await failureOf('validate-samples', throwing)).toMatch(/validate threw TypeError/);
  });

  test('a manifest claiming types without samples, or status it lacks, fails', async () => {
    const overclaims = tampered((adapter) => ({
      ...adapter,
      manifest: { ...adapter.manifest, actionTypes: ['call_webhook', 'add_to_list'] },
    }));
    expect(await failureOf('manifest', overclaims)).toMatch(/add_to_list has no sample/);
    const noStatus = tampered((adapter) => ({
      ...adapter,
      manifest: { ...adapter.manifest, supportsStatus: true },
    }));
    expect(await failureOf('manifest', noStatus)).toMatch(/supportsStatus lies/);
    const badLimit = tampered((adapter) => ({
      ...adapter,
      manifest: {
        ...adapter.manifest,
        rateLimits: [{ requests: 0, perMs: 1000, scope: 'account', source: 'https://x.test' }],
      },
    }));
    expect(await failureOf('manifest', badLimit)).toMatch(/requests/);
  });

  test('claiming idempotency none while reporting a retryable TIMEOUT fails (must be IN_DOUBT)', async () => {
    const claimsNone = tampered((adapter) => ({
      ...adapter,
      manifest: { ...adapter.manifest, idempotency: 'none' },
    }));
    expect(await failureOf('timeout-after-apply', claimsNone)).toMatch(
      /code TIMEOUT, expected IN_DOUBT/,
    );
  });

  test('accepting the unsupported action fails', async () => {
    const acceptsAll = tampered((adapter) => ({ ...adapter, validate: () => ({ ok: true }) }));
    expect(await failureOf('unsupported-action', acceptsAll)).toMatch(/validate accepted/);
  });

  test('dropping Retry-After or mis-coding a 5xx fails', async () => {
    const remap = (map: (e: AdapterError) => AdapterError) =>
      tampered((adapter) => ({
        ...adapter,
        execute: (action, ctx) =>
          adapter.execute(action, ctx).catch((error: unknown) => {
            throw error instanceof AdapterError ? map(error) : error;
          }),
      }));
    const noRetryAfter = remap((e) => new AdapterError(e.code, e.message));
    expect(await failureOf('rate-limit', noRetryAfter)).toMatch(/without retryAfterMs/);
    const notRetryable = remap((e) => new AdapterError(e.code, e.message, { retryable: false }));
    expect(await failureOf('server-error', notRetryable)).toMatch(/retryable is false/);
  });
});
