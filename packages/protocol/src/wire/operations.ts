/**
 * The operator procedures' inputs and outputs: `budget.*` (caps), `control.*` (kill switches), `dispatch.*`
 * (outbox rows, dead letters and in-doubt dispatches), and `health`.
 */
import { z } from 'zod';
import { MoneySchema } from '../money.js';
import { IdentifierSchema, PlanIdSchema, TimestampSchema } from '../primitives.js';
import { PlanViewSchema } from './plan-view.js';
import { ReasonSchema } from './plans.js';
import {
  BUDGET_PERIODS,
  CAP_SCOPE_TYPES,
  CONTROL_SCOPES,
  OUTBOX_STATUSES,
  OutboxStatusSchema,
  PlanStateSchema,
} from './vocabulary.js';

/** A time in integer milliseconds since the Unix epoch (UTC). */
const EpochMsSchema = z.int().min(0);

/**
 * A budget cap: `limit` (integer minor units) per `period` (`day`, `week`, `month`, `total`, counted in
 * `timeZone`, an IANA name, default `UTC`) over a `scope` (the tenant, a workflow, a channel or an adapter).
 */
export const BudgetCapSchema = z
  .strictObject({
    capId: IdentifierSchema,
    tenantId: IdentifierSchema,
    scope: z.strictObject({ type: z.enum(CAP_SCOPE_TYPES), value: IdentifierSchema }),
    period: z.enum(BUDGET_PERIODS),
    limit: MoneySchema,
    timeZone: z.string(),
  })
  .meta({
    id: 'BudgetCap',
    description: 'A budget cap: limit (minor units) per period over a scope, counted in timeZone.',
  });

/**
 * How much of a cap its current period holds (`budget.getCaps`, additive to {@link BudgetCapSchema}), all in the
 * cap's currency, integer minor units: `limit` (the cap's), `reserved` (held by plans not yet dispatched or
 * settled), `committed` (spent), `headroom` (`limit - reserved - committed`, never below 0: what a new plan may
 * still ask of this cap in this period). `periodKey` names the period counted in the cap's `timeZone` at the time
 * of the answer (`total`, `day:2026-11-21`, `week:2026-W47`, `month:2026-11`); `periodStart` and `periodEnd` are
 * its bounds, RFC 3339 UTC (`null` for `total`, which has none).
 */
export const BudgetCapUsageSchema = z
  .strictObject({
    periodKey: z.string(),
    periodStart: TimestampSchema.nullable(),
    periodEnd: TimestampSchema.nullable(),
    limit: MoneySchema,
    reserved: MoneySchema,
    committed: MoneySchema,
    headroom: MoneySchema,
  })
  .meta({
    id: 'BudgetCapUsage',
    description:
      "A cap's current period: limit, reserved, committed and headroom, integer minor units of the cap's currency.",
  });

/** What `budget.getCaps` answers per cap: the cap and its current period's {@link BudgetCapUsageSchema}. */
export const BudgetCapWithUsageSchema = BudgetCapSchema.extend({
  usage: BudgetCapUsageSchema,
}).meta({
  id: 'BudgetCapWithUsage',
  description: 'A budget cap and the usage of its current period.',
});

/**
 * The input of `budget.setCaps`: the tenant's whole cap list, replacing the current one. Each cap is a
 * {@link BudgetCapSchema} (`timeZone` optional); the gateway validates the list and refuses it whole with
 * `BUDGET_CAP_INVALID` (issues per cap) or `FORBIDDEN` (a cap of another tenant). An empty list removes every cap
 * of the tenant, so it is refused `BUDGET_CAPS_EMPTY` unless `force` is `true`.
 */
export const SetCapsInputSchema = z.strictObject({
  caps: z.unknown().meta({
    description: 'An array of budget caps ({ capId, tenantId, scope, period, limit, timeZone? }).',
  }),
  force: z.boolean().optional().meta({
    description: 'Must be true to replace the caps with an empty list (remove every cap).',
  }),
});

