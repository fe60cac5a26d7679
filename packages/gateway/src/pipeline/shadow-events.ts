import type { PolicyDecision } from '@handoff/protocol';
import type { PolicyEvaluation } from '../policy/evaluate.js';
import type { LineageDraft } from '../store/store.js';

/** Each rule's result as a policy lineage event records it: id, decision, enforcement, reason code and path. */
export function ruleResults(decisions: readonly PolicyDecision[]) {
  return decisions.map((d) => ({
    ruleId: d.ruleId,
    decision: d.decision,
    enforcement: d.enforcement,
    reasonCode: d.reasonCode,
    path: d.path,
  }));
}

/**
 * The `policy.shadow_evaluated` events of a submission: one per option, what the shadow policy set would have
 * decided, beside the active outcome, with every rule's decision. They gate nothing: no state, budget or outbox
 * change follows from them. `refs.policy` is the shadow set's version (its payload is stored at start).
 */
export function shadowEvents(
  base: Omit<LineageDraft, 'type' | 'refs' | 'data'>,
  input: { digest: string; active: PolicyEvaluation; shadow: PolicyEvaluation },
): LineageDraft[] {
  const { active, shadow } = input;
  return Object.values(shadow.options).map((o) => {
    const activeOutcome = active.options[o.optionId]?.outcome ?? 'deny';
    return {
      ...base,
      actor: { type: 'system' as const, id: 'policy' },
      type: 'policy.shadow_evaluated' as const,
      refs: { plan: input.digest, policy: shadow.policyVersion },
      data: {
        optionId: o.optionId,
        policySetId: shadow.policySetId,
        outcome: o.outcome,
        activeOutcome,
        changed: o.outcome !== activeOutcome,
        rules: ruleResults(o.decisions),
      },
    };
  });
}
