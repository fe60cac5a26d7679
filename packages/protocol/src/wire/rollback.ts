/**
 * The input and output of `plans.rollback`: the compensating actions of a dispatched plan, queued through the
 * gateway's outbox, and every action that cannot be undone, listed with why.
 */
import { z } from 'zod';
import { ACTION_TYPES, type ActionType } from '../action.js';
import { IdentifierSchema, PlanIdSchema } from '../primitives.js';
import { ReasonSchema } from './plans.js';

/** The input of `plans.rollback`: the plan, and why (kept in lineage). */
export const RollbackInputSchema = z.strictObject({ planId: PlanIdSchema, reason: ReasonSchema });

const ActionTypeSchema = z.enum(ACTION_TYPES as [ActionType, ...ActionType[]]);

/** Why a dispatched action is not compensated. */
export const IRREVERSIBLE_REASONS = [
  'not_reversible',
  'adapter_cannot_reverse',
  'no_reversal_captured',
  'send_time_passed',
] as const;

/** One compensation: the action it reverses (by its idempotency key) and its own deterministic key. */
export const CompensationSchema = z.strictObject({
  idempotencyKey: z.string().meta({ description: "The compensation's own outbox key." }),
  reverses: z.string().meta({ description: 'The idempotency key of the dispatched action.' }),
  actionIndex: z.int().min(0),
  actionId: IdentifierSchema,
  type: ActionTypeSchema,
  adapter: z.string(),
  method: z.string().meta({ description: 'How it is undone (ReversalMethod of the contract).' }),
});

/** One dispatched action that is not compensated, with why (never skipped silently). */
export const IrreversibleActionSchema = z.strictObject({
  reverses: z.string(),
  actionIndex: z.int().min(0),
  actionId: IdentifierSchema,
  type: ActionTypeSchema,
  adapter: z.string(),
  reason: z.enum(IRREVERSIBLE_REASONS),
  message: z.string(),
});

/**
 * What `plans.rollback` answers. `status`: `awaiting_approval` (the gateway's rollback policy asks for more
 * operators: `approvals.required` distinct operators other than the requester, who call `plans.rollback` again) or
 * `queued` (the compensations are in the outbox). `untouched` lists actions that never took effect (failed,
 * abandoned): nothing to undo.
 */
export const RollbackResultSchema = z
  .strictObject({
    planId: PlanIdSchema,
    status: z.enum(['awaiting_approval', 'queued']),
    requestedBy: z.string(),
    approvals: z.strictObject({
      required: z.int().min(0),
      approvedBy: z.array(z.string()),
    }),
    compensations: z.array(CompensationSchema),
    irreversible: z.array(IrreversibleActionSchema),
    untouched: z.array(z.strictObject({ actionIndex: z.int().min(0), status: z.string() })),
  })
  .meta({
    id: 'RollbackResult',
    description:
      'A rollback: compensations queued or awaiting approval, and what cannot be undone.',
  });
export type RollbackResult = z.infer<typeof RollbackResultSchema>;
