import { WIRE_PROCEDURES as WIRE } from '@handoff/protocol';
import { OPERATION_ROLES } from '../access.js';
import { proveConsistency, proveInclusion, treeHead } from '../audit/log-proofs.js';
import { requireRole } from '../auth/principal.js';
import { type ConsoleSession, SESSION_TTL_MS, sessionCookie } from '../auth/sessions.js';
import { sessionView } from '../console/sign-in.js';
import type { DispatchResolution } from '../dispatch/dead-letters.js';
import { GatewayError } from '../errors.js';
import { submitPlanBatch } from '../pipeline/submit-batch.js';
import { submittedViaOf } from './submitted-via.js';
import { authedProcedure, publicProcedure, router } from './trpc.js';

/** The mutation of one operator resolution of a dead letter or in-doubt dispatch. */
function dispatchResolution(resolution: DispatchResolution) {
  return authedProcedure
    .input(WIRE[`dispatch.${resolution}`].input)
    .mutation(({ ctx, input }) =>
      ctx.gateway.resolveDispatch(ctx.principal, { ...input, resolution }),
    );
}

/** The console session of a request authenticated by its cookie, else UNAUTHENTICATED. */
function sessionOf(session: { id: string; session: ConsoleSession } | undefined) {
  if (session === undefined) {
    throw new GatewayError(
      'UNAUTHENTICATED',
      'No console session: this call needs the session cookie',
    );
  }
  return session;
}

/**
 * The gateway's tRPC v11 router: the wire API of `@handoff/protocol` (`WIRE_PROCEDURES`), each procedure's input
 * validated with its protocol schema (plans with the protocol's own document schemas, inside the gateway, so their
 * issues are the contract's). Every procedure but `health` needs a bearer credential, and the gateway checks the
 * caller's role and tenant (see `OPERATION_ROLES`). Outputs are not validated at run time (it would cost the hot
 * path); a test drives every procedure and checks each answer against its protocol output schema.
 */
