/** How a story prints plans and the gateway's decisions on them. */
import type { PlanView } from '@handoff/gateway';
import type { HandoffPlan } from '@handoff/protocol';
import { detail, formatMoney, paint, verdict } from './terminal.js';

/** A plan's workflow and each option: budget, forecast interval, risk and actions. */
export function showPlan(plan: HandoffPlan): void {
  const w = plan.workflow;
  detail(`${paint('bold', w.name)} (${w.workflowId}, ${w.aiMode}, stage ${w.cvjStage})`);
  for (const o of plan.options) {
    const star = o.optionId === plan.recommendedOptionId ? paint('cyan', '*') : ' ';
    const f = o.forecast;
    const budget = formatMoney(o.budget.amount.amountMinor, o.budget.amount.currency);
    detail(
      `${star} ${o.optionId.padEnd(20)} ${budget.padStart(12)}/${o.budget.period}  ` +
        `${f.kpi} p10/p50/p90 ${f.p10}/${f.p50}/${f.p90}  risk ${o.risk.score} (${o.risk.level})  ` +
        `${o.actions.map((a) => `${a.adapter}:${a.type}`).join(', ')}`,
      4,
    );
  }
}

/** The gateway's decision on a plan: state, reason, and the rules that denied or asked for approval. */
export function showDecision(label: string, view: PlanView): void {
  const reason = view.reasonCode ? ` ${paint('red', view.reasonCode)}` : '';
  detail(
    `${paint('bold', label.padEnd(22))} ${verdict(view.state)}${reason} (policy: ${verdict(view.outcome)})`,
  );
  for (const d of view.decisions.filter((x) => x.decision !== 'allow')) {
    detail(
      `${verdict(d.decision)} by ${d.ruleId} [${d.enforcement}] ${d.reasonCode}: ${d.message}`,
      6,
    );
  }
  for (const g of view.gates) {
    detail(
      `gate ${g.gateId}: ${g.quorum} of [${g.roles.join(', ')}], ` +
        `${g.satisfied ? paint('green', 'satisfied') : paint('yellow', `${g.approvers.length} so far`)}`,
      6,
    );
  }
}
