/**
 * The `lineage.*` procedures' inputs and outputs: a page of the tenant's hash-chained lineage events, and the
 * trace of one plan (or one of its dispatches) from the platform receipts back to its data.
 */
import { z } from 'zod';
import { ActorSchema, LINEAGE_EVENT_TYPES, LineageEventSchema } from '../lineage-event.js';
import { MoneySchema } from '../money.js';
import { CopilotIdentitySchema } from '../plan.js';
import { IdentifierSchema, PlanIdSchema, TimestampSchema } from '../primitives.js';

/**
 * The input of `lineage.query`: filters (all optional, combined with AND), `cursor` the `nextCursor` of the page
 * before (an opaque position in commit order, not a `seq`).
 */
export const LineageQueryInputSchema = z.strictObject({
  planId: PlanIdSchema.optional(),
  types: z.array(z.enum(LINEAGE_EVENT_TYPES)).max(LINEAGE_EVENT_TYPES.length).optional(),
  actorId: z.string().max(200).optional(),
  actorType: ActorSchema.shape.type.optional(),
  workflowId: IdentifierSchema.optional(),
  adapter: IdentifierSchema.optional(),
  from: TimestampSchema.optional(),
  to: TimestampSchema.optional(),
  cursor: z.string().regex(/^\d+$/).max(20).optional(),
  limit: z.int().min(1).max(500).optional(),
});

/** What `lineage.trace` answers an input that is none of its three shapes. */
export const TRACE_INPUT_MESSAGE =
  'Expected exactly one of planId, idempotencyKey or actionId (actionId optionally with planId), each a non-empty string';

/**
 * The input of `lineage.trace`: a plan (`{ planId }`), one dispatch (`{ idempotencyKey }`), or the dispatches of
 * an action (`{ actionId, planId? }`: of `planId` when given, else of the most recent plan with that action).
 */
export const LineageTraceInputSchema = z.union(
  [
    z.strictObject({ planId: PlanIdSchema }),
    z.strictObject({ idempotencyKey: z.string().min(1).max(255) }),
    z.strictObject({ actionId: IdentifierSchema, planId: PlanIdSchema.optional() }),
  ],
  { error: TRACE_INPUT_MESSAGE },
);

/**
 * A page of lineage events in commit order; `nextCursor`, the position of the last, is absent on the last page. A
 * gateway on PostgreSQL pages in log order and ends a page with room left with the events its transparency log has
 * not sequenced yet: a cursor resumes after the log part read, so such an event may be listed again once sequenced
 * (within the maximum merge delay), never missed.
 */
export const LineagePageSchema = z
  .strictObject({
    items: z.array(LineageEventSchema),
    nextCursor: z.string().optional(),
  })
  .meta({
    id: 'LineagePage',
    description:
      'A page of lineage events in commit order (on PostgreSQL, log order; an event not sequenced yet may be listed again once sequenced); nextCursor absent on the last page.',
  });

/** One lineage event as a trace lists it: its place in the log, time, actor, facts and chain hash. */
export const TracedEventSchema = z
  .strictObject({
    seq: z.int().min(1),
    type: z.enum(LINEAGE_EVENT_TYPES),
    occurredAt: TimestampSchema,
    actor: ActorSchema,
    refs: z.record(z.string(), z.string()),
    data: z.record(z.string(), z.unknown()),
    hash: z.string(),
  })
  .meta({ id: 'TracedEvent', description: 'One lineage event as a trace lists it.' });

const TracedEventsSchema = z.array(TracedEventSchema);

/** A budget ledger line of the plan as it stands (minor units; times RFC 3339 UTC). */
const TracedLedgerLineSchema = z.strictObject({
  capId: z.string(),
  periodKey: z.string(),
  amountMinor: z.int(),
  currency: z.string(),
  status: z.string(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

/** An accepted approval: who, which role and key, the token's id and digest, the most it allowed and when. */
const TracedApprovalSchema = z.strictObject({
  approver: z.string(),
  role: z.string(),
  decision: z.string(),
  optionId: z.string(),
  kid: z.string(),
  jti: z.string(),
  tokenDigest: z.string(),
  maxSpend: z.strictObject({ amountMinor: z.int(), currency: z.string() }),
  receivedAt: TimestampSchema,
});

/** One dispatched action: its outbox row, every dispatch event and the stored platform receipts. */
const TracedDispatchSchema = z.strictObject({
  idempotencyKey: z.string(),
  actionId: z.string(),
  actionIndex: z.int().min(0),
  adapter: z.string(),
  status: z.string(),
  attempts: z.int().min(0),
  receiptDigest: z.string().nullable(),
  events: TracedEventsSchema,
  receipts: z.array(z.strictObject({ digest: z.string(), receipt: z.unknown().optional() })),
});

/**
 * What `lineage.trace` answers: the whole chain behind a plan (or one of its dispatches): the plan, the copilot
 * that proposed it, its inputs, options and actions, the policy evaluations, budget events and ledger, approvals
 * (accepted and refused), dispatches with receipts, kill switches that touched it, and every event in `seq`
 * order. Times are RFC 3339 UTC, money integer minor units, digests `sha256:<hex>`.
 */
export const LineageTraceSchema = z
  .strictObject({
    target: LineageTraceInputSchema,
    plan: z.strictObject({
      planId: PlanIdSchema,
      tenantId: z.string(),
      workflowId: z.string(),
      digest: z.string(),
      state: z.string(),
      reasonCode: z.string().nullable(),
      submittedBy: z.string(),
      receivedAt: TimestampSchema,
      expiresAt: TimestampSchema,
      recommendedOptionId: z.string(),
      selectedOptionId: z.string().nullable(),
    }),
    copilot: CopilotIdentitySchema.optional(),
    inputs: z.array(
      z.strictObject({
        inputId: z.string(),
        kind: z.string(),
        uri: z.string(),
        version: z.string().optional(),
        sha256: z.string().optional(),
      }),
    ),
    options: z.array(
      z.strictObject({
        optionId: z.string(),
        title: z.string(),
        channels: z.array(z.string()),
        actions: z.array(
          z.strictObject({
            actionId: z.string(),
            adapter: z.string(),
            type: z.string(),
            estimatedCost: MoneySchema,
          }),
        ),
      }),
    ),
    policy: z.strictObject({
      version: z.string(),
      policySetId: z.string().optional(),
      label: z.string().optional(),
      evaluations: TracedEventsSchema,
    }),
    budget: z.strictObject({ events: TracedEventsSchema, ledger: z.array(TracedLedgerLineSchema) }),
    approvals: z.strictObject({
      accepted: z.array(TracedApprovalSchema),
      refused: TracedEventsSchema,
    }),
    dispatches: z.array(TracedDispatchSchema),
    controls: TracedEventsSchema,
    events: TracedEventsSchema,
  })
  .meta({
    id: 'LineageTrace',
    description: 'The whole chain behind a plan, from receipts back to its data.',
  });
