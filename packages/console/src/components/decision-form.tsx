/**
 * The decision on one option: approve (optionally narrowing the maximum spend, never widening it) or reject with
 * a reason. Signing: the RFC 8785 SHA-256 digest of the exact view model rendered (`jcsDigest(view)`), then
 * `approvals.passkeyOptions` (the gateway refuses a digest that is not the one of the plan as stored: a stale or
 * altered page), a WebAuthn assertion over the challenge, and `approvals.submitPasskey`.
 */
import { useState } from 'preact/hooks';
import { jcsDigest } from '../lib/digest.js';
import { formatMoney, parseMinor } from '../lib/format.js';
import { signWithPasskey } from '../lib/passkey.js';
import { mutate } from '../lib/rpc.js';
import type { ApprovalView } from './approval-view.js';
import { ErrorNote } from './notice.js';

export interface DecisionFormProps {
  view: ApprovalView;
  /** Approval roles of the signed-in person that the option's gates ask for (several: the person picks one). */
  roles: string[];
  /** Called once the gateway accepted the decision. */
  onDecided(decision: 'approve' | 'reject'): void;
}

export function DecisionForm({ view, roles, onDecided }: DecisionFormProps) {
  const offered = view.option.money.maxSpend;
  const [decision, setDecision] = useState<'approve' | 'reject'>('approve');
  const [spend, setSpend] = useState('');
  const [reason, setReason] = useState('');
  const [role, setRole] = useState(roles[0] ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const narrowed = spend.trim() === '' ? undefined : parseMinor(spend, offered.currency);
  const spendProblem =
    spend.trim() !== '' && narrowed === undefined
      ? `Enter an amount in ${offered.currency}, e.g. 1200.50`
      : narrowed !== undefined && narrowed > offered.amountMinor
        ? `An approval may narrow the maximum spend, never widen it: at most ${formatMoney(offered)}`
        : null;
  const reasonProblem =
    decision === 'reject' && reason.trim() === '' ? 'Say why you reject it' : null;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (spendProblem || reasonProblem) return;
    setBusy(true);
    setError(null);
    try {
      const viewDigest = await jcsDigest(view);
      const maxSpend =
        decision === 'approve' && narrowed !== undefined
          ? { amountMinor: narrowed, currency: offered.currency }
          : undefined;
      const fields = {
        planId: view.planId,
        optionId: view.option.optionId,
        decision,
        viewDigest,
        ...(maxSpend ? { maxSpend } : {}),
      };
      const { statement, options } = await mutate('approvals.passkeyOptions', fields);
      const response = await signWithPasskey(options);
      await mutate('approvals.submitPasskey', {
        ...fields,
        expiresAt: statement.expiresAt,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        ...(roles.length > 1 && role ? { role } : {}),
        response,
      });
      onDecided(decision);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="decision card" onSubmit={submit} data-testid="decision-form">
      <h3>Your decision on “{view.option.title}”</h3>
      <label>
        <input
          type="radio"
          name="decision"
          checked={decision === 'approve'}
          onChange={() => setDecision('approve')}
        />{' '}
        Approve
      </label>
      <label>
        <input
          type="radio"
          name="decision"
          data-testid="choose-reject"
          checked={decision === 'reject'}
          onChange={() => setDecision('reject')}
        />{' '}
        Reject
      </label>
      {decision === 'approve' ? (
        <label class="block">
          Maximum spend (at most {formatMoney(offered)}; leave empty to keep it)
          <input
            type="text"
            inputMode="decimal"
            data-testid="max-spend-input"
            value={spend}
            onInput={(e) => setSpend((e.target as HTMLInputElement).value)}
          />
        </label>
      ) : null}
      {spendProblem ? <p class="error">{spendProblem}</p> : null}
      {roles.length > 1 ? (
        <label class="block">
          Approve as
          <select value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
            {roles.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
      ) : null}
      <label class="block">
        Reason {decision === 'reject' ? '(the copilot reads it back)' : '(optional)'}
        <textarea
          data-testid="reason"
          value={reason}
          onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
        />
      </label>
      {decision === 'reject' && reasonProblem ? <p class="muted">{reasonProblem}</p> : null}
      <button
        type="submit"
        class="primary"
        disabled={busy || !!spendProblem || !!reasonProblem}
        data-testid="sign-decision"
      >
        {decision === 'approve' ? 'Approve' : 'Reject'} with my passkey
      </button>
      <ErrorNote error={error} />
    </form>
  );
}
