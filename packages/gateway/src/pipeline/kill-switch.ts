import type { HandoffPlan } from '@handoff/protocol';
import type { ControlRecord, ControlScope } from '../store/store.js';

/** A scope an operator can pause: a whole tenant, a workflow, a channel, an adapter or a copilot model. */
export interface ControlTarget {
  scopeType: ControlScope;
  scopeValue: string;
}

/** The model a plan came from, as the kill switch names it: `vendor/model@modelVersion`. */
export function copilotModelOf(plan: HandoffPlan): string {
  return `${plan.copilot.vendor}/${plan.copilot.model}@${plan.copilot.modelVersion}`;
}

/**
 * True when a pause of `target` covers this plan's option: the tenant itself, its workflow, one of the option's
 * channels, an adapter one of its actions uses, or the copilot model that wrote it.
 */
export function controlCovers(target: ControlTarget, plan: HandoffPlan, optionId: string): boolean {
  const option = plan.options.find((o) => o.optionId === optionId);
  switch (target.scopeType) {
    case 'tenant':
      return target.scopeValue === plan.tenantId;
    case 'workflow':
      return target.scopeValue === plan.workflow.workflowId;
    case 'channel':
      return option?.channels.some((c) => c === target.scopeValue) ?? false;
    case 'adapter':
      return option?.actions.some((a) => a.adapter === target.scopeValue) ?? false;
    case 'copilot_model':
      return target.scopeValue === copilotModelOf(plan);
  }
}

/** The active controls that cover a plan's option (empty when nothing holds it). */
export function coveringControls(
  controls: readonly ControlRecord[],
  plan: HandoffPlan,
  optionId: string,
): ControlRecord[] {
  return controls.filter((c) => controlCovers(c, plan, optionId));
}
