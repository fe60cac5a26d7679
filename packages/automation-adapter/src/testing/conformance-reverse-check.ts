import { ACTION_REVERSIBILITY } from '@handoff/protocol';
import { isAdapterError } from '../adapter-error.js';
import type { ConformanceCheck } from './conformance-checks.js';
import {
  ConformanceFailure,
  conformanceKey,
  ensure,
  ensureCode,
  expectAdapterError,
  withConformanceServer,
} from './conformance-harness.js';
import { preflightOf } from './conformance-preflight-checks.js';

/** The key a check's compensation runs under (distinct from every sample's own key). */
const COMPENSATION_OFFSET = 1_000;

/**
 * Reversal is honest: `manifest.reversibleActionTypes` has no duplicates, lists only claimed types that the
 * contract says are reversible (`ACTION_REVERSIBILITY` of `@handoff/protocol`), and `reverse` exists exactly when
 * it lists any. For every sample of a reversible type: `execute` captures in `receipt.reversal` each fact the
 * contract's `captures` names, then `reverse` with that reversal (and its own key) succeeds and the fake applies it.
 * For a sample of any other type, `reverse` (when present) throws `UNSUPPORTED_ACTION` and sends nothing.
 */
export const reverseCheck: ConformanceCheck = {
  id: 'reverse',
  title: 'reverse undoes exactly the action types the manifest says it can',
  async run(subject) {
    await withConformanceServer(subject, async (run) => {
      const { adapter, fake, context } = run;
      const m = adapter.manifest;
      const reversible = m.reversibleActionTypes ?? [];
      ensure(
        new Set(reversible).size === reversible.length,
        'manifest.reversibleActionTypes has duplicates',
      );
      for (const type of reversible) {
        ensure(m.actionTypes.includes(type), `reversible type ${type} is not claimed`);
        ensure(
          ACTION_REVERSIBILITY[type].reversible,
          `the contract says ${type} is not reversible, the manifest lists it`,
        );
      }
      ensure(
        reversible.length > 0 === (typeof adapter.reverse === 'function'),
        'reversibleActionTypes and the reverse method disagree',
      );
      const reverse = adapter.reverse?.bind(adapter);
      if (!reverse) return;
      for (const [index, sample] of subject.sampleActions.entries()) {
        const what = `reverse(${sample.actionId})`;
        const ctx = context(conformanceKey(COMPENSATION_OFFSET + index));
        if (!reversible.includes(sample.type)) {
          const sent = fake.received.length;
          const error = await expectAdapterError(reverse(sample, {}, ctx), what);
          ensureCode(error, 'UNSUPPORTED_ACTION', false, what);
          ensure(fake.received.length === sent, `${what} sent a request`);
          continue;
        }
        const beforeExecute = fake.applied.length;
        const receipt = await adapter.execute(sample, context(conformanceKey(index)));
        // An execution that found the platform already there (e.g. a pause of a paused campaign) has nothing to undo.
        const executed = fake.applied.length > beforeExecute;
        const reversal = receipt.reversal ?? {};
        for (const fact of ACTION_REVERSIBILITY[sample.type].captures) {
          ensure(Object.hasOwn(reversal, fact), `execute(${sample.actionId}) captured no ${fact}`);
        }
        const before = fake.applied.length;
        try {
          const undone = await reverse(sample, reversal, ctx);
          ensure(
            undone.status === 'succeeded' || undone.status === 'accepted',
            `${what} returned status ${String(undone.status)}`,
          );
        } catch (error) {
          const reason = isAdapterError(error) ? `${error.code} ${error.message}` : String(error);
          throw new ConformanceFailure(`${what} failed: ${reason}`);
        }
        ensure(!executed || fake.applied.length > before, `${what}: the fake applied nothing`);
        if (m.supportsPreflight) {
          // Undone means the platform is back where the plan found it: the same move would pass preflight again.
          const again = await preflightOf(run, sample, conformanceKey(index));
          ensure(again.ok, `after ${what} its preflight fails: ${JSON.stringify(again)}`);
        }
        fake.reset();
      }
    });
  },
};