/** What a kill switch pauses: a scope type and its value (tenant id, workflow id, channel, adapter id, model). */
export const ControlTargetSchema = z.strictObject({
  scopeType: z.enum(CONTROL_SCOPES),
  scopeValue: z.string().min(1).max(200),
});

/** The input of `control.pause`: the scope and why. */
export const PauseInputSchema = ControlTargetSchema.extend({ reason: ReasonSchema });

/** An active kill switch of the tenant; `pausedAt` in ms since the epoch. */
export const ControlRecordSchema = z
  .strictObject({
    tenantId: IdentifierSchema,
    scopeType: z.enum(CONTROL_SCOPES),
    scopeValue: z.string(),
    reason: z.string(),
    pausedBy: z.string(),
    pausedAt: EpochMsSchema,
  })
  .meta({
    id: 'ControlRecord',
    description: 'An active kill switch; pausedAt in ms since the epoch.',
  });

/**
 * What `control.list` answers per active kill switch: the control and what it holds: `holding`, each paused plan
 * of the tenant it covers (a plan covered by two controls is listed under both, and resumes when both are lifted),
 * with the state it was paused from.
 */
export const ControlStatusSchema = ControlRecordSchema.extend({
  holding: z.array(z.strictObject({ planId: PlanIdSchema, pausedFrom: PlanStateSchema })),
}).meta({
  id: 'ControlStatus',
  description: 'An active kill switch and the paused plans it holds (with the state each left).',
});

/** What `control.pause` and `control.resume` answer: the plans the switch paused or resumed. */
export const ControlResultSchema = z.array(PlanViewSchema);

/** The input of `dispatch.list`: filters, at most `limit` rows (1-500). */
export const DispatchListInputSchema = z.strictObject({
  planId: PlanIdSchema.optional(),
  statuses: z.array(OutboxStatusSchema).max(OUTBOX_STATUSES.length).optional(),
  limit: z.int().min(1).max(500).optional(),
});

/**
 * The input of `dispatch.retry` (a `dead` or `in_doubt` row is sent again), `dispatch.abandon` (given up) and
 * `dispatch.confirm` (an `in_doubt` row the platform did carry out): the row's idempotency key and why.
 */
export const DispatchResolutionInputSchema = z.strictObject({
  idempotencyKey: z.string().min(1).max(255),
  reason: ReasonSchema,
});

/**
 * One dispatch (an outbox row: one action of the plan's option, sent to its adapter). `nextAttemptAt`,
 * `createdAt` and `updatedAt` are in ms since the epoch; `lastError` is the last failure's text.
 */
export const OutboxRowSchema = z
  .strictObject({
    idempotencyKey: z.string(),
    planId: PlanIdSchema,
    tenantId: IdentifierSchema,
    optionId: IdentifierSchema,
    actionIndex: z.int().min(0),
    actionId: IdentifierSchema,
    adapter: z.string(),
    status: OutboxStatusSchema,
    attempts: z.int().min(0),
    nextAttemptAt: EpochMsSchema,
    lastError: z.string().nullable(),
    receiptDigest: z.string().nullable(),
    reverses: z.string().optional().meta({
      description: 'On a compensation (rollback): the idempotency key of the action it reverses.',
    }),
    createdAt: EpochMsSchema,
    updatedAt: EpochMsSchema,
  })
  .meta({
    id: 'OutboxRow',
    description: 'One dispatch (outbox row); times in ms since the epoch.',
  });

/** What `health` answers (no credential needed): the gateway's id, its active policy version and its clock. */
export const HealthSchema = z
  .strictObject({
    status: z.literal('ok'),
    gatewayId: z.string(),
    policyVersion: z.string(),
    time: TimestampSchema,
    witness: z
      .strictObject({
        status: z.enum(['ok', 'failing']),
        file: z.string(),
        lastTreeSize: z.int().min(0),
        failedWrites: z.int().min(0),
        lastError: z.string().optional(),
      })
      .optional()
      .meta({
        description:
          'The witness file of signed tree heads (checkpoints.witnessFile), when configured: failing while heads cannot be appended (checkpoints are then not published).',
      }),
  })
  .meta({ id: 'Health', description: 'Liveness: gateway id, active policy version, clock.' });
