import type { Action } from '@handoff/protocol';
import { setupServer } from 'msw/node';
import type { AdapterValidation, AutomationAdapter, ExecuteContext } from '../adapter.js';
import { type AdapterError, type AdapterErrorCode, isAdapterError } from '../adapter-error.js';
import type { ConformanceSubject } from './conformance.js';
import type { FakePlatform } from './fake-platform.js';

/**
 * The conformance kit's fixed clock, epoch MILLISECONDS (2026-01-15T12:00:00Z): `ctx.now()` returns it in every
 * check. Fakes whose answers depend on time (signature tolerance, rate-limit reset instants) should use it too.
 */
export const CONFORMANCE_NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);

/** The per-request timeout, in MILLISECONDS, of the adapters the kit builds (short: timeout checks wait it out). */
export const CONFORMANCE_TIMEOUT_MS = 150;

/** A failed conformance check: the adapter (or its fake) does not do what it declares. */
export class ConformanceFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceFailure';
  }
}

/** Throws a {@link ConformanceFailure} with `message` unless `condition` holds. */
export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceFailure(message);
}

/**
 * The deterministic idempotency key of sample `index` (`handoff-conformance-<index>`): the same on every try, as
 * the gateway's keys are; free of `.` and spaces so any platform accepts it as is.
 */
export function conformanceKey(index: number): string {
  return `handoff-conformance-${index}`;
}

/** One check's world: a fresh fake served in process by msw, and adapters pointed at it. */
export interface ConformanceRun {
  readonly subject: ConformanceSubject;
  readonly fake: FakePlatform;
  /** An adapter with valid credentials and {@link CONFORMANCE_TIMEOUT_MS}. */
  readonly adapter: AutomationAdapter;
  makeAdapter(credentials: 'valid' | 'invalid'): AutomationAdapter;
  /** An execute context: the key, a fresh AbortController's signal, the fixed clock, attempt 1. */
  context(idempotencyKey: string, overrides?: Partial<ExecuteContext>): ExecuteContext;
}

/**
 * Runs `fn` with the subject's fake served by msw `setupServer` (`onUnhandledRequest: 'error'`, so a request the
 * fake does not model fails), closing the server afterwards. `ctx.fetch` calls `globalThis.fetch` at request time,
 * i.e. msw's interception.
 */
export async function withConformanceServer<T>(
  subject: ConformanceSubject,
  fn: (run: ConformanceRun) => Promise<T>,
): Promise<T> {
  const fake = subject.makeFake();
  const server = setupServer(...fake.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  try {
    const makeAdapter = (credentials: 'valid' | 'invalid') =>
      subject.makeAdapter(fake, { credentials, timeoutMs: CONFORMANCE_TIMEOUT_MS });
    const run: ConformanceRun = {
      subject,
      fake,
      adapter: makeAdapter('valid'),
      makeAdapter,
      context: (idempotencyKey, overrides = {}) => ({
        idempotencyKey,
        signal: new AbortController().signal,
        fetch: (input, init) => globalThis.fetch(input, init),
        now: () => CONFORMANCE_NOW_MS,
        queuedAt: CONFORMANCE_NOW_MS,
        attempt: 1,
        ...overrides,
      }),
    };
    return await fn(run);
  } finally {
    server.close();
  }
}

function describeThrown(value: unknown): string {
  if (value instanceof Error) return `${value.constructor.name} (${value.name}: ${value.message})`;
  return `a non-error value (${String(value)})`;
}

/** Awaits `promise` and returns the {@link AdapterError} it rejects with; anything else fails the check. */
export async function expectAdapterError(
  promise: Promise<unknown>,
  what: string,
): Promise<AdapterError> {
  let result: unknown;
  try {
    result = await promise;
  } catch (error) {
    ensure(isAdapterError(error), `${what}: threw ${describeThrown(error)}, not an AdapterError`);
    return error;
  }
  throw new ConformanceFailure(
    `${what}: resolved (${JSON.stringify(result)}) instead of throwing an AdapterError`,
  );
}

/** Checks an AdapterError's code and retryability. */
export function ensureCode(
  error: AdapterError,
  codes: AdapterErrorCode | readonly AdapterErrorCode[],
  retryable: boolean,
  what: string,
): void {
  const wanted: readonly AdapterErrorCode[] = typeof codes === 'string' ? [codes] : codes;
  ensure(
    wanted.includes(error.code),
    `${what}: code ${error.code}, expected ${wanted.join(' or ')} (${error.message})`,
  );
  ensure(
    error.retryable === retryable,
    `${what}: retryable is ${error.retryable}, expected ${retryable}`,
  );
}

/** Calls `validate`, failing the check if it throws anything but an AdapterError (which it returns). */
export function safeValidate(
  adapter: AutomationAdapter,
  action: Action,
  what: string,
): AdapterValidation | AdapterError {
  try {
    return adapter.validate(action);
  } catch (error) {
    ensure(isAdapterError(error), `${what}: validate threw ${describeThrown(error)}`);
    return error;
  }
}

/** The first sample (fault checks use it), or a failure when the subject has none. */
export function firstSample(subject: ConformanceSubject): Action {
  const sample = subject.sampleActions[0];
  ensure(sample, `${subject.name}: sampleActions is empty`);
  return sample;
}
