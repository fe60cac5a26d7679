/**
 * The plan page `/console/plans/<id>`: the plan's state, deadline and who has already decided (`plans.get`), a
 * tab per option (the recommended one first selected), the selected option's approval view model
 * (`approvals.view`) in full, and the decision form while the plan awaits approval.
 */
import type { WireOutput } from '@handoff/protocol';
import { useEffect, useState } from 'preact/hooks';
import {
  type ApprovalView,
  ApprovalViewPanel,
  type CapUsage,
} from '../components/approval-view.js';
import { Countdown } from '../components/countdown.js';
import { DecisionForm } from '../components/decision-form.js';
import { ErrorNote } from '../components/notice.js';
import { formatMoney } from '../lib/format.js';
import { gateRolesAt } from '../lib/gates.js';
import { query } from '../lib/rpc.js';
import { useSession } from '../session.js';

/** A plan as `plans.get` answers it: with its document (every option) and each decision's spend and reason. */
type Plan = WireOutput<'plans.get'>;

function Decided({ plan }: { plan: Plan }) {
  if (plan.approvals.length === 0) return <p class="muted">Nobody has decided yet.</p>;
  return (
    <ul data-testid="decided">
      {plan.approvals.map((a) => (
        <li key={`${a.approver}${a.at}`}>
          <strong>{a.approver}</strong> ({a.role}){' '}
          {a.decision === 'approve' ? 'approved' : 'rejected'} option <code>{a.optionId}</code> at{' '}
          {a.at}
          {a.decision === 'approve' && a.maxSpend ? `, up to ${formatMoney(a.maxSpend)}` : ''}
          {a.reason ? `: “${a.reason}”` : ''}
        </li>
      ))}
    </ul>
  );
}

export function PlanPage({ id }: { id: string }) {
  const { session } = useSession();
  const [plan, setPlan] = useState<Plan | null>(null);
  const [caps, setCaps] = useState<CapUsage[] | null>(null);
  const [optionId, setOptionId] = useState<string | null>(null);
  const [view, setView] = useState<ApprovalView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = async () => {
    try {
      const found = await query('plans.get', { planId: id });
      setPlan(found);
      setOptionId((current) => current ?? found.selectedOptionId ?? found.recommendedOptionId);
    } catch (failure) {
      setError(failure);
    }
  };
  useEffect(() => {
    void load();
    query('budget.getCaps')
      .then(setCaps)
      .catch(() => setCaps(null));
  }, [id]);
  useEffect(() => {
    if (!optionId) return;
    setView(null);
    query('approvals.view', { planId: id, optionId })
      .then((answer) => setView(answer.view))
      .catch(setError);
  }, [id, optionId]);

  if (!plan) return error ? <ErrorNote error={error} /> : <p class="muted">Loading…</p>;
  const options = plan.document?.options.map((o) => ({ id: o.optionId, title: o.title })) ?? [
    { id: plan.recommendedOptionId, title: plan.recommendedOptionId },
  ];
  const now = Date.now();
  const gateRoles = new Set(plan.gates.flatMap((gate) => gateRolesAt(gate, now)));
  const myRoles = (session?.approvalRoles ?? []).filter(
    (role) => gateRoles.size === 0 || gateRoles.has(role),
  );
  const awaiting = plan.state === 'awaiting_approval';
  const decidedByMe = plan.approvals.some((approval) => approval.approver === session?.subject);
  return (
    <section class="plan">
      <h1>
        Plan <code data-testid="plan-id">{plan.planId}</code>
      </h1>
      <p>
        State: <strong data-testid="plan-state">{plan.state}</strong>
        {plan.reasonCode ? ` (${plan.reasonCode})` : ''} · workflow {plan.workflowId} · digest{' '}
        <code>{plan.digest}</code>
      </p>
      {awaiting ? (
        <p>
          Approval deadline: <Countdown deadline={plan.approvalDeadline} />
        </p>
      ) : null}
      <h2>Who has decided</h2>
      <Decided plan={plan} />
      <ul class="gates">
        {plan.gates.map((gate) => (
          <li key={gate.gateId}>
            Gate {gate.gateId}: {gate.approvers.length}/{gate.quorum} of {gate.roles.join(' or ')}
            {gate.satisfied ? ' ✓' : ''}
            {gate.deadline ? (
              <span data-testid="gate-deadline">
                {' '}
                · deadline {gate.deadline.at}:{' '}
                {gate.deadline.action === 'escalate'
                  ? `escalates to ${(gate.deadline.backupRoles ?? []).join(', ')}`
                  : 'the plan is rejected'}
                {gate.deadline.escalated ? ' (escalated)' : ''}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      <nav class="tabs" data-testid="options">
        {options.map((option) => (
          <button
            type="button"
            key={option.id}
            class={option.id === optionId ? 'tab active' : 'tab'}
            data-option={option.id}
            onClick={() => setOptionId(option.id)}
          >
            {option.title}
            {option.id === plan.recommendedOptionId ? ' (recommended)' : ''}
          </button>
        ))}
      </nav>
      {notice ? (
        <p class="ok" data-testid="notice">
          {notice}
        </p>
      ) : null}
      <ErrorNote error={error} />
      {view ? (
        <>
          <ApprovalViewPanel view={view} caps={caps} />
          {decidedByMe ? <p class="muted">You have decided on this plan.</p> : null}
          {awaiting && !decidedByMe && myRoles.length > 0 ? (
            <DecisionForm
              key={view.option.optionId}
              view={view}
              roles={myRoles}
              onDecided={(decision) => {
                setNotice(
                  decision === 'approve'
                    ? 'Your approval is recorded.'
                    : 'Your rejection is recorded.',
                );
                void load();
              }}
            />
          ) : null}
        </>
      ) : null}
    </section>
  );
}
