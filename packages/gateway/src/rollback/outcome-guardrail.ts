import type { Actor, Forecast, OutcomeReport } from '@handoff/protocol';
import { pauseScopeIn } from '../pipeline/plan-control.js';
import type { PlanRecord, StoreTx } from '../store/store.js';

/**
 * The outcome guardrail (the gateway config's `outcomeGuardrail`): when an INTERIM outcome report falls below its
 * forecast's p10 by more than `belowP10By` of the forecast's p10-p90 width (so the margin means the same for a
 * ratio, a count or an amount), the guardrail acts, in the transaction that records the report:
 * - `pause_workflow`: the kill switch pauses the plan's workflow (`control.paused` by the guardrail, with the
 *   report's figures), holding every plan of it still to be sent until an operator resumes it;
 * - `open_rollback`: a rollback of the plan is requested for approval (`rollback.requested` by the guardrail):
 *   nothing is undone until operators approve it with `plans.rollback` (at least one, whatever `rollback`
 *   allows without approval). Nothing happens when the plan cannot be rolled back (not `dispatched` or
 *   `partially_failed`) or a rollback was already asked for, nor when the workflow is already paused.
 * A final report, or one within the margin, does nothing.
 */
export interface OutcomeGuardrail {
  /** How far below p10 trips it, as a share of `p90 - p10` (0: any value below p10). */
  belowP10By: number;
  action: 'pause_workflow' | 'open_rollback';
}

/** The guardrail as a lineage actor. */
export const OUTCOME_GUARDRAIL_ACTOR: Actor = { type: 'system', id: 'outcome-guardrail' };

/** The value below which an interim outcome trips the guardrail. */
export function guardrailThreshold(
  forecast: Pick<Forecast, 'p10' | 'p90'>,
  belowP10By: number,
): number {
  return forecast.p10 - belowP10By * (forecast.p90 - forecast.p10);
}

/** What the guardrail did with one report: nothing, or its action. */
export type GuardrailOutcome = 'none' | 'paused_workflow' | 'rollback_requested';

/**
 * Applies `guardrail` to a newly recorded report of `record`'s plan inside `tx` (see {@link OutcomeGuardrail}).
 * `atMs` is when the report was recorded (epoch ms).
 */
export async function applyOutcomeGuardrail(
  tx: StoreTx,
  input: {
    outcomeGuardrail?: OutcomeGuardrail | undefined;
    onPause: 'keep' | 'release';
    record: PlanRecord;
    report: OutcomeReport;
    forecast: Forecast;
    atMs: number;
  },
): Promise<GuardrailOutcome> {
  const { outcomeGuardrail: guardrail, record, report, forecast, atMs } = input;
  if (!guardrail || !report.interim) return 'none';
  const threshold = guardrailThreshold(forecast, guardrail.belowP10By);
  if (report.observed.value >= threshold) return 'none';
  const facts = {
    rule: 'outcome_guardrail',
    reportId: report.reportId,
    kpi: forecast.kpi,
    observed: report.observed.value,
    p10: forecast.p10,
    threshold,
  };
  const reason = `Interim ${forecast.kpi} ${report.observed.value} is below ${threshold} (p10 ${forecast.p10} less the margin)`;
  if (guardrail.action === 'pause_workflow') {
    const controls = await tx.listControls(record.tenantId);
    if (controls.some((c) => c.scopeType === 'workflow' && c.scopeValue === record.workflowId))
      return 'none';
    await pauseScopeIn(tx, input.onPause, {
      tenantId: record.tenantId,
      target: { scopeType: 'workflow', scopeValue: record.workflowId },
      reason,
      actor: OUTCOME_GUARDRAIL_ACTOR,
      atMs,
      data: facts,
    });
    return 'paused_workflow';
  }
  const open =
    (record.state === 'dispatched' || record.state === 'partially_failed') &&
    !(await tx.lastPlanEvent(record.tenantId, record.planId, 'rollback.requested'));
  if (!open) return 'none';
  await tx.appendLineage([
    {
      tenantId: record.tenantId,
      planId: record.planId,
      type: 'rollback.requested',
      actor: OUTCOME_GUARDRAIL_ACTOR,
      occurredAt: atMs,
      refs: { plan: record.digest },
      data: { ...facts, reason },
    },
  ]);
  return 'rollback_requested';
}
