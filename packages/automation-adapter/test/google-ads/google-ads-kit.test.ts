import { describe, expect, test } from 'vitest';
import type { AutomationAdapter } from '../../src/adapter.js';
import {
  CONFORMANCE_CHECKS,
  ConformanceFailure,
  type ConformanceSubject,
} from '../../src/testing/conformance.js';
import { googleSubject } from './google-ads-fixtures.js';

function tampered(change: (adapter: AutomationAdapter) => AutomationAdapter): ConformanceSubject {
  return {
    ...googleSubject,
    makeAdapter: (fake, options) => change(googleSubject.makeAdapter(fake, options)),
  };
}

async function failureOf(id: string, subject: ConformanceSubject): Promise<string> {
  const check = CONFORMANCE_CHECKS.find((c) => c.id === id);
  const error = await check?.run(subject).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `check ${id} should fail`).toBeInstanceOf(ConformanceFailure);
  return (error as ConformanceFailure).message;
}

describe('the conformance kit checks preflight and reverse', () => {
  test('a preflight that never compares the current budget fails', async () => {
    const blind = tampered((adapter) => ({
      ...adapter,
      preflight: async () => ({ ok: true, observed: {} }),
    }));
    expect(await failureOf('preflight', blind)).toMatch(/accepted the stale action/);
  });

  test('claiming preflight without implementing it, or reversibility without reverse, fails the manifest', async () => {
    const noPreflight = tampered(({ preflight: _, ...adapter }) => adapter);
    expect(await failureOf('manifest', noPreflight)).toMatch(/supportsPreflight lies/);
    const noReverse = tampered(({ reverse: _, ...adapter }) => adapter);
    expect(await failureOf('manifest', noReverse)).toMatch(/reverse is missing/);
  });

  test('a receipt without its reversal, or a reverse that changes nothing, fails', async () => {
    const forgetful = tampered((adapter) => ({
      ...adapter,
      execute: async (action, ctx) => ({
        ...(await adapter.execute(action, ctx)),
        reversal: undefined,
      }),
    }));
    expect(await failureOf('reverse', forgetful)).toMatch(/captured no previous(Budget|Status)/);
    const idle = tampered((adapter) => ({
      ...adapter,
      reverse: async () => ({ status: 'succeeded' }),
    }));
    expect(await failureOf('reverse', idle)).toMatch(/applied nothing/);
  });
});
