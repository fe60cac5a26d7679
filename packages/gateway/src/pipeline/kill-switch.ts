import { ChannelSchema, type HandoffPlan, IdentifierSchema, LabelSchema } from '@handoff/protocol';
import { GatewayError } from '../errors.js';
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

/** The three labels of a `vendor/model@modelVersion` scope value, or undefined when it has not that shape. */
function copilotModelParts(value: string): string[] | undefined {
  const match = /^([^/@]*)\/([^/@]*)@([^/@]*)$/.exec(value);
  return match ? match.slice(1) : undefined;
}

/** Why `value` cannot name a scope of `scopeType`, or undefined when it can. */
function scopeValueProblem(scopeType: ControlScope, value: string): string | undefined {
  switch (scopeType) {
    case 'tenant':
    case 'workflow':
    case 'adapter':
      return IdentifierSchema.safeParse(value).success
        ? undefined
        : `A ${scopeType} is an identifier: ASCII letters, digits and ._:- only`;
    case 'channel':
      return ChannelSchema.safeParse(value).success
        ? undefined
        : `A channel is one of ${ChannelSchema.options.join(', ')}`;
    case 'copilot_model': {
      const parts = copilotModelParts(value);
      return parts?.every((p) => LabelSchema.safeParse(p).success)
        ? undefined
        : 'A copilot model is vendor/model@modelVersion, each an ASCII label (letters and digits joined by single separators: space . _ : -)';
    }
  }
}

/**
 * Checks that an operator's scope value can name what plans carry, with the contract's own schemas: a tenant,
 * workflow or adapter is an identifier, a channel one of the protocol's channels, a copilot model
 * `vendor/model@modelVersion` of three ASCII labels (`LabelSchema`). Scopes match byte for byte, with no
 * normalisation; since plans cannot carry look-alike characters (`example‑planner`, U+2011), a pause on one is
 * refused too rather than recorded as a control that covers nothing.
 *
 * @throws GatewayError `VALIDATION_FAILED` with an `INVALID_FORMAT` (or, for a channel, `INVALID_VALUE`) issue at
 *   `/scopeValue`.
 */
export function assertControlTarget(target: ControlTarget): void {
  const problem = scopeValueProblem(target.scopeType, target.scopeValue);
  if (problem === undefined) return;
  throw new GatewayError('VALIDATION_FAILED', `Not a ${target.scopeType} scope: ${problem}`, {
    issues: [
      {
        path: '/scopeValue',
        code: target.scopeType === 'channel' ? 'INVALID_VALUE' : 'INVALID_FORMAT',
        message: problem,
      },
    ],
  });
}

/**
 * True when a pause of `target` covers this plan's option: the tenant itself, its workflow, one of the option's
 * channels, an adapter one of its actions uses, or the copilot model that wrote it. Values compare byte for byte
 * (the contract keeps every one of them to ASCII, see {@link assertControlTarget}).
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

/** How a set of controls is named in lineage and messages: `adapter:customerio`. */
export function controlNames(controls: readonly ControlTarget[]): string[] {
  return controls.map((c) => `${c.scopeType}:${c.scopeValue}`);
}
