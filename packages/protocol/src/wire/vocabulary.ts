/**
 * The closed vocabularies of the gateway's wire API: the roles a caller holds, the states of a plan, the statuses
 * of a dispatch (outbox row), the scopes a kill switch or a budget cap bounds, budget periods and ledger line
 * statuses. Adding a value is additive (next minor version); renaming or removing one is a breaking change.
 */
import { z } from 'zod';

/** The roles a gateway principal can hold. */
export const ROLES = ['copilot', 'approver', 'operator', 'auditor', 'reporter'] as const;
/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/**
 * The states of a plan in the gateway: `received` (never rests there), `awaiting_approval`, `approved`,
 * `dispatching` -> `dispatched` | `partially_failed` | `failed`; terminal `rejected`, `cancelled`, `expired`;
 * `paused` (a kill switch holds it; it resumes to the state it was paused from).
 */
export const PLAN_STATES = [
  'received',
  'awaiting_approval',
  'approved',
  'rejected',
  'dispatching',
  'dispatched',
  'partially_failed',
  'failed',
  'cancelled',
  'expired',
  'paused',
] as const;
/** One of {@link PLAN_STATES}. */
export type PlanState = (typeof PLAN_STATES)[number];
/** A plan state on the wire. */
export const PlanStateSchema = z.enum(PLAN_STATES);

/**
 * Where a dispatch (one action's outbox row) stands: `pending`, `in_flight`, `succeeded`, `in_doubt` (an operator
 * confirms or abandons it), `dead` (an operator retries or abandons it), `abandoned`.
 */
export const OUTBOX_STATUSES = [
  'pending',
  'in_flight',
  'succeeded',
  'in_doubt',
  'dead',
  'abandoned',
] as const;
/** One of {@link OUTBOX_STATUSES}. */
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
/** A dispatch status on the wire. */
export const OutboxStatusSchema = z.enum(OUTBOX_STATUSES);

/** What a kill switch pauses: a whole tenant, a workflow, a channel, an adapter or a copilot model. */
export const CONTROL_SCOPES = [
  'tenant',
  'workflow',
  'channel',
  'adapter',
  'copilot_model',
] as const;
/** One of {@link CONTROL_SCOPES}. */
export type ControlScope = (typeof CONTROL_SCOPES)[number];

/** What a budget cap bounds: the whole tenant, one workflow, one channel or one automation adapter. */
export const CAP_SCOPE_TYPES = ['tenant', 'workflow', 'channel', 'adapter'] as const;

/** A budget cap's period: `day`, `week` (ISO 8601, Monday start), `month` or `total`, in the cap's time zone. */
export const BUDGET_PERIODS = ['day', 'week', 'month', 'total'] as const;

/** A budget ledger line: `reserved` (held for a plan), `committed` (spent), `released` (given back). */
export const LEDGER_STATUSES = ['reserved', 'committed', 'released'] as const;
