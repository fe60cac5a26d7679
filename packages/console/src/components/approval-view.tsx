/**
 * Renders an approval view model (`approvals.view`) in full: the option with every action and its full
 * parameters, audience and size, money against each cap's headroom, the forecast chart, risk factors, evidence
 * with its sources, and every policy rule's result and reason. What is drawn here is what the approver signs: the
 * console hashes this same object (RFC 8785, SHA-256) into the approval challenge.
 */
import type { WireOutput } from '@handoff/protocol';
import { formatMoney, pretty } from '../lib/format.js';
import { ForecastChart } from './forecast-chart.js';

/** The approval view model of one option (`ApprovalView`). */
export type ApprovalView = WireOutput<'approvals.view'>['view'];
/** A budget cap with its current usage (`budget.getCaps`), when the reader may see caps. */
export type CapUsage = WireOutput<'budget.getCaps'>[number];

function Audience({ audience }: { audience: ApprovalView['option']['audience'] }) {
  return (
    <section>
      <h3>Audience</h3>
      <p>
        Segment <code>{audience.segmentId}</code>:{' '}
        <strong data-testid="audience-size">
          {audience.estimatedSize.toLocaleString('en-GB')}
        </strong>{' '}
        people{audience.description ? ` (${audience.description})` : ''}
        {audience.estimatedReach !== undefined
          ? `, reach ${audience.estimatedReach.toLocaleString('en-GB')}`
          : ''}
      </p>
      <pre class="params">{pretty({ criteria: audience.criteria, anyOf: audience.anyOf })}</pre>
    </section>
  );
}

function Money({
  money,
  caps,
}: {
  money: ApprovalView['option']['money'];
  caps: CapUsage[] | null;
}) {
  return (
    <section>
      <h3>Budget</h3>
      <p>
        Budget {formatMoney(money.budget.amount)} per {money.budget.period}; estimated cost{' '}
        {formatMoney(money.estimatedCost)}; an approval authorises up to{' '}
        <strong data-testid="max-spend">{formatMoney(money.maxSpend)}</strong>.
      </p>
      {caps ? (
        <table data-testid="cap-headroom">
          <thead>
            <tr>
              <th>Cap</th>
              <th>Period</th>
              <th>Headroom</th>
              <th>Asked</th>
            </tr>
          </thead>
          <tbody>
            {caps.map((cap) => (
              <tr
                key={cap.capId}
                class={cap.usage.headroom.amountMinor < money.maxSpend.amountMinor ? 'over' : ''}
              >
                <td>
                  {cap.capId} ({cap.scope.type} {cap.scope.value})
                </td>
                <td>{cap.usage.periodKey}</td>
                <td>{formatMoney(cap.usage.headroom)}</td>
                <td>{formatMoney(money.maxSpend)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">Cap headroom is shown to those who may read the caps.</p>
      )}
    </section>
  );
}

function Evidence({ view }: { view: ApprovalView }) {
  return (
    <section>
      <h3>Evidence</h3>
      <ul>
        {view.option.evidence.map((item, index) => (
          <li key={index}>
            <pre class="params">{pretty(item.evidence)}</pre>
            {item.source ? (
              <span class="source">
                source: <code>{item.source.uri}</code> {item.source.version ?? ''}{' '}
                {item.source.sha256 ?? ''}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Policy({ policy }: { policy: ApprovalView['policy'] }) {
  return (
    <section>
      <h3>
        Policy {policy.policyVersion}:{' '}
        <span class={`outcome ${policy.outcome}`}>{policy.outcome}</span>
      </h3>
      <table data-testid="policy-rules">
        <thead>
          <tr>
            <th>Rule</th>
            <th>Result</th>
            <th>Enforcement</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {policy.rules.map((rule) => (
            <tr key={`${rule.ruleId}${rule.path}`}>
              <td>{rule.ruleId}</td>
              <td class={`outcome ${rule.outcome}`}>{rule.outcome}</td>
              <td>{rule.enforcement}</td>
              <td>
                <code>{rule.reasonCode}</code> {rule.message}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function ApprovalViewPanel({ view, caps }: { view: ApprovalView; caps: CapUsage[] | null }) {
  const { option } = view;
  return (
    <article class="view" data-testid="approval-view" data-option={option.optionId}>
      <h2 data-testid="option-title">
        {option.title} {option.recommended ? <span class="badge">recommended</span> : null}
      </h2>
      <p>{option.rationale}</p>
      <p class="muted">
        Channels: {option.channels.join(', ')} · copilot {view.copilot.vendor} {view.copilot.model}{' '}
        {view.copilot.modelVersion} · objective {view.objective.kpi}
      </p>
      <section>
        <h3>Actions ({option.actions.length})</h3>
        {option.actions.map((action) => (
          <div class="action" key={action.actionId} data-testid="action">
            <h4>
              {action.actionId}: {action.type} via {action.adapter} ·{' '}
              {formatMoney(action.estimatedCost)}
            </h4>
            <pre class="params">{pretty(action.params)}</pre>
          </div>
        ))}
      </section>
      <Audience audience={option.audience} />
      <Money money={option.money} caps={caps} />
      <section>
        <h3>Forecast</h3>
        <ForecastChart forecast={option.forecast} />
      </section>
      <section>
        <h3>
          Risk: {option.risk.level} ({option.risk.score})
        </h3>
        <ul data-testid="risk-factors">
          {option.risk.factors.map((factor) => (
            <li key={factor.code}>
              {factor.code} (weight {factor.weight}){factor.note ? `: ${factor.note}` : ''}
            </li>
          ))}
        </ul>
      </section>
      <Evidence view={view} />
      <Policy policy={view.policy} />
    </article>
  );
}
