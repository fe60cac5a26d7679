/**
 * The operator page: the kill switch by scope with what each pause holds, the caps with limit, reserved,
 * committed and headroom of their current period, dead letters and in-doubt dispatches to resolve, and invitations.
 */
import type { WireOutput } from '@handoff/protocol';
import { useEffect, useState } from 'preact/hooks';
import { DispatchQueue } from '../components/dispatch-queue.js';
import { InviteForm } from '../components/invite-form.js';
import { KillSwitches } from '../components/kill-switches.js';
import { ErrorNote } from '../components/notice.js';
import { formatMoney } from '../lib/format.js';
import { query } from '../lib/rpc.js';

interface OperatorData {
  controls: WireOutput<'control.list'>;
  caps: WireOutput<'budget.getCaps'>;
  issues: WireOutput<'dispatch.list'>;
}

async function loadAll(): Promise<OperatorData> {
  const [controls, caps, issues] = await Promise.all([
    query('control.list'),
    query('budget.getCaps'),
    query('dispatch.list', { statuses: ['dead', 'in_doubt'], limit: 500 }),
  ]);
  return { controls, caps, issues };
}

export function OperatorPage() {
  const [data, setData] = useState<OperatorData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = () => void loadAll().then(setData).catch(setError);
  useEffect(reload, []);
  if (!data) return error ? <ErrorNote error={error} /> : <p class="muted">Loading…</p>;
  return (
    <section>
      <h1>Operations</h1>
      <KillSwitches controls={data.controls} onChange={reload} />
      <section class="card">
        <h2>Budget caps</h2>
        <table data-testid="caps">
          <thead>
            <tr>
              <th>Cap</th>
              <th>Scope</th>
              <th>Period</th>
              <th>Limit</th>
              <th>Reserved</th>
              <th>Committed</th>
              <th>Headroom</th>
            </tr>
          </thead>
          <tbody>
            {data.caps.map((cap) => (
              <tr key={cap.capId}>
                <td>{cap.capId}</td>
                <td>
                  {cap.scope.type} {cap.scope.value}
                </td>
                <td>
                  {cap.period} ({cap.usage.periodKey})
                </td>
                <td>{formatMoney(cap.usage.limit)}</td>
                <td>{formatMoney(cap.usage.reserved)}</td>
                <td>{formatMoney(cap.usage.committed)}</td>
                <td>{formatMoney(cap.usage.headroom)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <DispatchQueue rows={data.issues} onChange={reload} />
      <InviteForm />
      <ErrorNote error={error} />
    </section>
  );
}
