import type { HandoffPlan } from '@handoff/protocol';
import type { Attributes } from '@opentelemetry/api';
import type { ReserveOutcome } from '../pipeline/reserve-budget.js';
import { reserveBudget } from '../pipeline/reserve-budget.js';
import type { PolicyEvaluation } from '../policy/evaluate.js';
import type { PlanRecord, StoreTx } from '../store/store.js';
import { ATTR, inSpan } from './tracing.js';

/**
 * The attributes of the gateway's stage spans, built from identifiers and outcomes only: a plan's payload (its
 * actions, parameters, audiences, contacts) never reaches a span. See `docs/tracing.md`.
 */

/** The policy span's starting attributes: what is judged (GenAI conventions: a guardrail applied to a plan). */
export function policySpanAttributes(plan: HandoffPlan): Attributes {
  return {
    [ATTR.genAiOperation]: 'apply_guardrail',
    [ATTR.tenant]: plan.tenantId,
    [ATTR.planId]: plan.planId,
    [ATTR.option]: plan.recommendedOptionId,
  };
}

/**
 * The policy decision for the recommended option: its outcome (`allow`, `require_approval`, `deny`) and the ids
 * of the rules that did not simply allow it (the rules that decided), in rule order.
 */
export function evaluationAttributes(evaluation: PolicyEvaluation, optionId: string): Attributes {
  const option = Object.hasOwn(evaluation.options, optionId)
    ? evaluation.options[optionId]
    : undefined;
  const outcome = option?.outcome ?? 'deny';
  return {
    [ATTR.guardrailDecision]: outcome,
    [ATTR.decision]: outcome,
    [ATTR.ruleIds]: (option?.decisions ?? [])
      .filter((d) => d.decision !== 'allow')
      .map((d) => d.ruleId),
  };
}

/** The submission's result: the plan's state after it (`awaiting_approval`, `approved`, `rejected`, `paused`). */
export function submitAttributes(result: { record: PlanRecord; created: boolean }): Attributes {
  return {
    [ATTR.tenant]: result.record.tenantId,
    [ATTR.planId]: result.record.planId,
    [ATTR.option]: result.record.recommendedOptionId,
    [ATTR.outcome]: result.created ? result.record.state : 'duplicate',
    ...(result.record.reasonCode ? { [ATTR.errorType]: result.record.reasonCode } : {}),
  };
}

/** {@link reserveBudget} in a `handoff.reserve` span naming the caps it reserved on (or the cap that refused). */
export function tracedReserve(
  tx: StoreTx,
  input: Parameters<typeof reserveBudget>[1],
): Promise<ReserveOutcome> {
  const attributes = {
    [ATTR.tenant]: input.plan.tenantId,
    [ATTR.planId]: input.plan.planId,
    [ATTR.option]: input.optionId,
  };
  return inSpan('handoff.reserve', attributes, async (span) => {
    const outcome = await reserveBudget(tx, input);
    if (outcome.ok) {
      span?.setAttributes({
        [ATTR.outcome]: 'reserved',
        [ATTR.capIds]: [...new Set(outcome.lines.map((l) => l.capId))],
      });
    } else {
      const capId = outcome.data.capId;
      span?.setAttributes({
        [ATTR.outcome]: 'refused',
        [ATTR.errorType]: outcome.code,
        ...(typeof capId === 'string' ? { [ATTR.capIds]: [capId] } : {}),
      });
    }
    return outcome;
  });
}
