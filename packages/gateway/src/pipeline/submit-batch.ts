import { type ErrorEnvelope, SubmitInputSchema } from '@handoff/protocol';
import type { z } from 'zod';
import { OPERATION_ROLES } from '../access.js';
import { type Principal, requireRole } from '../auth/principal.js';
import {
  GatewayError,
  gatewayErrorEnvelope,
  inputValidationError,
  isGatewayError,
} from '../errors.js';
import type { PlanView } from './plan-view.js';

/**
 * The most plans one `plans.submitBatch` call may carry. A larger batch is refused whole with
 * `VALIDATION_FAILED` (issue `TOO_BIG` at `/plans`) before any plan is looked at.
 *
 * Sizing: the fixture plans weigh about 3 KB of JSON each and a provenance signature about 0.6 KB, so 100 plans
 * are about 0.4 MB of request body, within the HTTP server's default `listen.maxBodyBytes` of 1 MiB (1,048,576
 * bytes). Larger plans, or signatures near their 16 KB limit, can exceed it: such a request is refused with 413
 * `PAYLOAD_TOO_LARGE` before parsing, and the caller splits it or the operator raises `maxBodyBytes`.
 */
export const MAX_BATCH_PLANS = 100;

/**
 * The input of `plans.submit`, and of each item of `plans.submitBatch` (the wire API's `SubmitInputSchema` of
 * `@handoff/protocol`): a plan and, when the copilot signs its plans, its provenance signature.
 */
export { SubmitInputSchema };

/** One item of a batch (see {@link SubmitInputSchema}). */
export type BatchPlanItem = z.input<typeof SubmitInputSchema>;

/** What `plans.submit` answers: the plan view, and whether this call created the plan. */
export type SubmittedPlan = PlanView & { created: boolean };

/**
 * The outcome of one item, at the item's index:
 * - `{ ok: true, plan }`: accepted (or, for a plan id already submitted with the same digest, the existing plan
 *   with `created: false`): exactly what `plans.submit` would have answered;
 * - `{ ok: false, status, error }`: refused: `error` is the `ErrorEnvelope` that `plans.submit` would have
 *   answered in `error.data.handoff` (same `code`, `message`, `issues` with the JSON Pointer paths
 *   `plans.submit` gives (into the plan, or `/signature`), `supportedVersions` for `UNSUPPORTED_VERSION`) and
 *   `status` its HTTP status. The codes are those `plans.submit` throws: `VALIDATION_FAILED` (400),
 *   `UNSUPPORTED_VERSION` (400), `FORBIDDEN` (403, a plan of another tenant), `PLAN_CONFLICT` (409, the id was
 *   submitted with another digest), `UNAUTHENTICATED` (401, a provenance refusal, `PROVENANCE_*` issue codes)
 *   and `KEY_SOURCE_UNAVAILABLE` (503, transient: resubmit). Nothing is written for a refused item. (A plan
 *   over budget, denied by policy or in a paused scope is not refused: it is recorded, `rejected` or `paused`,
 *   and answered `ok: true` as `plans.submit` answers it.)
 */
export type BatchItemResult =
  | { ok: true; plan: SubmittedPlan }
  | { ok: false; status: number; error: ErrorEnvelope };

/** The one operation a batch repeats: `Gateway.submitPlan` (which checks the caller's tenant for each plan). */
export interface PlanSubmitter {
  submitPlan(principal: Principal, plan: unknown, signature?: string): Promise<SubmittedPlan>;
}

/**
 * @throws GatewayError `VALIDATION_FAILED` (issue `TOO_SMALL` or `TOO_BIG` at `/plans`) unless the batch holds
 *   1 to {@link MAX_BATCH_PLANS} items.
 */
function checkBatchSize(count: number): void {
  if (count >= 1 && count <= MAX_BATCH_PLANS) return;
  const message = `A batch holds 1 to ${MAX_BATCH_PLANS} plans; this one holds ${count}`;
  throw new GatewayError('VALIDATION_FAILED', message, {
    issues: [{ path: '/plans', code: count < 1 ? 'TOO_SMALL' : 'TOO_BIG', message }],
    details: { maxBatchPlans: MAX_BATCH_PLANS },
  });
}

/**
 * `plans.submitBatch`: submits every plan of a batch as `plans.submit` would, one result per item, in order.
 *
 * The caller's role is checked first (`OPERATION_ROLES['plans.submitBatch']`: copilot), then the batch size;
 * either refuses the whole batch with nothing written. Then items are independent: each is checked against
 * {@link SubmitInputSchema} (a malformed item is refused as `plans.submit` refuses it: `VALIDATION_FAILED`, paths
 * into the item) and goes through `submitter.submitPlan` on its own (validation, provenance, policy, budget, its
 * own transaction), so a refused item neither fails nor changes the others. They run concurrently (the store
 * serialises their transactions and may group their commits); budget is reserved in commit order. The same plan
 * twice in one batch behaves as two `plans.submit` calls: one creates it, the other answers `created: false`.
 *
 * @throws GatewayError `FORBIDDEN` (not a copilot); `VALIDATION_FAILED` for a batch of 0 or more than
 *   {@link MAX_BATCH_PLANS} items.
 * @throws the first error that is not a `GatewayError` (a defect or an I/O failure, not the plan's fault), once
 *   every item has settled: the whole call then fails as `INTERNAL`. Items committed before stay committed, and
 *   resubmitting the batch is safe (submission is idempotent on plan id).
 */
export async function submitPlanBatch(
  submitter: PlanSubmitter,
  principal: Principal,
  items: readonly unknown[],
): Promise<BatchItemResult[]> {
  requireRole(principal, ...OPERATION_ROLES['plans.submitBatch']);
  checkBatchSize(items.length);
  const settled = await Promise.allSettled(
    items.map(async (item) => {
      const parsed = SubmitInputSchema.safeParse(item);
      if (!parsed.success) throw inputValidationError(parsed.error, 'plans.submit');
      return submitter.submitPlan(principal, parsed.data.plan, parsed.data.signature);
    }),
  );
  return settled.map((outcome): BatchItemResult => {
    if (outcome.status === 'fulfilled') return { ok: true, plan: outcome.value };
    const error: unknown = outcome.reason;
    if (!isGatewayError(error)) throw error;
    return { ok: false, status: error.httpStatus, error: gatewayErrorEnvelope(error) };
  });
}
