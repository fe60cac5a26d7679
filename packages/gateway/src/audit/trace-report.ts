import type { Money } from '@handoff/protocol';
import type { LineageTrace, TracedEvent } from './lineage-trace.js';

/** `123456 EUR` as `1234.56 EUR` (minor units shown with two decimals; the amount stays exact). */
function money(m: Money | { amountMinor: number; currency: string }): string {
  const minor = BigInt(m.amountMinor);
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')} ${m.currency}`;
}

function facts(data: Record<string, unknown>, keys: readonly string[]): string {
  return keys
    .filter((k) => data[k] !== undefined && data[k] !== null)
    .map((k) => `${k}=${typeof data[k] === 'object' ? JSON.stringify(data[k]) : String(data[k])}`)
    .join(' ');
}

function line(e: TracedEvent, detail = ''): string {
  return `  #${e.seq} ${e.occurredAt} ${e.type} by ${e.actor.type}:${e.actor.id}${detail ? ` ${detail}` : ''}`;
}

/**
 * The readable form of a {@link LineageTrace}, for people: sections from the plan and its data to the platform
 * receipts, each line citing the lineage `seq` it comes from. Never prints tokens or keys (only their digests
 * and key ids).
 */
export function renderTrace(trace: LineageTrace): string {
  const { plan, copilot } = trace;
  const out: string[] = [
    `Plan ${plan.planId} (tenant ${plan.tenantId}, workflow ${plan.workflowId})`,
    `  state ${plan.state}${plan.reasonCode ? ` (${plan.reasonCode})` : ''}; received ${plan.receivedAt} from ${plan.submittedBy}; expires ${plan.expiresAt}`,
    `  digest ${plan.digest}`,
    `  recommended option ${plan.recommendedOptionId}; selected ${plan.selectedOptionId ?? '(none)'}`,
    'Copilot',
    copilot
      ? `  ${copilot.vendor} ${copilot.model} ${copilot.modelVersion}; prompt ${copilot.promptVersion ?? '-'} ${copilot.promptHash ?? ''}`.trimEnd()
      : '  (plan document not stored)',
    'Input data',
    ...trace.inputs.map(
      (i) =>
        `  ${i.inputId} (${i.kind}) ${i.uri} version ${i.version ?? '-'} ${i.sha256 ?? 'no digest'}`,
    ),
    'Options',
    ...trace.options.flatMap((o) => [
      `  ${o.optionId}: ${o.title} [${o.channels.join(', ')}]`,
      ...o.actions.map(
        (a) => `    action ${a.actionId} ${a.type} on ${a.adapter}, est. ${money(a.estimatedCost)}`,
      ),
    ]),
    `Policy ${trace.policy.version}${trace.policy.label ? ` (${trace.policy.policySetId} ${trace.policy.label})` : ''}`,
    ...trace.policy.evaluations.flatMap((e) => [
      line(
        e,
        `${e.type === 'plan.received' ? 'decision ' : ''}${facts(e.data, ['optionId', 'outcome'])}`,
      ),
      ...((e.data.rules as { ruleId: string; decision: string; reasonCode?: string }[]) ?? []).map(
        (r) => `      rule ${r.ruleId}: ${r.decision}${r.reasonCode ? ` (${r.reasonCode})` : ''}`,
      ),
    ]),
    'Budget',
    ...trace.budget.events.map((e) =>
      line(
        e,
        facts(e.data, [
          'optionId',
          'reason',
          'code',
          'lines',
          'reservations',
          'reserved',
          'released',
          'committed',
          'state',
        ]),
      ),
    ),
    ...trace.budget.ledger.map(
      (l) => `  ledger ${l.capId} ${l.periodKey}: ${money(l)} ${l.status} (since ${l.updatedAt})`,
    ),
    'Approvals',
    ...trace.approvals.accepted.map(
      (a) =>
        `  ${a.decision} by ${a.approver} as ${a.role} for ${a.optionId} at ${a.receivedAt}, key ${a.kid}, max ${money(a.maxSpend)}, token ${a.tokenDigest}`,
    ),
    ...trace.approvals.refused.map((e) => line(e, facts(e.data, ['code', 'role', 'kid']))),
    'Dispatches',
    ...trace.dispatches.flatMap((d) => [
      `  ${d.actionId} #${d.actionIndex} on ${d.adapter}: ${d.status} after ${d.attempts} attempt(s), key ${d.idempotencyKey}`,
      ...d.events.map((e) =>
        line(e, facts(e.data, ['attempt', 'state', 'status', 'code', 'platformRef'])),
      ),
      ...d.receipts.map((r) => `    receipt ${r.digest}${changeText(r.receipt)}`),
    ]),
    'Controls',
    ...trace.controls.map((e) =>
      line(e, facts(e.data, ['scopeType', 'scopeValue', 'reason', 'from', 'to'])),
    ),
    `Events: ${trace.events.length} (seq ${trace.events[0]?.seq ?? '-'} to ${trace.events.at(-1)?.seq ?? '-'})`,
  ];
  return out.join('\n');
}

/** A receipt's `change` as the report prints it: `, budget EUR 100.00 -> EUR 120.00` (empty when none). */
function changeText(receipt: unknown): string {
  const change = (receipt as { change?: { kind: string; from: Money; to: Money } } | undefined)
    ?.change;
  return change ? `, ${change.kind} ${money(change.from)} -> ${money(change.to)}` : '';
}
