import {
  ActorSchema,
  IdentifierSchema,
  LINEAGE_EVENT_TYPES,
  PlanIdSchema,
  TimestampSchema,
} from '@handoff/protocol';
import { z } from 'zod';
import {
  RegisterApproverInputSchema,
  RevokeApproverInputSchema,
  RotateApproverInputSchema,
} from '../approvals/approver-admin.js';
import type { DispatchResolution } from '../dispatch/dead-letters.js';
import {
  type BatchPlanItem,
  SubmitInputSchema,
  submitPlanBatch,
} from '../pipeline/submit-batch.js';
import { PLAN_STATES } from '../plan-state.js';
import { OUTBOX_STATUSES } from '../store/store.js';
import { authedProcedure, publicProcedure, router } from './trpc.js';

const ControlTargetSchema = z.strictObject({
  scopeType: z.enum(['tenant', 'workflow', 'channel', 'adapter', 'copilot_model']),
  scopeValue: z.string().min(1).max(200),
});

const DispatchResolutionInputSchema = z.strictObject({
  idempotencyKey: z.string().min(1).max(255),
  reason: z.string().min(1).max(1000),
});

/** What `lineage.trace` answers an input that is none of its three shapes. */
const TRACE_INPUT_MESSAGE =
  'Expected exactly one of planId, idempotencyKey or actionId (actionId optionally with planId), each a non-empty string';

/** The mutation of one operator resolution of a dead letter or in-doubt dispatch. */
function dispatchResolution(resolution: DispatchResolution) {
  return authedProcedure
    .input(DispatchResolutionInputSchema)
    .mutation(({ ctx, input }) =>
      ctx.gateway.resolveDispatch(ctx.principal, { ...input, resolution }),
    );
}

/**
 * The gateway's tRPC v11 router. Inputs are validated with zod (plans with the protocol's own schemas, inside
 * the gateway, so their issues are the contract's); every procedure but `health` needs a bearer credential, and
 * the gateway checks the caller's role and tenant (see `OPERATION_ROLES`).
 */
export const appRouter = router({
  health: publicProcedure.query(({ ctx }) => ctx.gateway.health()),
  plans: router({
    submit: authedProcedure
      .input(SubmitInputSchema)
      .mutation(({ ctx, input }) =>
        ctx.gateway.submitPlan(ctx.principal, input.plan, input.signature),
      ),
    // 1 to MAX_BATCH_PLANS items, each checked and submitted on its own as plans.submit (so a malformed item is
    // refused alone); one result per item, in order (see submitPlanBatch).
    submitBatch: authedProcedure
      .input(z.strictObject({ plans: z.array(z.custom<BatchPlanItem>()) }))
      .mutation(({ ctx, input }) => submitPlanBatch(ctx.gateway, ctx.principal, input.plans)),
    // The body of plans.submit; a signature is verified as plans.submit verifies it (see Gateway.dryRun).
    dryRun: authedProcedure
      .input(SubmitInputSchema)
      .mutation(({ ctx, input }) => ctx.gateway.dryRun(ctx.principal, input.plan, input.signature)),
    get: authedProcedure
      .input(z.strictObject({ planId: PlanIdSchema }))
      .query(({ ctx, input }) => ctx.gateway.getPlan(ctx.principal, input.planId)),
    list: authedProcedure
      .input(
        z.strictObject({
          states: z.array(z.enum(PLAN_STATES)).max(PLAN_STATES.length).optional(),
          workflowId: IdentifierSchema.optional(),
          cursor: z.string().max(300).optional(),
          limit: z.int().min(1).max(500).optional(),
        }),
      )
      .query(({ ctx, input }) => ctx.gateway.listPlans(ctx.principal, input)),
    cancel: authedProcedure
      .input(z.strictObject({ planId: PlanIdSchema, reason: z.string().min(1).max(1000) }))
      .mutation(({ ctx, input }) =>
        ctx.gateway.cancelPlan(ctx.principal, input.planId, input.reason),
      ),
  }),
  approvals: router({
    submit: authedProcedure
      .input(z.strictObject({ token: z.string().min(1).max(16_384) }))
      .mutation(({ ctx, input }) => ctx.gateway.submitApproval(ctx.principal, input.token)),
  }),
  approvers: router({
    list: authedProcedure.query(({ ctx }) => ctx.gateway.listApprovers(ctx.principal)),
    register: authedProcedure
      .input(RegisterApproverInputSchema)
      .mutation(({ ctx, input }) => ctx.gateway.registerApprover(ctx.principal, input)),
    revoke: authedProcedure
      .input(RevokeApproverInputSchema)
      .mutation(({ ctx, input }) => ctx.gateway.revokeApprover(ctx.principal, input)),
    rotate: authedProcedure
      .input(RotateApproverInputSchema)
      .mutation(({ ctx, input }) => ctx.gateway.rotateApprover(ctx.principal, input)),
  }),
  budget: router({
    getCaps: authedProcedure.query(({ ctx }) => ctx.gateway.getCaps(ctx.principal)),
    setCaps: authedProcedure
      .input(z.strictObject({ caps: z.unknown() }))
      .mutation(({ ctx, input }) => ctx.gateway.setCaps(ctx.principal, input.caps)),
  }),
  control: router({
    pause: authedProcedure
      .input(ControlTargetSchema.extend({ reason: z.string().min(1).max(1000) }))
      .mutation(({ ctx, input }) =>
        ctx.gateway.pause(
          ctx.principal,
          { scopeType: input.scopeType, scopeValue: input.scopeValue },
          input.reason,
        ),
      ),
    resume: authedProcedure
      .input(ControlTargetSchema)
      .mutation(({ ctx, input }) => ctx.gateway.resume(ctx.principal, input)),
    list: authedProcedure.query(({ ctx }) => ctx.gateway.listControls(ctx.principal)),
  }),
  dispatch: router({
    list: authedProcedure
      .input(
        z.strictObject({
          planId: PlanIdSchema.optional(),
          statuses: z.array(z.enum(OUTBOX_STATUSES)).max(OUTBOX_STATUSES.length).optional(),
          limit: z.int().min(1).max(500).optional(),
        }),
      )
      .query(({ ctx, input }) => ctx.gateway.listDispatches(ctx.principal, input)),
    retry: dispatchResolution('retry'),
    abandon: dispatchResolution('abandon'),
    confirm: dispatchResolution('confirm'),
  }),
  lineage: router({
    query: authedProcedure
      .input(
        z.strictObject({
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
        }),
      )
      .query(({ ctx, input }) => ctx.gateway.queryLineage(ctx.principal, input)),
    trace: authedProcedure
      .input(
        z.union(
          [
            z.strictObject({ planId: PlanIdSchema }),
            z.strictObject({ idempotencyKey: z.string().min(1).max(255) }),
            z.strictObject({ actionId: IdentifierSchema, planId: PlanIdSchema.optional() }),
          ],
          { error: TRACE_INPUT_MESSAGE },
        ),
      )
      .query(({ ctx, input }) => ctx.gateway.traceLineage(ctx.principal, input)),
  }),
});

/** The router's type, for typed clients (`@trpc/client`). */
export type AppRouter = typeof appRouter;
