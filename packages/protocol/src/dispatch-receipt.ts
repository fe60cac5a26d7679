import { z } from 'zod';
import { MoneySchema } from './money.js';
import {
  DigestSchema,
  IdentifierSchema,
  NameSchema,
  PlanIdSchema,
  PropertiesSchema,
  TextSchema,
  TimestampSchema,
} from './primitives.js';
import { ProtocolVersionSchema } from './version.js';

/**
 * What happened to one dispatched action:
 * - `succeeded`: the platform did it;
 * - `accepted`: the platform queued it (asynchronous platforms);
 * - `failed`: the platform refused it or it could not be sent (see `error`);
 * - `in_doubt`: a request may or may not have reached a platform that offers no idempotency key; an operator
 *   reconciles it (at-most-once delivery, never a blind resend).
 */
export const DispatchStatusSchema = z
  .enum(['succeeded', 'accepted', 'failed', 'in_doubt'])
  .meta({ id: 'DispatchStatus' });
export type DispatchStatus = z.infer<typeof DispatchStatusSchema>;

/**
 * The record of one attempt to execute one action at an automation platform: which plan, option and action, which
 * adapter, the idempotency key, the outcome, the platform's own id for what it did, the actual cost where the
 * platform reports one (integer minor units), and `change`: what the platform changed, for a budget move its budget
 * `from` (as read at dispatch) and `to` (integer minor units with their currency).
 */
export const DispatchReceiptSchema = z
  .strictObject({
    protocolVersion: ProtocolVersionSchema,
    kind: z.literal('DispatchReceipt'),
    planId: PlanIdSchema,
    planDigest: DigestSchema,
    optionId: IdentifierSchema,
    actionId: IdentifierSchema,
    actionIndex: z.int().min(0),
    adapter: IdentifierSchema,
    idempotencyKey: z.string().min(1).max(255),
    attempt: z.int().min(1),
    status: DispatchStatusSchema,
    platformRef: NameSchema.optional().meta({
      description: "The platform's own id for what it did.",
    }),
    actualCost: MoneySchema.optional(),
    reversal: PropertiesSchema.optional().meta({
      description:
        'What undoing the action needs, captured by the adapter at dispatch (e.g. previousBudget); small facts only.',
    }),
    change: z
      .strictObject({ kind: z.literal('budget'), from: MoneySchema, to: MoneySchema })
      .optional()
      .meta({
        description:
          'What the platform changed: for a budget move, the budget before (read at dispatch) and after, integer minor units.',
      }),
    reverses: z.string().min(1).max(255).optional().meta({
      description:
        'On a compensation (rollback): the idempotency key of the dispatched action this attempt reverses.',
    }),
    error: z
      .strictObject({
        code: z
          .string()
          .regex(/^[A-Z][A-Z0-9_]*$/)
          .max(64),
        message: TextSchema,
        retryable: z.boolean(),
        platformStatus: z.int().min(100).max(599).optional(),
      })
      .optional(),
    startedAt: TimestampSchema,
    completedAt: TimestampSchema,
  })
  .meta({
    id: 'DispatchReceipt',
    title: 'DispatchReceipt',
    description:
      'The record of one action dispatched to an automation platform (Handoff protocol v1).',
  });
export type DispatchReceipt = z.infer<typeof DispatchReceiptSchema>;
