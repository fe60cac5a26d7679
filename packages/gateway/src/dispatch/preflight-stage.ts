import {
  AdapterError,
  type AdapterManifest,
  type AutomationAdapter,
  type ExecuteContext,
  type PreflightIssue,
  type PreflightResult,
} from '@handoff/automation-adapter';
import type { Action } from '@handoff/protocol';
import type { AttemptOutcome } from './dispatch-outcome.js';

/** What the preflight stage found: nothing to run, a pass with the platform's figures, or a refusal. */
export type PreflightStageResult =
  | { kind: 'skipped' }
  | { kind: 'passed'; observed: Record<string, unknown>; alreadyApplied: boolean }
  | { kind: 'refused'; result: Extract<PreflightResult, { ok: false }>; error: AdapterError };

/**
 * The preflight stage of a dispatch, run after the adapter's `validate` and before `execute`. First the platform
 * limits the manifest states (`budgetLimits`: a new budget must be a whole multiple of the currency's unit and, for
 * a daily budget, at least a stated minimum), for every adapter; then, for adapters whose manifest claims
 * `supportsPreflight`, the adapter reads the platform's current state and validates the change
 * there without changing anything. A refusal becomes an AdapterError that is never retried and never reaches
 * `execute`: `CONFLICT` when any issue is a conflict (e.g. the campaign's budget is no longer the plan's
 * `currentBudget`: someone moved it since the copilot looked), `INVALID_REQUEST` otherwise (below the platform's
 * minimum, above its maximum, not a multiple of its unit, ...). The issues and the platform's figures are recorded
 * in the lineage as `dispatch.preflight_failed` (see `recordOutcome`).
 *
 * @throws whatever `preflight` throws when the platform cannot be asked (auth, throttling, outage): the
 *   dispatcher treats it as any failed attempt (retried when retryable).
 */
export async function runPreflightStage(
  adapter: AutomationAdapter,
  action: Action,
  ctx: ExecuteContext,
): Promise<PreflightStageResult> {
  const declared = manifestLimitIssues(adapter.manifest, action);
  const asks = adapter.manifest.supportsPreflight === true && adapter.preflight !== undefined;
  if (declared.length === 0 && !asks) return { kind: 'skipped' };
  const result: PreflightResult =
    declared.length > 0
      ? { ok: false, observed: { budgetLimits: adapter.manifest.budgetLimits }, issues: declared }
      : await (adapter.preflight?.(action, ctx) ?? { ok: true, observed: {} });
  if (result.ok) {
    return {
      kind: 'passed',
      observed: result.observed,
      alreadyApplied: result.alreadyApplied === true,
    };
  }
  const conflict = result.issues.some((issue) => issue.code === 'CONFLICT');
  const summary = result.issues.map((i) => `${i.path} ${i.code}: ${i.message}`).join('; ');
  const error = new AdapterError(
    conflict ? 'CONFLICT' : 'INVALID_REQUEST',
    `Preflight refused the action before any change: ${summary}`,
    { retryable: false },
  );
  return { kind: 'refused', result, error };
}

/**
 * What `manifest.budgetLimits` says of a `set_campaign_budget` action's new budget: `BUDGET_GRANULARITY` when it is
 * not a whole multiple of the currency's unit, `BELOW_PLATFORM_MINIMUM` when a daily budget is under the stated
 * minimum for its currency. Empty for other actions, or a manifest without limits.
 */
export function manifestLimitIssues(manifest: AdapterManifest, action: Action): PreflightIssue[] {
  const limits = manifest.budgetLimits;
  if (!limits || action.type !== 'set_campaign_budget') return [];
  const { newBudget, budgetType } = action.params;
  const unit =
    limits.granularityMinor.byCurrency?.[newBudget.currency] ?? limits.granularityMinor.default;
  const minimum = limits.minimumDailyMinor?.[newBudget.currency];
  const path = '/params/newBudget/amountMinor';
  const issues: PreflightIssue[] = [];
  if (unit > 1 && newBudget.amountMinor % unit !== 0) {
    const message = `${newBudget.amountMinor} is not a whole multiple of ${manifest.platform}'s unit of ${unit} minor units of ${newBudget.currency}`;
    issues.push({ path, code: 'BUDGET_GRANULARITY', message });
  }
  if (budgetType === 'daily' && minimum !== undefined && newBudget.amountMinor < minimum) {
    const message = `${newBudget.amountMinor} is below ${manifest.platform}'s minimum daily budget of ${minimum} minor units of ${newBudget.currency}`;
    issues.push({ path, code: 'BELOW_PLATFORM_MINIMUM', message });
  }
  return issues;
}

/**
 * One attempt's platform calls: the preflight stage ({@link runPreflightStage}), then, unless it refused, `execute`.
 * A refusal comes back as a failed outcome carrying the preflight's issues; anything thrown propagates.
 */
export async function preflightThenExecute(
  adapter: AutomationAdapter,
  action: Action,
  ctx: ExecuteContext,
): Promise<AttemptOutcome> {
  const pre = await runPreflightStage(adapter, action, ctx);
  if (pre.kind === 'refused') return { kind: 'failed', error: pre.error, preflight: pre.result };
  const receipt = await adapter.execute(action, ctx);
  if (pre.kind === 'passed') return { kind: 'succeeded', receipt, preflight: pre.observed };
  return { kind: 'succeeded', receipt };
}

/** The lineage data of a refused preflight: the issues (JSON Pointers into the action) and the platform's figures. */
export function preflightFacts(
  result: Extract<PreflightResult, { ok: false }>,
): Record<string, unknown> {
  return {
    issues: result.issues.map((i) => ({
      path: i.path,
      code: i.code,
      message: i.message.slice(0, 500),
    })),
    observed: result.observed,
  };
}
