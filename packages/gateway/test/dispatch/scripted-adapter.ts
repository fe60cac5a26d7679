import {
  AdapterError,
  type AutomationAdapter,
  type ExecuteContext,
  type ExecuteReceipt,
} from '@handoff/automation-adapter';
import { ACTION_TYPES, type Action, type ActionType } from '@handoff/protocol';

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
  options: {
    dedupes?: boolean;
    steps?: ScriptStep[];
    /** Types it can reverse (`reverse` then records its calls in `reverseCalls`, `reversedKeys`). */
    reversible?: ActionType[];
    /** What `execute` captures for a reversal (default: a set_campaign_budget's `previousBudget`). */
    capture?: (action: Action) => Record<string, unknown> | undefined;
    /** How the platform answers reversals, step by step (then `ok`). */
    reverseSteps?: ScriptStep[];
  } = {},
) {
  const steps = [...(options.steps ?? [])];
  const reverseSteps = [...(options.reverseSteps ?? [])];
  const reverseCalls: (ScriptedCall & { reversal: Record<string, unknown> })[] = [];
  const reversedKeys: string[] = [];
  const capture =
    options.capture ??
    ((action: Action) =>
      action.type === 'set_campaign_budget'
        ? { previousBudget: action.params.currentBudget }
        : undefined);
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
      ...(options.reversible ? { reversibleActionTypes: options.reversible } : {}),
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
      const ok = await play(steps.shift());
      if (!(options.dedupes && applied.has(ctx.idempotencyKey))) {
        applied.add(ctx.idempotencyKey);
        appliedKeys.push(ctx.idempotencyKey);
      }
      const reversal = capture(action);
      return {
        platformRef: `${id}-${appliedKeys.length}`,
        ...(reversal ? { reversal } : {}),
        ...ok,
      };
    },
  };
  const reverse: AutomationAdapter['reverse'] = async (action, reversal, ctx) => {
    reverseCalls.push({
      actionId: action.actionId,
      idempotencyKey: ctx.idempotencyKey,
      attempt: ctx.attempt,
      queuedAt: ctx.queuedAt,
      calledAt: ctx.now(),
      reversal,
    });
    const ok = await play(reverseSteps.shift());
    if (!(options.dedupes && reversedKeys.includes(ctx.idempotencyKey)))
      reversedKeys.push(ctx.idempotencyKey);
    return ok;
  };
  if (options.reversible) Object.assign(adapter, { reverse });
  return {
    adapter,
    calls,
    appliedKeys,
    reverseCalls,
    reversedKeys,
    /** Adds steps to the end of the script. */
    append: (...more: ScriptStep[]) => steps.push(...more),
  };
}

/** Plays one scripted step (default: `ok`): its side effects, then its answer or failure. */
async function play(next: ScriptStep | undefined): Promise<ExecuteReceipt> {
  let step: ScriptStep = next ?? { ok: { status: 'succeeded' } };
  while ('before' in step) {
    await step.before();
    step = step.next;
  }
  if ('fail' in step) throw step.fail;
  return step.ok;
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
