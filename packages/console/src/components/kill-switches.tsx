/**
 * The kill switch on the operator page: the active pauses (`control.list`), each with the plans it holds and the
 * state each left, and a resume button, and a form to pause a scope with a reason.
 */
import type { ControlScope, WireOutput } from '@handoff/protocol';
import { useState } from 'preact/hooks';
import { mutate } from '../lib/rpc.js';
import { ErrorNote } from './notice.js';
import { TextField } from './text-field.js';

type Control = WireOutput<'control.list'>[number];

const SCOPES: readonly ControlScope[] = [
  'tenant',
  'workflow',
  'channel',
  'adapter',
  'copilot_model',
];

export function KillSwitches(props: { controls: Control[]; onChange(): void }) {
  const [scopeType, setScopeType] = useState<ControlScope>('tenant');
  const [scopeValue, setScopeValue] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const act = async (run: () => Promise<unknown>) => {
    setError(null);
    try {
      await run();
      props.onChange();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section class="card">
      <h2>Kill switch</h2>
      {props.controls.length === 0 ? <p data-testid="no-pauses">Nothing is paused.</p> : null}
      <ul data-testid="pauses">
        {props.controls.map((control) => {
          const plans = control.holding;
          return (
            <li key={`${control.scopeType}:${control.scopeValue}`}>
              <strong>
                {control.scopeType} {control.scopeValue}
              </strong>{' '}
              paused by {control.pausedBy} at {new Date(control.pausedAt).toISOString()}:{' '}
              {control.reason}. Holds {plans.length} plan{plans.length === 1 ? '' : 's'}
              {plans.length
                ? `: ${plans.map((plan) => `${plan.planId} (was ${plan.pausedFrom})`).join(', ')}`
                : ''}
              .{' '}
              <button
                type="button"
                onClick={() =>
                  act(() =>
                    mutate('control.resume', {
                      scopeType: control.scopeType,
                      scopeValue: control.scopeValue,
                    }),
                  )
                }
              >
                Resume
              </button>
            </li>
          );
        })}
      </ul>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          void act(() => mutate('control.pause', { scopeType, scopeValue, reason }));
        }}
      >
        <select
          data-testid="pause-scope"
          value={scopeType}
          onChange={(e) => setScopeType((e.target as HTMLSelectElement).value as ControlScope)}
        >
          {SCOPES.map((scope) => (
            <option key={scope}>{scope}</option>
          ))}
        </select>
        <TextField
          placeholder="scope value (tenant id, workflow id, …)"
          testId="pause-value"
          value={scopeValue}
          onValue={setScopeValue}
        />
        <TextField placeholder="reason" testId="pause-reason" value={reason} onValue={setReason} />
        <button type="submit" data-testid="pause">
          Pause
        </button>
      </form>
      <ErrorNote error={error} />
    </section>
  );
}
