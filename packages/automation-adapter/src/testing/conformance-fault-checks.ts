import type { Action } from '@handoff/protocol';
import type { AdapterErrorCode } from '../adapter-error.js';
import type { ConformanceCheck } from './conformance-checks.js';
import {
  ConformanceFailure,
  type ConformanceRun,
  conformanceKey,
  ensure,
  ensureCode,
  expectAdapterError,
  firstSample,
  withConformanceServer,
} from './conformance-harness.js';

/** Executes and returns the receipt; any error fails the check with `what`. */
async function executeOk(
  run: ConformanceRun,
  sample: Action,
  key: string,
  attempt: number,
  what: string,
) {
  try {
    return await run.adapter.execute(sample, run.context(key, { attempt }));
  } catch (error) {
    throw new ConformanceFailure(`${what} failed: ${String(error)}`);
  }
}

/** How many calls one clean execution of `sample` applies at the fake (1 for most actions); resets the fake. */
async function appliedPerExecution(run: ConformanceRun, sample: Action): Promise<number> {
  await executeOk(run, sample, 'handoff-conformance-baseline', 1, `execute(${sample.actionId})`);
  const count = run.fake.applied.length;
  run.fake.reset();
  ensure(count > 0, `execute(${sample.actionId}): the fake applied nothing`);
  return count;
}

/**
 * `platform_key`: executing a sample twice with the same key applies it once (the platform dedupes on the key the
 * adapter sends). `none`: nothing to check at the platform (the gateway's outbox dedupes), only that the manifest
 * says so.
 */
export const idempotencyCheck: ConformanceCheck = {
  id: 'idempotency',
  title: 'the same action executed twice with the same key is applied once (platform_key)',
  async run(subject) {
    await withConformanceServer(subject, async (run) => {
      if (run.adapter.manifest.idempotency === 'none') return;
      for (const [index, sample] of subject.sampleActions.entries()) {
        const what = `execute(${sample.actionId})`;
        await executeOk(run, sample, conformanceKey(index), 1, what);
        const once = run.fake.applied.length;
        await executeOk(run, sample, conformanceKey(index), 2, `${what} again with the same key`);
        ensure(
          run.fake.applied.length === once,
          `${what} twice with the same key was applied twice: the manifest claims platform_key, but the ` +
            'platform did not dedupe (is the idempotency key sent, and the same on every try?)',
        );
      }
    });
  },
};

function answerCheck(
  id: string,
  title: string,
  arrange: (run: ConformanceRun) => void,
  code: AdapterErrorCode,
  retryable: boolean,
  credentials: 'valid' | 'invalid' = 'valid',
  extra?: (error: { retryAfterMs: number | undefined }) => void,
): ConformanceCheck {
  return {
    id,
    title,
    async run(subject) {
      await withConformanceServer(subject, async (run) => {
        const sample = firstSample(subject);
        arrange(run);
        const what = `execute(${sample.actionId}) (${id})`;
        const adapter = credentials === 'valid' ? run.adapter : run.makeAdapter('invalid');
        const error = await expectAdapterError(
          adapter.execute(sample, run.context(conformanceKey(0))),
          what,
        );
        ensureCode(error, code, retryable, what);
        extra?.(error);
        ensure(run.fake.applied.length === 0, `${what}: the fake applied a refused request`);
      });
    },
  };
}

/** A 429 is `RATE_LIMITED`, retryable, with `retryAfterMs` from the platform's answer (7 s, within 1 s). */
export const rateLimitCheck = answerCheck(
  'rate-limit',
  'a throttled request is RATE_LIMITED, retryable, with retryAfterMs from the platform',
  (run) => run.fake.inject({ kind: 'rate_limit', retryAfterSeconds: 7 }),
  'RATE_LIMITED',
  true,
  'valid',
  (error) => {
    ensure(error.retryAfterMs !== undefined, 'RATE_LIMITED without retryAfterMs');
    ensure(
      Math.abs(error.retryAfterMs - 7000) <= 1000,
      `retryAfterMs is ${error.retryAfterMs}, the platform said 7 s`,
    );
  },
);

/** A 5xx is `PLATFORM_UNAVAILABLE`, retryable. */
export const serverErrorCheck = answerCheck(
  'server-error',
  'a platform 5xx is PLATFORM_UNAVAILABLE and retryable',
  (run) => run.fake.inject({ kind: 'server_error', status: 503 }),
  'PLATFORM_UNAVAILABLE',
  true,
);

/** Refused credentials are `AUTH_FAILED`, not retryable. */
export const authFailedCheck = answerCheck(
  'auth-failed',
  'invalid credentials are AUTH_FAILED and not retryable',
  () => undefined,
  'AUTH_FAILED',
  false,
  'invalid',
);

function inDoubtCheck(kind: 'timeout' | 'reset'): ConformanceCheck {
  return {
    id: `${kind}-after-apply`,
    title: `a ${kind} after the platform applied the request is retryable only with platform_key`,
    async run(subject) {
      await withConformanceServer(subject, async (run) => {
        const sample = firstSample(subject);
        const perExecution = await appliedPerExecution(run, sample);
        run.fake.inject({ kind, applied: true });
        const what = `execute(${sample.actionId}) meeting a ${kind} after apply`;
        const key = conformanceKey(0);
        const error = await expectAdapterError(run.adapter.execute(sample, run.context(key)), what);
        if (run.adapter.manifest.idempotency === 'none') {
          ensureCode(error, 'IN_DOUBT', false, what);
          return;
        }
        const codes: AdapterErrorCode[] =
          kind === 'timeout' ? ['TIMEOUT'] : ['PLATFORM_UNAVAILABLE', 'TIMEOUT'];
        ensureCode(error, codes, true, what);
        ensure(run.fake.applied.length > 0, `the fake did not apply the call before the ${kind}`);
        await executeOk(run, sample, key, 2, `the retry after the ${kind}`);
        ensure(
          run.fake.applied.length === perExecution,
          `the retry after the ${kind} applied the action again (${run.fake.applied.length} calls applied, ` +
            `one execution applies ${perExecution}): platform_key is not honoured`,
        );
      });
    },
  };
}

/** Timeout after apply: `platform_key` -> `TIMEOUT` retryable and a same-key retry applies nothing more; `none` -> `IN_DOUBT`. */
export const timeoutCheck = inDoubtCheck('timeout');

/** Reset after apply: `platform_key` -> retryable and a same-key retry applies nothing more; `none` -> `IN_DOUBT`. */
export const resetCheck = inDoubtCheck('reset');
