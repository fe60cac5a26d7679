import { isAdapterError } from '../adapter-error.js';
import type { ConformanceSubject } from './conformance.js';
import {
  ConformanceFailure,
  conformanceKey,
  ensure,
  ensureCode,
  expectAdapterError,
  safeValidate,
  withConformanceServer,
} from './conformance-harness.js';

/** One conformance check: `run` resolves when the subject conforms and throws `ConformanceFailure` otherwise. */
export interface ConformanceCheck {
  /** Stable id, e.g. `manifest`, `idempotency`. */
  id: string;
  /** What it asserts, as a test title. */
  title: string;
  run(subject: ConformanceSubject): Promise<void>;
}

/**
 * The manifest is honest: non-empty `id`, `platform` and `docs` (http(s) URLs); each rate limit has positive
 * integer `requests` and `perMs`, a `source`, and an `endpoint` when scoped to one; `actionTypes` has no duplicates,
 * covers every sample's type, and every claimed type has a sample; the unsupported action's type is not claimed;
 * `supportsStatus` / `supportsCancel` / `supportsPreflight` match the methods present; `reversibleActionTypes` are
 * claimed action types and `reverse` exists when any is listed.
 */
export const manifestCheck: ConformanceCheck = {
  id: 'manifest',
  title: 'the manifest is honest',
  async run(subject) {
    await withConformanceServer(subject, async ({ adapter }) => {
      const m = adapter.manifest;
      ensure(m.id.trim().length > 0, 'manifest.id is empty');
      ensure(m.platform.trim().length > 0, 'manifest.platform is empty');
      ensure(m.docs.length > 0, 'manifest.docs is empty');
      for (const doc of m.docs)
        ensure(/^https?:\/\/\S+$/.test(doc), `manifest.docs: "${doc}" is not a URL`);
      ensure(m.idempotency === 'platform_key' || m.idempotency === 'none', 'manifest.idempotency');
      for (const limit of m.rateLimits) {
        const label = `rate limit ${JSON.stringify(limit)}`;
        ensure(Number.isInteger(limit.requests) && limit.requests > 0, `${label}: requests`);
        ensure(Number.isInteger(limit.perMs) && limit.perMs > 0, `${label}: perMs`);
        ensure(limit.source.trim().length > 0, `${label}: source is empty`);
        ensure(limit.scope !== 'endpoint' || limit.endpoint, `${label}: endpoint scope names none`);
      }
      const claimed = new Set(m.actionTypes);
      ensure(claimed.size === m.actionTypes.length, 'manifest.actionTypes has duplicates');
      const sampled = new Set(subject.sampleActions.map((a) => a.type));
      for (const type of sampled) ensure(claimed.has(type), `sample type ${type} is not claimed`);
      for (const type of claimed) ensure(sampled.has(type), `claimed type ${type} has no sample`);
      ensure(
        !claimed.has(subject.unsupportedAction.type),
        `unsupportedAction's type ${subject.unsupportedAction.type} is claimed by the manifest`,
      );
      ensure(m.supportsStatus === (typeof adapter.status === 'function'), 'supportsStatus lies');
      ensure(m.supportsCancel === (typeof adapter.cancel === 'function'), 'supportsCancel lies');
      ensure(
        (m.supportsPreflight ?? false) === (typeof adapter.preflight === 'function'),
        'supportsPreflight lies',
      );
      const reversible = m.reversibleActionTypes ?? [];
      for (const type of reversible)
        ensure(claimed.has(type), `reversible type ${type} is not among actionTypes`);
      ensure(
        reversible.length === 0 || typeof adapter.reverse === 'function',
        'reversibleActionTypes are claimed but reverse is missing',
      );
    });
  },
};

