/**
 * Dead letters and in-doubt dispatches on the operator page (`dispatch.list`), each with what an operator may do:
 * retry (dead or in doubt), confirm (in doubt: the platform did carry it out) or abandon, with a reason.
 */
import type { WireOutput } from '@handoff/protocol';
import { useState } from 'preact/hooks';
import { mutate } from '../lib/rpc.js';
import { ErrorNote } from './notice.js';
import { TextField } from './text-field.js';

type Row = WireOutput<'dispatch.list'>[number];

export function DispatchQueue(props: { rows: Row[]; onChange(): void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const resolve = async (row: Row, resolution: 'retry' | 'confirm' | 'abandon') => {
    setError(null);
    try {
      const input = {
        idempotencyKey: row.idempotencyKey,
        reason: reason || `operator ${resolution}`,
      };
      if (resolution === 'retry') await mutate('dispatch.retry', input);
      else if (resolution === 'confirm') await mutate('dispatch.confirm', input);
      else await mutate('dispatch.abandon', input);
      props.onChange();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section class="card">
      <h2>Dead letters and in-doubt dispatches</h2>
      {props.rows.length === 0 ? (
        <p data-testid="no-dispatch-issues">None: every dispatch is settled or on its way.</p>
      ) : (
        <>
          <TextField placeholder="reason for the resolution" value={reason} onValue={setReason} />
          <table data-testid="dispatch-issues">
            <thead>
              <tr>
                <th>Plan / action</th>
                <th>Adapter</th>
                <th>Status</th>
                <th>Attempts</th>
                <th>Last error</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {props.rows.map((row) => (
                <tr key={row.idempotencyKey}>
                  <td>
                    <a href={`/console/plans/${row.planId}`}>{row.planId}</a> / {row.actionId}
                  </td>
                  <td>{row.adapter}</td>
                  <td>{row.status}</td>
                  <td>{row.attempts}</td>
                  <td>{row.lastError ?? ''}</td>
                  <td>
                    <button type="button" onClick={() => resolve(row, 'retry')}>
                      Retry
                    </button>
                    {row.status === 'in_doubt' ? (
                      <button type="button" onClick={() => resolve(row, 'confirm')}>
                        Confirm done
                      </button>
                    ) : null}
                    <button type="button" onClick={() => resolve(row, 'abandon')}>
                      Abandon
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <ErrorNote error={error} />
    </section>
  );
}
