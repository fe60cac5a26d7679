import type { Action } from '@handoff/protocol';
import { describe, test } from 'vitest';
import type { AutomationAdapter } from '../adapter.js';
import {
  abortCheck,
  type ConformanceCheck,
  executeSamplesCheck,
  manifestCheck,
  unsupportedActionCheck,
  validateSamplesCheck,
} from './conformance-checks.js';
import {
  authFailedCheck,
  idempotencyCheck,
  rateLimitCheck,
  resetCheck,
  serverErrorCheck,
  timeoutCheck,
} from './conformance-fault-checks.js';
import { preflightCheck } from './conformance-preflight-checks.js';
import { resultsCheck } from './conformance-results-check.js';
import { reverseCheck } from './conformance-reverse-check.js';
import type { FakePlatform } from './fake-platform.js';

/**
 * What an adapter author hands the conformance kit. `makeFake` returns a FRESH fake each time (every check gets its
 * own); `makeAdapter` points an adapter at that fake (its `baseUrl`), with credentials the fake accepts (`valid`)
 * or refuses with its platform's 401/403 (`invalid`), and the per-request `timeoutMs` (MILLISECONDS) given. The
 * kit calls `fake.reset()` between a baseline run and a fault run, so `reset` must also forget dedupe state. Fakes
 * whose answers depend on time should use `CONFORMANCE_NOW_MS` as their clock.
 */
export interface ConformanceSubject {
  /** Shown in test titles, e.g. `hubspot`. */
  name: string;
  makeFake(): FakePlatform;
  makeAdapter(
    fake: FakePlatform,
    options: { credentials: 'valid' | 'invalid'; timeoutMs: number },
  ): AutomationAdapter;
  /** Valid actions, at least one per `manifest.actionTypes` entry, and of no other type. */
  sampleActions: Action[];
  /** An action of a type the adapter does not execute. */
  unsupportedAction: Action;
  /**
   * Required when the manifest claims `supportsPreflight`: a sample-like action the fake's state makes stale (e.g.
   * a budget move whose `currentBudget` is not what the fake holds). Its preflight must report a `CONFLICT` issue,
   * and executing it must throw `CONFLICT` with nothing applied.
   */
  staleAction?: Action;
}

/**
 * Every check, in the order they run: the manifest, validation, the unsupported action, execution, idempotency,
 * answer mapping (429, 5xx, 401), in-doubt transport failures (timeout, reset after apply), abort, preflight, results
 * read back, and reversal. Each check asserts that whatever the adapter throws is an `AdapterError`.
 */
export const CONFORMANCE_CHECKS: readonly ConformanceCheck[] = [
  manifestCheck,
  validateSamplesCheck,
  unsupportedActionCheck,
  executeSamplesCheck,
  idempotencyCheck,
  rateLimitCheck,
  serverErrorCheck,
  authFailedCheck,
  timeoutCheck,
  resetCheck,
  abortCheck,
  preflightCheck,
  resultsCheck,
  reverseCheck,
];

/**
 * Registers the conformance suite (one Vitest `describe`, one `test` per {@link CONFORMANCE_CHECKS} entry) for an
 * adapter. Each test serves a fresh fake with msw `setupServer` (`onUnhandledRequest: 'error'`, closed after),
 * and executes with `ctx.fetch` = `globalThis.fetch`, `ctx.now` = the fixed `CONFORMANCE_NOW_MS`, a fresh
 * AbortController and a deterministic idempotency key per sample (`conformanceKey`). It checks:
 * - the manifest is honest (ids, docs, rate limits, action types vs samples, status/cancel support);
 * - `validate` accepts every sample; the unsupported action is refused (`UNSUPPORTED_ACTION`) and nothing is sent;
 * - every sample executes (`succeeded` or `accepted`) and the fake applies it;
 * - `platform_key` adapters: the same action twice with the same key is applied once;
 * - a 429 is `RATE_LIMITED` (retryable, `retryAfterMs` from the platform), a 5xx `PLATFORM_UNAVAILABLE`
 *   (retryable), invalid credentials `AUTH_FAILED` (not retryable), and none of them is applied;
 * - a timeout or reset after the platform applied the request: `platform_key` -> `TIMEOUT` (reset:
 *   `PLATFORM_UNAVAILABLE` or `TIMEOUT`), retryable, and a retry with the same key succeeds without applying it
 *   again; `none` -> `IN_DOUBT`, not retryable;
 * - an already-aborted signal -> `ABORTED`, nothing sent;
 * - `readResults`, where implemented: counts from the platform for the types the manifest lists, nothing applied,
 *   invalid credentials `AUTH_FAILED`, other types `UNSUPPORTED_ACTION`;
 * - `supportsPreflight`: every sample's preflight passes and applies nothing; the `staleAction` is refused by
 *   preflight (a `CONFLICT` issue) and by execute (`CONFLICT`, not retryable), with nothing applied;
 * - reversal: `reversibleActionTypes` only lists claimed types the contract calls reversible, `reverse` exists
 *   exactly then, each reversible sample captures what the contract says at `execute`, `reverse` applies what the
 *   execution changed, and (with preflight) the sample's preflight passes again afterwards;
 * - everything thrown is an `AdapterError` (never a raw `TypeError` or `DOMException`).
 * Timeout checks use adapters built with a 150 ms timeout (`CONFORMANCE_TIMEOUT_MS`); the fake must hold a
 * `timeout` fault's request open until the request's signal aborts.
 */
export function runAdapterConformance(subject: ConformanceSubject): void {
  describe(`${subject.name} adapter conformance`, () => {
    for (const check of CONFORMANCE_CHECKS) {
      test(`${check.id}: ${check.title}`, { timeout: 10_000 }, () => check.run(subject));
    }
  });
}

export type { ConformanceCheck } from './conformance-checks.js';
export {
  CONFORMANCE_NOW_MS,
  CONFORMANCE_TIMEOUT_MS,
  ConformanceFailure,
  type ConformanceRun,
  conformanceKey,
} from './conformance-harness.js';
