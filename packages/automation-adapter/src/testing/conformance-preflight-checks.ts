import type { Action } from '@handoff/protocol';
import type { PreflightResult } from '../adapter.js';
import { isAdapterError } from '../adapter-error.js';
import type { ConformanceCheck } from './conformance-checks.js';
import {
  ConformanceFailure,
  type ConformanceRun,
  conformanceKey,
  ensure,
  ensureCode,
  expectAdapterError,
  withConformanceServer,
} from './conformance-harness.js';

/** Runs the adapter's preflight on `action`, failing the check if it is missing or throws. */
export async function preflightOf(
  run: ConformanceRun,
  action: Action,
  key: string,
): Promise<PreflightResult> {
  const preflight = run.adapter.preflight;
  ensure(preflight, 'supportsPreflight is claimed but preflight is missing');
  try {
    return await preflight.call(run.adapter, action, run.context(key));
  } catch (error) {
    const reason = isAdapterError(error) ? `${error.code} ${error.message}` : String(error);
    throw new ConformanceFailure(`preflight(${action.actionId}) threw: ${reason}`);
  }
}

/**
 * `supportsPreflight`: each sample's preflight resolves `ok` and applies nothing at the platform; the subject's
 * `staleAction` gets `{ ok: false }` with a `CONFLICT` issue (JSON Pointer path, message), applies nothing, and
 * executing it throws `CONFLICT`, not retryable, with nothing applied.
 */
export const preflightCheck: ConformanceCheck = {
  id: 'preflight',
  title: 'preflight reads and validates without changing anything, and refuses a stale action',
  async run(subject) {
    await withConformanceServer(subject, async (run) => {
      if (!run.adapter.manifest.supportsPreflight) return;
      for (const [index, sample] of subject.sampleActions.entries()) {
        const result = await preflightOf(run, sample, conformanceKey(index));
        ensure(
          result.ok,
          `preflight(${sample.actionId}) refused a valid sample: ${JSON.stringify(result)}`,
        );
      }
      ensure(run.fake.applied.length === 0, 'preflight changed the platform');
      const stale = subject.staleAction;
      ensure(stale, `${subject.name}: supportsPreflight needs a staleAction`);
      const result = await preflightOf(run, stale, conformanceKey(0));
      ensure(!result.ok, `preflight(${stale.actionId}) accepted the stale action`);
      ensure(
        !result.ok && result.issues.some((i) => i.code === 'CONFLICT' && i.path.startsWith('/')),
        `preflight(${stale.actionId}) gave no CONFLICT issue with a JSON Pointer: ${JSON.stringify(result)}`,
      );
      const what = `execute(${stale.actionId}) of the stale action`;
      const error = await expectAdapterError(
        run.adapter.execute(stale, run.context(conformanceKey(0))),
        what,
      );
      ensureCode(error, 'CONFLICT', false, what);
      ensure(run.fake.applied.length === 0, `${what} changed the platform`);
    });
  },
};
