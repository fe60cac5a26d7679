/**
 * Coloured, readable story output with node:util `styleText`, and how stories print plans and the gateway's
 * decisions on them. Colour only on a terminal, never when `NO_COLOR` is
 * set (https://no-color.org), always when `FORCE_COLOR` is set to anything but `0`.
 */
import { styleText } from 'node:util';
import type { PlanView } from '@handoff/gateway';
import type { HandoffPlan } from '@handoff/protocol';

type Style = Parameters<typeof styleText>[0];

const colour =
  process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0'
    ? true
    : process.env.NO_COLOR === undefined && process.stdout.isTTY === true;

/** `text` in `style` (e.g. `'green'`, `['bold', 'cyan']`) when colour is on, else plain. */
export function paint(style: Style, text: string): string {
  return colour ? styleText(style, text) : text;
}

/** A section heading: a blank line, then the title in bold cyan. */
export function heading(title: string): void {
  console.log(`\n${paint(['bold', 'cyan'], `== ${title}`)}`);
}

/** An indented line of detail. */
export function detail(text: string, indent = 2): void {
  console.log(`${' '.repeat(indent)}${text}`);
}

/** A decision or outcome word coloured by what it means: green good, yellow waiting, red refused. */
export function verdict(word: string): string {
  if (/^(allow|approved|dispatched|succeeded|ok|intact|valid|pass)/.test(word))
    return paint('green', word);
  if (/^(require_approval|awaiting|pending|retry|reserved)/.test(word))
    return paint('yellow', word);
  if (/^(deny|denied|rejected|refused|failed|broken|fail)/.test(word)) return paint('red', word);
  return word;
}

/** Integer minor units as a decimal amount with its currency, e.g. `EUR 1,234.50`. */
export function formatMoney(amountMinor: number | bigint, currency: string, digits = 2): string {
  const minor = BigInt(amountMinor);
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  const scale = 10n ** BigInt(digits);
  const major = (abs / scale).toLocaleString('en-US');
  const fraction = digits > 0 ? `.${(abs % scale).toString().padStart(digits, '0')}` : '';
  return `${currency} ${sign}${major}${fraction}`;
}

/** A percentage with one decimal, e.g. `12.3 %`. */
export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

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
