import {
  AdapterError,
  type AutomationAdapter,
  type ExecuteContext,
  type ExecuteReceipt,
} from '@handoff/automation-adapter';
import { ACTION_TYPES, type Action } from '@handoff/protocol';

/** What the scripted platform does with one request: answer, fail, or run a side effect first. */
export type ScriptStep =
  | { ok: ExecuteReceipt }
  | { fail: AdapterError }
  | { before: () => Promise<void>; next: ScriptStep };

/** One request the scripted platform received. */
export interface ScriptedCall {
  actionId: string;
  idempotencyKey: string;
  attempt: number;
  /** `ctx.queuedAt`: when the action was queued, epoch ms. */
  queuedAt: number;
  /** `ctx.now()` at the call, epoch ms. */
  calledAt: number;
}

/**
 * An in-memory adapter whose answers a test scripts, step by step (then `ok` with a platform ref once the script
 * runs out). It records every call with its idempotency key, and what it applied: with `dedupes`, a key it has
 * applied before is not applied again (as a platform with an idempotency key).
 */
export function scriptedAdapter(
  id: string,
  options: { dedupes?: boolean; steps?: ScriptStep[] } = {},
) {
  const steps = [...(options.steps ?? [])];
  const calls: ScriptedCall[] = [];
  const applied = new Set<string>();
  const appliedKeys: string[] = [];
  const adapter: AutomationAdapter = {
    manifest: {
      id,
      platform: `scripted ${id}`,
      actionTypes: ACTION_TYPES,
      idempotency: options.dedupes ? 'platform_key' : 'none',
      supportsDryRun: false,
      supportsStatus: false,
      supportsCancel: false,
      rateLimits: [],
      docs: [],
    },
    validate: () => ({ ok: true }),
    async execute(action: Action, ctx: ExecuteContext): Promise<ExecuteReceipt> {
      calls.push({
        actionId: action.actionId,
        idempotencyKey: ctx.idempotencyKey,
        attempt: ctx.attempt,
        queuedAt: ctx.queuedAt,
        calledAt: ctx.now(),
      });
      let step: ScriptStep = steps.shift() ?? { ok: { status: 'succeeded' } };
      while ('before' in step) {
        await step.before();
        step = step.next;
      }
      if ('fail' in step) throw step.fail;
      if (!(options.dedupes && applied.has(ctx.idempotencyKey))) {
        applied.add(ctx.idempotencyKey);
        appliedKeys.push(ctx.idempotencyKey);
      }
      return { platformRef: `${id}-${appliedKeys.length}`, ...step.ok };
    },
  };
  return {
    adapter,
    calls,
    appliedKeys,
    /** Adds steps to the end of the script. */
    append: (...more: ScriptStep[]) => steps.push(...more),
  };
}

/** A 429 as an adapter reports it, with the platform's `Retry-After` in milliseconds. */
export function throttled(retryAfterMs: number): ScriptStep {
  return {
    fail: new AdapterError('RATE_LIMITED', 'Too many requests', {
      retryAfterMs,
      platform: { status: 429, platformCode: 'TEN_SECONDLY_ROLLING' },
    }),
  };
}

/** A permanent refusal (400). */
export function refused(): ScriptStep {
  return {
    fail: new AdapterError('INVALID_REQUEST', 'Workflow 123 is not active', {
      platform: { status: 400, platformCode: 'VALIDATION_ERROR' },
    }),
  };
}

/** A 503. */
export function unavailable(): ScriptStep {
  return {
    fail: new AdapterError('PLATFORM_UNAVAILABLE', 'Service unavailable', {
      platform: { status: 503 },
    }),
  };
}

/** A request whose fate is unknown at a platform with no idempotency key. */
export function inDoubt(): ScriptStep {
  return { fail: new AdapterError('IN_DOUBT', 'Connection reset after the request was sent') };
}
