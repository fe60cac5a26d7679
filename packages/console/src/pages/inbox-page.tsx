/**
 * The inbox: plans awaiting approval in one of the approval roles the signed-in person holds, on a gate not yet
 * satisfied that they have not approved, with a countdown to each approval deadline. Refreshed every 5 seconds.
 */
import type { WireOutput } from '@handoff/protocol';
import { useEffect, useState } from 'preact/hooks';
import { Countdown } from '../components/countdown.js';
import { ErrorNote } from '../components/notice.js';
import { gateRolesAt } from '../lib/gates.js';
import { query } from '../lib/rpc.js';
import { type Session, useSession } from '../session.js';

type PlanSummary = WireOutput<'plans.list'>['items'][number];

/** True when `plan` waits for `session`: an open gate asks for a role they hold and they have not approved it. */
export function waitsFor(plan: PlanSummary, session: Session, nowMs: number): boolean {
  if (plan.state !== 'awaiting_approval') return false;
  return plan.gates.some(
    (gate) =>
      !gate.satisfied &&
      !gate.approvers.includes(session.subject) &&
      gateRolesAt(gate, nowMs).some((role) => session.approvalRoles.includes(role)),
  );
}

/** The next deadline of `plan`: the earliest open gate deadline not yet passed, else its approval deadline. */
function nextDeadline(plan: PlanSummary): string {
  const gates = plan.gates
    .filter((gate) => !gate.satisfied && gate.deadline && !gate.deadline.escalated)
    .map((gate) => gate.deadline?.at ?? plan.approvalDeadline);
  return [...gates, plan.approvalDeadline].sort()[0] ?? plan.approvalDeadline;
}

export function InboxPage() {
  const { session } = useSession();
  const [plans, setPlans] = useState<PlanSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const load = () =>
      query('plans.list', { states: ['awaiting_approval'], limit: 200 })
        .then((page) => setPlans(page.items))
        .catch(setError);
    void load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, []);
  if (!session) return null;
  const mine = (plans ?? []).filter((plan) => waitsFor(plan, session, Date.now()));
  return (
    <section>
      <h1>Waiting for you</h1>
      <p class="muted">
        Plans awaiting approval in your roles: {session.approvalRoles.join(', ') || 'none'}.
      </p>
      <ErrorNote error={error} />
      {plans === null ? (
        <p class="muted">Loading…</p>
      ) : mine.length === 0 ? (
        <p data-testid="inbox-empty">Nothing is waiting for you.</p>
      ) : (
        <table class="inbox" data-testid="inbox">
          <thead>
            <tr>
              <th>Plan</th>
              <th>Workflow</th>
              <th>Gates</th>
              <th>Deadline</th>
            </tr>
          </thead>
          <tbody>
            {mine.map((plan) => (
              <tr key={plan.planId} data-plan={plan.planId}>
                <td>
                  <a href={`/console/plans/${plan.planId}`}>{plan.planId}</a>
                </td>
                <td>{plan.workflowId}</td>
                <td>
                  {plan.gates
                    .map(
                      (gate) => `${gate.roles.join('/')} ${gate.approvers.length}/${gate.quorum}`,
                    )
                    .join(', ')}
                </td>
                <td>
                  <Countdown deadline={nextDeadline(plan)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
