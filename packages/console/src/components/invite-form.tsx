/** Invite a person (`approvers.invite`, operators): subject, approval roles, access; shows the one-time link. */
import type { WireOutput } from '@handoff/protocol';
import { useState } from 'preact/hooks';
import { mutate } from '../lib/rpc.js';
import { ErrorNote } from './notice.js';
import { TextField } from './text-field.js';

const ACCESS = ['approver', 'operator', 'auditor'] as const;

export function InviteForm() {
  const [subject, setSubject] = useState('');
  const [roles, setRoles] = useState('');
  const [access, setAccess] = useState<(typeof ACCESS)[number]>('approver');
  const [invitation, setInvitation] = useState<WireOutput<'approvers.invite'> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const invite = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const list = roles
        .split(',')
        .map((role) => role.trim())
        .filter(Boolean);
      setInvitation(await mutate('approvers.invite', { subject, roles: list, access: [access] }));
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section class="card">
      <h2>Invite a person</h2>
      <form class="inline" onSubmit={invite}>
        <TextField
          placeholder="subject, e.g. fiona.finance"
          testId="invite-subject"
          value={subject}
          onValue={setSubject}
        />
        <TextField
          placeholder="approval roles, e.g. finance"
          testId="invite-roles"
          value={roles}
          onValue={setRoles}
        />
        <select
          value={access}
          onChange={(e) =>
            setAccess((e.target as HTMLSelectElement).value as (typeof ACCESS)[number])
          }
        >
          {ACCESS.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
        <button type="submit" data-testid="invite">
          Invite
        </button>
      </form>
      {invitation ? (
        <p class="ok">
          Send this one-time link to {invitation.subject} (expires {invitation.expiresAt}):{' '}
          <code data-testid="enrolment-url">{invitation.enrolmentUrl}</code>
        </p>
      ) : null}
      <ErrorNote error={error} />
    </section>
  );
}
