import type { HandoffPlan, WireOutput } from '@handoff/protocol';
import { HandoffClientError } from './client-error.js';

/**
 * The most plans the gateway takes in one `plans.submitBatch` request (its `MAX_BATCH_PLANS`): `submitPlans`
 * sends larger lists in consecutive requests of at most this many.
 */
export const MAX_PLANS_PER_REQUEST = 100;

/** One plan to submit, with its provenance signature (`signPlan`) when the gateway verifies them. */
export interface PlanSubmission {
  plan: HandoffPlan;
  signature?: string;
}

/**
 * The gateway's answer for one plan of `submitPlans`, at the plan's index:
 * - `{ ok: true, plan }`: what `submit` returns (the plan's status and `created`; `created: false` for a plan
 *   already submitted with the same content);
 * - `{ ok: false, status, error }`: the refusal `submit` would have thrown: `error` is the gateway's
 *   `ErrorEnvelope` (`code` as in `ERROR_CODES` of `@handoff/protocol`, e.g. `VALIDATION_FAILED`, `FORBIDDEN`,
 *   `PLAN_CONFLICT`, `UNAUTHENTICATED`; `issues` with JSON Pointer paths; `message`) and `status` its HTTP status.
 *   Only that plan was refused; nothing was recorded for it.
 */
export type PlanSubmissionResult = WireOutput<'plans.submitBatch'>[number];

/** Sends one request of at most {@link MAX_PLANS_PER_REQUEST} submissions. */
export type SendBatch = (items: PlanSubmission[]) => Promise<PlanSubmissionResult[]>;

/**
 * Submits `items` in consecutive requests of at most {@link MAX_PLANS_PER_REQUEST} (one at a time, in order) and
 * returns one result per item, in the items' order. No request for an empty list.
 *
 * @throws the first request's failure (as `send` rejects), or `INVALID_RESPONSE` when an answer does not hold
 *   one result per plan; the requests before it were answered and their plans recorded. Submitting the same
 *   list again is safe: plans already recorded answer `created: false`.
 */
export async function submitInRequests(
  items: readonly PlanSubmission[],
  send: SendBatch,
): Promise<PlanSubmissionResult[]> {
  const results: PlanSubmissionResult[] = [];
  for (let start = 0; start < items.length; start += MAX_PLANS_PER_REQUEST) {
    const chunk = items.slice(start, start + MAX_PLANS_PER_REQUEST);
    const answered = await send(chunk);
    if (answered.length !== chunk.length) {
      const message = `The gateway answered ${answered.length} results for ${chunk.length} plans`;
      throw new HandoffClientError('INVALID_RESPONSE', message);
    }
    results.push(...answered);
  }
  return results;
}
