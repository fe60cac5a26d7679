import { IdentifierSchema } from '@handoff/protocol';
import { z } from 'zod';

/**
 * What happens (`action`) when an approval gate is still open at its deadline, `afterSeconds` after the plan was
 * received:
 * - `reject` (the default, the safe one): the plan is rejected (`APPROVAL_DEADLINE_REACHED`) and its budget
 *   released;
 * - `escalate`: holders of `backupRoles` may approve under the gate from then on, as well as its own roles (the
 *   plan waits on, up to its approval window), recorded once as `approval.escalated` and notified.
 * The gateway's expiry sweep enforces it (see `escalateDuePlans`). A deadline after the policy's approval window
 * never comes: the window expires the plan first.
 */
export const GateEscalationSchema = z
  .strictObject({
    afterSeconds: z.int().min(60).max(31_536_000),
    action: z.enum(['escalate', 'reject']).default('reject'),
    backupRoles: z
      .array(IdentifierSchema)
      .min(1)
      .max(20)
      .refine((roles) => new Set(roles).size === roles.length, {
        message: 'Each backup role once',
        params: { code: 'DUPLICATE_VALUE' },
      })
      .optional(),
  })
  .refine((e) => e.action !== 'escalate' || e.backupRoles !== undefined, {
    message: 'escalate needs backupRoles: the roles that may approve once the deadline has passed',
    path: ['backupRoles'],
    params: { code: 'MISSING_BACKUP_ROLES' },
  });
/** See {@link GateEscalationSchema}. */
export type GateEscalation = z.infer<typeof GateEscalationSchema>;

/** The parts of an approval gate escalation reads. */
interface EscalatingGate {
  roles: string[];
  escalation?: GateEscalation;
}

/** When a gate's deadline falls, in ms since the epoch, for a plan received at `receivedAtMs`. */
export function gateDeadlineMs(escalation: GateEscalation, receivedAtMs: number): number {
  return receivedAtMs + escalation.afterSeconds * 1000;
}

/** True once an `escalate` gate's deadline has passed at `atMs`: its backup roles may then approve. */
export function isEscalated(gate: EscalatingGate, receivedAtMs: number, atMs: number): boolean {
  const e = gate.escalation;
  return e?.action === 'escalate' && atMs >= gateDeadlineMs(e, receivedAtMs);
}

/**
 * The gates as they stand at `atMs`: an escalated gate (see {@link isEscalated}) also admits its backup roles.
 * Deterministic in its inputs, so the approval path and the plan view agree with the sweep without a stored flag.
 */
export function gatesAt<G extends EscalatingGate>(
  gates: readonly G[],
  receivedAtMs: number,
  atMs: number,
): G[] {
  return gates.map((gate) =>
    isEscalated(gate, receivedAtMs, atMs)
      ? { ...gate, roles: [...new Set([...gate.roles, ...(gate.escalation?.backupRoles ?? [])])] }
      : gate,
  );
}
