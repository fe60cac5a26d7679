import type { PlanState } from '../plan-state.js';
import type { ControlRecord, StoreTx } from '../store/store.js';
import { loadPlanDocument } from './deps.js';
import { controlCovers } from './kill-switch.js';

/** An active kill switch and what it holds (`control.list`): each paused plan it covers, with its former state. */
export interface ControlStatus extends ControlRecord {
  holding: { planId: string; pausedFrom: PlanState }[];
}

/**
 * The tenant's active controls, each with the paused plans it covers (for the option in play, as the kill switch
 * itself judges it with `controlCovers`), in one transaction. A plan covered by two controls is listed under both:
 * it resumes only once neither holds it (see `resumeScope`).
 */
export async function controlStatuses(tx: StoreTx, tenantId: string): Promise<ControlStatus[]> {
  const controls = await tx.listControls(tenantId);
  if (controls.length === 0) return [];
  const paused = await tx.listPlans({
    tenantId,
    states: ['paused'],
    limit: Number.MAX_SAFE_INTEGER,
  });
  const held = await Promise.all(
    paused.map(async (record) => ({
      record,
      plan: await loadPlanDocument(tx, record),
      optionId: record.selectedOptionId ?? record.recommendedOptionId,
    })),
  );
  return controls.map((control) => ({
    ...control,
    holding: held
      .filter(({ plan, optionId }) => controlCovers(control, plan, optionId))
      .flatMap(({ record }) =>
        record.pausedFrom === null
          ? []
          : [{ planId: record.planId, pausedFrom: record.pausedFrom }],
      ),
  }));
}
