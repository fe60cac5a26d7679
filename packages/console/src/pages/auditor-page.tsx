/**
 * The auditor page: trace a plan or one dispatch (`lineage.trace` by plan id or idempotency key) back to its
 * data, model, copilot signature, policy results, budget and approvals (with their evidence, passkey assertions
 * included), and the dispatches with their receipts; every event with its hash, and the log's verification
 * status (the latest signed tree head, each event's inclusion proof checked in the browser: `LogStatus`).
 */
import type { WireOutput } from '@handoff/protocol';
import { useState } from 'preact/hooks';
import { LogStatus } from '../components/log-status.js';
import { ErrorNote } from '../components/notice.js';
import { TextField } from '../components/text-field.js';
import { pretty } from '../lib/format.js';
import { query } from '../lib/rpc.js';

type Trace = WireOutput<'lineage.trace'>;

function Events({ title, events }: { title: string; events: Trace['events'] }) {
  return (
    <details open={events.length <= 6}>
      <summary>
        {title} ({events.length})
      </summary>
      <ol>
        {events.map((event) => (
          <li key={event.hash}>
            <code>{event.type}</code> at {event.occurredAt} by {event.actor.type} {event.actor.id} ·
            hash <code class="hash">{event.hash}</code>
            <pre class="params">{pretty(event.data)}</pre>
          </li>
        ))}
      </ol>
    </details>
  );
}

function TraceView({ trace }: { trace: Trace }) {
  return (
    <article data-testid="trace">
      <h2>
        Plan <code>{trace.plan.planId}</code>: {trace.plan.state}
      </h2>
      <p>
        Digest <code>{trace.plan.digest}</code>, submitted by {trace.plan.submittedBy} at{' '}
        {trace.plan.receivedAt}
      </p>
      <h3>Copilot and model</h3>
      <pre class="params">{pretty(trace.copilot ?? null)}</pre>
      <h3>Data</h3>
      <ul>
        {trace.inputs.map((input) => (
          <li key={input.inputId}>
            {input.inputId} ({input.kind}): <code>{input.uri}</code> {input.version ?? ''}{' '}
            {input.sha256 ?? ''}
          </li>
        ))}
      </ul>
      <h3>Policy {trace.policy.version}</h3>
      <Events title="Policy evaluations" events={trace.policy.evaluations} />
      <h3>Budget</h3>
      <Events title="Budget events" events={trace.budget.events} />
      <pre class="params">{pretty(trace.budget.ledger)}</pre>
      <h3>Approvals</h3>
      <pre class="params" data-testid="trace-approvals">
        {pretty(trace.approvals.accepted)}
      </pre>
      <Events
        title="Accepted approvals with their evidence (passkey assertions: authenticator data, client data, signature)"
        events={trace.events.filter((event) => event.type === 'approval.accepted')}
      />
      <Events title="Refused approvals" events={trace.approvals.refused} />
      <h3>Dispatches</h3>
      {trace.dispatches.map((dispatch) => (
        <div key={dispatch.idempotencyKey} class="action">
          <h4>
            {dispatch.actionId} via {dispatch.adapter}: {dispatch.status} after {dispatch.attempts}{' '}
            attempt(s)
          </h4>
          <pre class="params">{pretty(dispatch.receipts)}</pre>
        </div>
      ))}
      <Events title="Every event of the plan" events={trace.events} />
      <LogStatus events={trace.events} />
    </article>
  );
}

export function AuditorPage() {
  const [target, setTarget] = useState(new URLSearchParams(location.search).get('plan') ?? '');
  const [trace, setTrace] = useState<Trace | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async (event?: Event) => {
    event?.preventDefault();
    setError(null);
    setTrace(null);
    try {
      const value = target.trim();
      const input =
        /^[0-9A-Za-z-]{26,36}$/.test(value) && !value.includes(':')
          ? { planId: value }
          : { idempotencyKey: value };
      setTrace(await query('lineage.trace', input));
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section>
      <h1>Audit</h1>
      <form class="inline" onSubmit={run}>
        <TextField
          placeholder="plan id or dispatch idempotency key"
          testId="trace-target"
          value={target}
          onValue={setTarget}
        />
        <button type="submit" data-testid="trace-run">
          Trace
        </button>
      </form>
      <ErrorNote error={error} />
      {trace ? <TraceView trace={trace} /> : null}
    </section>
  );
}
