import type { HandoffPlan, LineageEvent } from '@handoff/protocol';
import type { PolicyEvaluation } from '../policy/evaluate.js';
import type { PlanRecord, StoreTx } from '../store/store.js';
import { parseStoredDocument } from '../store/stored-document.js';
import { loadPlanDocument } from './deps.js';
import { evaluationFromReceived } from './recorded-decisions.js';
import { storedPolicySet } from './stored-policy.js';

// Kept apart from `deps.ts`, which the outcome and policy modules import: this one imports the policy evaluator.

/** True when a plan records its policy evaluation in its `plan.received` event (lineage format 2). */
function isFormat2(record: PlanRecord): boolean {
  return record.evaluationDigest === record.policyVersion;
}

/** A plan's `plan.received` event (what it decided on arrival), or undefined when it has none. */
export function receivedEventOf(
  tx: StoreTx,
  record: PlanRecord,
): Promise<LineageEvent | undefined> {
  return tx.lastPlanEvent(record.tenantId, record.planId, 'plan.received');
}

/**
 * The policy evaluation recorded with a plan. A plan of lineage format 2 records it in its `plan.received` event
 * (`data.decisions`, see `recorded-decisions.ts`; its `evaluationDigest` is then the policy set's digest, the
 * document the evaluation is recomputable from); a plan of format 1 names a `PolicyEvaluation` payload, re-hashed
 * against its digest.
 *
 * @throws GatewayError `INTERNAL` when a payload does not hash to `record.evaluationDigest`; Error when neither the
 *   event's decisions nor the payload is there.
 */
export async function evaluationOf(
  tx: StoreTx,
  record: PlanRecord,
  /** What the caller read already: the plan's `plan.received` event, its plan document. */
  known: { received?: LineageEvent | undefined; plan?: HandoffPlan } = {},
): Promise<PolicyEvaluation> {
  if (isFormat2(record)) {
    const received = known.received ?? (await receivedEventOf(tx, record));
    const evaluation = received
      ? evaluationFromReceived(record, received, {
          plan: known.plan ?? (await loadPlanDocument(tx, record)),
          policySet: await storedPolicySet(tx, record.policyVersion),
        })
      : undefined;
    if (evaluation) return evaluation;
    throw new Error(`Plan ${record.planId} has no recorded policy decisions`);
  }
  const body = await tx.getPayload(record.evaluationDigest);
  if (body === undefined)
    throw new Error(`Policy evaluation ${record.evaluationDigest} is missing`);
  return parseStoredDocument<PolicyEvaluation>(record.evaluationDigest, body, 'Policy evaluation');
}