export const appRouter = router({
  health: publicProcedure.query(({ ctx }) => ctx.gateway.health()),
  plans: router({
    submit: authedProcedure.input(WIRE['plans.submit'].input).mutation(({ ctx, input }) =>
      ctx.gateway.submitPlan(ctx.principal, input.plan, input.signature, {
        ...submittedViaOf(ctx.submittedVia),
      }),
    ),
    // 1 to MAX_BATCH_PLANS items, each checked and submitted on its own as plans.submit (so a malformed item is
    // refused alone); one result per item, in order (see submitPlanBatch).
    submitBatch: authedProcedure
      .input(WIRE['plans.submitBatch'].input)
      .mutation(({ ctx, input }) => submitPlanBatch(ctx.gateway, ctx.principal, input.plans)),
    // The body of plans.submit; a signature is verified as plans.submit verifies it (see Gateway.dryRun).
    dryRun: authedProcedure
      .input(WIRE['plans.dryRun'].input)
      .mutation(({ ctx, input }) => ctx.gateway.dryRun(ctx.principal, input.plan, input.signature)),
    get: authedProcedure
      .input(WIRE['plans.get'].input)
      .query(({ ctx, input }) => ctx.gateway.getPlan(ctx.principal, input.planId)),
    list: authedProcedure
      .input(WIRE['plans.list'].input)
      .query(({ ctx, input }) => ctx.gateway.listPlans(ctx.principal, input)),
    cancel: authedProcedure
      .input(WIRE['plans.cancel'].input)
      .mutation(({ ctx, input }) =>
        ctx.gateway.cancelPlan(ctx.principal, input.planId, input.reason),
      ),
    rollback: authedProcedure
      .input(WIRE['plans.rollback'].input)
      .mutation(({ ctx, input }) =>
        ctx.gateway.rollbackPlan(ctx.principal, input.planId, input.reason),
      ),
  }),
  approvals: router({
    submit: authedProcedure
      .input(WIRE['approvals.submit'].input)
      .mutation(({ ctx, input }) => ctx.gateway.submitApproval(ctx.principal, input.token)),
    view: authedProcedure
      .input(WIRE['approvals.view'].input)
      .query(({ ctx, input }) =>
        ctx.gateway.console.view(ctx.principal, input.planId, input.optionId),
      ),
    passkeyOptions: authedProcedure
      .input(WIRE['approvals.passkeyOptions'].input)
      .mutation(({ ctx, input }) => ctx.gateway.console.passkeyOptions(ctx.principal, input)),
    submitPasskey: authedProcedure
      .input(WIRE['approvals.submitPasskey'].input)
      .mutation(({ ctx, input }) => ctx.gateway.console.submitPasskey(ctx.principal, input)),
  }),
  passkeys: router({
    enrolOptions: publicProcedure
      .input(WIRE['passkeys.enrolOptions'].input)
      .mutation(({ ctx, input }) => ctx.gateway.console.enrolOptions(input.token)),
    enrol: publicProcedure
      .input(WIRE['passkeys.enrol'].input)
      .mutation(({ ctx, input }) => ctx.gateway.console.enrol(input.token, input.response)),
  }),
  session: router({
    signInOptions: publicProcedure.mutation(({ ctx }) => ctx.gateway.console.signInOptions()),
    // The session id travels only in the HttpOnly cookie; the answer carries the CSRF token.
    signIn: publicProcedure.input(WIRE['session.signIn'].input).mutation(async ({ ctx, input }) => {
      const { id, session } = await ctx.gateway.console.signIn(input.response);
      ctx.setCookie?.(sessionCookie(id, SESSION_TTL_MS / 1000, ctx.secure === true));
      return sessionView(session);
    }),
    get: authedProcedure.query(({ ctx }) => {
      requireRole(ctx.principal, ...OPERATION_ROLES['session.get']);
      return sessionView(sessionOf(ctx.session).session);
    }),
    signOut: authedProcedure.mutation(async ({ ctx }) => {
      requireRole(ctx.principal, ...OPERATION_ROLES['session.signOut']);
      const { id } = sessionOf(ctx.session);
      await ctx.gateway.console.signOut(ctx.principal, id);
      ctx.setCookie?.(sessionCookie('', 0, ctx.secure === true));
      return { signedOut: true as const };
    }),
  }),
  approvers: router({
    list: authedProcedure.query(({ ctx }) => ctx.gateway.listApprovers(ctx.principal)),
    register: authedProcedure
      .input(WIRE['approvers.register'].input)
      .mutation(({ ctx, input }) => ctx.gateway.registerApprover(ctx.principal, input)),
    revoke: authedProcedure
      .input(WIRE['approvers.revoke'].input)
      .mutation(({ ctx, input }) => ctx.gateway.revokeApprover(ctx.principal, input)),
    rotate: authedProcedure
      .input(WIRE['approvers.rotate'].input)
      .mutation(({ ctx, input }) => ctx.gateway.rotateApprover(ctx.principal, input)),
    invite: authedProcedure
      .input(WIRE['approvers.invite'].input)
      .mutation(({ ctx, input }) => ctx.gateway.console.invite(ctx.principal, input)),
  }),
  budget: router({
    getCaps: authedProcedure.query(({ ctx }) => ctx.gateway.getCaps(ctx.principal)),
    setCaps: authedProcedure
      .input(WIRE['budget.setCaps'].input)
      .mutation(({ ctx, input }) =>
        ctx.gateway.setCaps(ctx.principal, input.caps, { force: input.force === true }),
      ),
  }),
  control: router({
    pause: authedProcedure
      .input(WIRE['control.pause'].input)
      .mutation(({ ctx, input }) =>
        ctx.gateway.pause(
          ctx.principal,
          { scopeType: input.scopeType, scopeValue: input.scopeValue },
          input.reason,
        ),
      ),
    resume: authedProcedure
      .input(WIRE['control.resume'].input)
      .mutation(({ ctx, input }) => ctx.gateway.resume(ctx.principal, input)),
    list: authedProcedure.query(({ ctx }) => ctx.gateway.listControls(ctx.principal)),
  }),
  dispatch: router({
    list: authedProcedure
      .input(WIRE['dispatch.list'].input)
      .query(({ ctx, input }) => ctx.gateway.listDispatches(ctx.principal, input)),
    retry: dispatchResolution('retry'),
    abandon: dispatchResolution('abandon'),
    confirm: dispatchResolution('confirm'),
  }),
  lineage: router({
    query: authedProcedure
      .input(WIRE['lineage.query'].input)
      .query(({ ctx, input }) => ctx.gateway.queryLineage(ctx.principal, input)),
    trace: authedProcedure
      .input(WIRE['lineage.trace'].input)
      .query(({ ctx, input }) => ctx.gateway.traceLineage(ctx.principal, input)),
    // The transparency log's signed heads and RFC 9162 proofs (audit/log-proofs.ts).
    treeHead: authedProcedure
      .input(WIRE['lineage.treeHead'].input)
      .query(({ ctx, input }) => treeHead(ctx.gateway.deps.store, ctx.principal, input)),
    proveInclusion: authedProcedure
      .input(WIRE['lineage.proveInclusion'].input)
      .query(({ ctx, input }) => proveInclusion(ctx.gateway.deps.store, ctx.principal, input)),
    proveConsistency: authedProcedure
      .input(WIRE['lineage.proveConsistency'].input)
      .query(({ ctx, input }) => proveConsistency(ctx.gateway.deps.store, ctx.principal, input)),
  }),
  copilots: router({
    calibration: authedProcedure.query(({ ctx }) => ctx.gateway.calibration(ctx.principal)),
  }),
  outcomes: router({
    report: authedProcedure
      .input(WIRE['outcomes.report'].input)
      .mutation(({ ctx, input }) => ctx.gateway.reportOutcome(ctx.principal, input.report)),
  }),
  policy: router({
    get: authedProcedure.query(({ ctx }) => ctx.gateway.getPolicy(ctx.principal)),
    shadow: authedProcedure
      .input(WIRE['policy.shadow'].input)
      .mutation(({ ctx, input }) => ctx.gateway.shadowPolicy(ctx.principal, input)),
  }),
});

/** The router's type, for typed clients (`@trpc/client`) inside this repository; vendors use `WIRE_PROCEDURES`. */
export type AppRouter = typeof appRouter;
