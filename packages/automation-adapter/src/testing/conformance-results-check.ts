import type { ConformanceCheck } from './conformance-checks.js';
import {
  ConformanceFailure,
  conformanceKey,
  ensure,
  ensureCode,
  expectAdapterError,
  withConformanceServer,
} from './conformance-harness.js';

/**
 * Reading results back is honest: `manifest.resultsActionTypes` is present exactly when `readResults` is, and
 * lists only types the adapter executes. For every sample of such a type, after it executes, `readResults`
 * answers totals that are non-negative safe integers, a window of positive steps and a source `uri` (http(s),
 * without credentials) read at the adapter's clock; invalid credentials are `AUTH_FAILED` (not retryable); a
 * sample of another type is refused with `UNSUPPORTED_ACTION`. Reading applies nothing at the fake.
 */
export const resultsCheck: ConformanceCheck = {
  id: 'read-results',
  title: 'results read back are counts from the documented endpoint, and nothing is applied',
  async run(subject) {
    await withConformanceServer(subject, async ({ adapter, fake, context, makeAdapter }) => {
      const types = adapter.manifest.resultsActionTypes ?? [];
      const read = adapter.readResults?.bind(adapter);
      ensure(
        (read === undefined) === (types.length === 0),
        'resultsActionTypes lies about readResults',
      );
      if (read === undefined) return;
      for (const type of types)
        ensure(adapter.manifest.actionTypes.includes(type), `results type ${type} is not executed`);
      const readable = subject.sampleActions.filter((a) => types.includes(a.type));
      ensure(readable.length > 0, 'no sample of a type whose results can be read');
      for (const [index, sample] of subject.sampleActions.entries()) {
        const ctx = context(conformanceKey(index));
        const what = `readResults(${sample.actionId})`;
        if (!types.includes(sample.type)) {
          const error = await expectAdapterError(read(sample, ctx), what);
          ensureCode(error, 'UNSUPPORTED_ACTION', false, what);
          continue;
        }
        await adapter.execute(sample, ctx);
        const applied = fake.applied.length;
        const results = await read(sample, ctx).catch((error: unknown) => {
          throw new ConformanceFailure(`${what} failed: ${String(error)}`);
        });
        for (const [metric, value] of Object.entries(results.totals))
          ensure(Number.isSafeInteger(value) && value >= 0, `${what}: ${metric} is ${value}`);
        ensure(
          Number.isInteger(results.window.steps) && results.window.steps > 0,
          `${what}: window`,
        );
        ensure(/^https?:\/\/[^@\s]+$/.test(results.source.uri), `${what}: source.uri`);
        ensure(results.source.readAt === new Date(ctx.now()).toISOString(), `${what}: readAt`);
        ensure(fake.applied.length === applied, `${what}: reading applied something at the fake`);
        const refused = makeAdapter('invalid').readResults?.(sample, ctx);
        ensure(refused !== undefined, `${what}: the adapter with invalid credentials cannot read`);
        const error = await expectAdapterError(refused, `${what} with invalid credentials`);
        ensureCode(error, 'AUTH_FAILED', false, `${what} with invalid credentials`);
      }
    });
  },
};