/** `validate` accepts every sample (`{ ok: true }`), without throwing. */
export const validateSamplesCheck: ConformanceCheck = {
  id: 'validate-samples',
  title: 'validate accepts every sample action',
  async run(subject) {
    await withConformanceServer(subject, async ({ adapter, fake }) => {
      for (const sample of subject.sampleActions) {
        const result = safeValidate(adapter, sample, `validate(${sample.actionId})`);
        const issues = isAdapterError(result) ? result.message : JSON.stringify(result);
        ensure(
          !isAdapterError(result) && result.ok,
          `validate(${sample.actionId}) refused: ${issues}`,
        );
      }
      ensure(fake.received.length === 0, 'validate sent requests to the platform');
    });
  },
};

/**
 * The unsupported action is refused everywhere: `validate` returns `{ ok: false }` with an `UNSUPPORTED_ACTION`
 * issue or throws AdapterError `UNSUPPORTED_ACTION`; `execute` throws AdapterError `UNSUPPORTED_ACTION` (not
 * retryable) and sends nothing.
 */
export const unsupportedActionCheck: ConformanceCheck = {
  id: 'unsupported-action',
  title: 'an unsupported action is refused before anything is sent',
  async run(subject) {
    await withConformanceServer(subject, async ({ adapter, fake, context }) => {
      const action = subject.unsupportedAction;
      const result = safeValidate(adapter, action, 'validate(unsupportedAction)');
      if (isAdapterError(result)) ensureCode(result, 'UNSUPPORTED_ACTION', false, 'validate');
      else {
        ensure(!result.ok, 'validate accepted the unsupported action');
        ensure(
          result.issues.some((issue) => issue.code === 'UNSUPPORTED_ACTION'),
          `validate gave no UNSUPPORTED_ACTION issue: ${JSON.stringify(result.issues)}`,
        );
      }
      const what = 'execute(unsupportedAction)';
      const error = await expectAdapterError(
        adapter.execute(action, context(conformanceKey(0))),
        what,
      );
      ensureCode(error, 'UNSUPPORTED_ACTION', false, what);
      ensure(fake.received.length === 0, `${what} sent ${fake.received.length} request(s)`);
    });
  },
};

/** Every sample executes: a receipt with status `succeeded` or `accepted`, and the fake applied something. */
export const executeSamplesCheck: ConformanceCheck = {
  id: 'execute-samples',
  title: 'every sample action executes and the platform applies it',
  async run(subject) {
    await withConformanceServer(subject, async ({ adapter, fake, context }) => {
      for (const [index, sample] of subject.sampleActions.entries()) {
        const before = fake.applied.length;
        let receipt: unknown;
        try {
          receipt = await adapter.execute(sample, context(conformanceKey(index)));
        } catch (error) {
          const reason = isAdapterError(error) ? `${error.code} ${error.message}` : String(error);
          throw new ConformanceFailure(`execute(${sample.actionId}) failed: ${reason}`);
        }
        const status = (receipt as { status?: unknown } | undefined)?.status;
        ensure(
          status === 'succeeded' || status === 'accepted',
          `execute(${sample.actionId}) returned status ${String(status)}`,
        );
        ensure(
          fake.applied.length > before,
          `execute(${sample.actionId}): the fake applied nothing`,
        );
      }
    });
  },
};

/** An already-aborted signal: AdapterError `ABORTED` and nothing sent. */
export const abortCheck: ConformanceCheck = {
  id: 'abort',
  title: 'an aborted signal stops execution before anything is sent',
  async run(subject) {
    await withConformanceServer(subject, async ({ adapter, fake, context, subject: s }) => {
      const controller = new AbortController();
      controller.abort();
      for (const [index, sample] of s.sampleActions.entries()) {
        const what = `execute(${sample.actionId}) with an aborted signal`;
        const ctx = context(conformanceKey(index), { signal: controller.signal });
        const error = await expectAdapterError(adapter.execute(sample, ctx), what);
        ensureCode(error, 'ABORTED', false, what);
      }
      ensure(
        fake.received.length === 0,
        `an aborted execute sent ${fake.received.length} request(s)`,
      );
    });
  },
};
