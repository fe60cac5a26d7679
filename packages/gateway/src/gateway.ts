import type {
  LineageEvent,
  PolicyShadowReport,
  PolicySummary,
  RollbackResult,
} from '@handoff/protocol';
import { documentDigest } from '@handoff/protocol';
import type { z } from 'zod';
import { OPERATION_ROLES, type Operation } from './access.js';
import {
  type ApproverView,
  listApprovers,
  type RegisterApproverInputSchema,
  type RevokeApproverInputSchema,
  type RotateApproverInputSchema,
  registerApprover,
  revokeApprover,
  rotateApprover,
} from './approvals/approver-admin.js';
import type { LineageTrace, TraceTarget } from './audit/lineage-trace.js';
import { traceInStore } from './audit/trace-in-store.js';
import type { WitnessHealth } from './audit/witness-file.js';
import { type Principal, requireRole } from './auth/principal.js';
import { type BudgetCap, parseBudgetCaps } from './budget/cap.js';
import { type CapUsage, capUsage } from './budget/cap-usage.js';
import { ConsoleApi } from './console/console-api.js';
import type { ConsoleOptions } from './console/console-context.js';
import {
  type DispatchResolution,
  listDispatches,
  resolveDispatch,
} from './dispatch/dead-letters.js';
import { GatewayError, isGatewayError } from './errors.js';
import {
  type LineageQuery,
  listPlanPage,
  MAX_PAGE,
  type Page,
  queryLineagePage,
} from './gateway-pages.js';
import { type CalibrationReport, calibrationReport } from './outcomes/calibration-report.js';
import { type OutcomeRecorded, reportOutcome } from './outcomes/report-outcome.js';
import { approvePlan } from './pipeline/approve-plan.js';
import { type ControlStatus, controlStatuses } from './pipeline/control-status.js';
import { actorOf, type PipelineDeps } from './pipeline/deps.js';
import { escalateDuePlans } from './pipeline/escalate-plans.js';
import { dryRunPlan } from './pipeline/evaluate-plan.js';
import { expireDuePlans } from './pipeline/expire-plans.js';
import type { ControlTarget } from './pipeline/kill-switch.js';
import { cancelPlan, pauseScope, resumeScope } from './pipeline/plan-control.js';
import { type PlanView, planView } from './pipeline/plan-view.js';
import { replayPolicy } from './pipeline/policy-shadow.js';
import { toBudgetCap, toStoredCap } from './pipeline/reserve-budget.js';
import { shadowInput } from './pipeline/shadow-input.js';
import { type SubmitOptions, submitPlan } from './pipeline/submit-plan.js';
import type { PlanState } from './plan-state.js';
import type { PolicyEvaluation } from './policy/evaluate.js';
import { policySummary } from './policy/policy-summary.js';
import { checkProvenance } from './provenance/submit-provenance.js';
import { rollbackPlan } from './rollback/request-rollback.js';
import type { OutboxRow, OutboxStatus, PlanRecord } from './store/store.js';

/**
 * The gateway's operations, in process. Every method checks the caller's role against {@link OPERATION_ROLES}
 * and its tenant before doing anything; the HTTP router is a thin layer over these methods.
 */
export class Gateway {
  readonly deps: PipelineDeps;
  /** The console's operations: invitations, passkeys, sessions, passkey approvals (see `ConsoleApi`). */
  readonly console: ConsoleApi;

  /** @param consoleOptions - the console's relying party (config `console`); default `DEFAULT_CONSOLE`. */
  constructor(deps: PipelineDeps, consoleOptions?: ConsoleOptions) {
    this.deps = deps;
    this.console = new ConsoleApi(deps, consoleOptions);
  }

  #authorize(principal: Principal, operation: Operation): void {
    requireRole(principal, ...OPERATION_ROLES[operation]);
  }

  async #view(record: PlanRecord): Promise<PlanView> {
    return this.deps.store.transaction((tx) => planView(tx, record));
  }

  /**
   * Submits a plan (copilot), with its provenance signature when the copilot signs its plans. Idempotent on plan
   * id. See `submitPlan`.
   */
  async submitPlan(
    principal: Principal,
    plan: unknown,
    signature?: string,
    options: SubmitOptions = {},
  ): Promise<PlanView & { created: boolean }> {
    const log = this.deps.decisionLog;
    const tenantId = principal.tenantId;
    let result: Awaited<ReturnType<typeof submitPlan>>;
    try {
      this.#authorize(principal, 'plans.submit');
      result = await submitPlan(this.deps, principal, plan, signature, options);
    } catch (error) {
      log?.submissionRefused({ tenantId, code: errorCode(error) });
      throw error;
    }
    const { record, created } = result;
    const view = { ...result.view, created };
    log?.submission({ tenantId, planId: view.planId, created, state: view.state });
    if (created) {
      this.deps.metrics?.planSubmitted({
        tenantId: record.tenantId,
        state: record.state,
        reasonCode: record.reasonCode,
        optionId: record.recommendedOptionId,
        evaluation: result.evaluation,
      });
      log?.decision({
        tenantId,
        planId: view.planId,
        decision: view.outcome,
        state: view.state,
        ruleIds: view.decisions.map((d) => d.ruleId),
      });
    }
    if (created && record.state === 'approved') this.deps.onActionsQueued?.();
    return view;
  }

  /**
   * Validates a plan and evaluates it against the active policy set; writes nothing. Takes the body of
   * `plans.submit`: with `signature`, the provenance signature is verified as submission verifies it (so a
   * copilot learns of a bad signature before submitting); without one, it is not asked for, even where the
   * gateway requires signed plans (submission will). Budget is not checked (that needs a reservation).
   *
   * @throws GatewayError `VALIDATION_FAILED`, `UNSUPPORTED_VERSION`, and with `signature` the refusals of
   *   `checkProvenance` (`VALIDATION_FAILED` `PROVENANCE_NOT_CONFIGURED` where no copilot keys are configured,
   *   `UNAUTHENTICATED` for a signature that does not verify, `KEY_SOURCE_UNAVAILABLE`).
   */
  async dryRun(
    principal: Principal,
    plan: unknown,
    signature?: string,
  ): Promise<{ planId: string; digest: string; evaluation: PolicyEvaluation }> {
    this.#authorize(principal, 'plans.dryRun');
    const {
      plan: parsed,
      digest,
      evaluation,
    } = await dryRunPlan(this.deps, plan, principal.tenantId);
    if (signature !== undefined) await checkProvenance(this.deps, parsed, digest, signature);
    return { planId: parsed.planId, digest, evaluation };
  }

  /**
   * One plan of the caller's tenant, with its plan document (every option, each action with its full parameters)
   * for the tenant's approvers, operators and auditors to decide on. A copilot sees only its own plans. Unknown and foreign plans are both
   * `NOT_FOUND`, so a caller learns nothing of other tenants.
   */
  async getPlan(principal: Principal, planId: string): Promise<PlanView> {
    this.#authorize(principal, 'plans.get');
    return this.deps.store.transaction(async (tx) => {
      const record = await tx.getPlan(principal.tenantId, planId);
      if (!record || !this.#visible(principal, record))
        throw new GatewayError('NOT_FOUND', `No plan ${planId}`);
      return planView(tx, record, { document: true, atMs: this.deps.clock.now() });
    });
  }

  #visible(principal: Principal, record: PlanRecord): boolean {
    if (record.tenantId !== principal.tenantId) return false;
    const onlyCopilot = principal.roles.every((r) => r === 'copilot');
    return !onlyCopilot || record.submittedBy === principal.id;
  }

  /** Plans of the caller's tenant, newest first, `limit` (1-500, default 50) a page. See `listPlanPage`. */
  async listPlans(
    principal: Principal,
    query: { states?: PlanState[]; workflowId?: string; cursor?: string; limit?: number },
  ): Promise<Page<PlanView>> {
    this.#authorize(principal, 'plans.list');
    return listPlanPage(this.deps.store, principal, query);
  }

  /**
   * The gateway's active policy set with its rules and settings, and the shadow set's id and version (copilot,
   * approver, operator, auditor). Policy is per gateway: every tenant reads the same answer. See `policySummary`.
   *
   * @throws GatewayError `FORBIDDEN` for a caller holding none of those roles.
   */
  getPolicy(principal: Principal): PolicySummary {
    this.#authorize(principal, 'policy.get');
    return policySummary(this.deps.policy, this.deps.shadowPolicy);
  }

  /**
   * Replays the tenant's recorded plans of a period against a candidate policy set (YAML or JSON text) and reports
   * the decisions it would change (operator, auditor). Writes nothing. See `replayPolicy`.
   *
   * @throws GatewayError `VALIDATION_FAILED`: the candidate's issues (paths into it, prefixed `/policy`), or `to`
   *   not after `from` (at `/to`).
   */
  async shadowPolicy(
    principal: Principal,
    input: { policy: string; from?: string; to?: string; limit?: number },
  ): Promise<PolicyShadowReport> {
    this.#authorize(principal, 'policy.shadow');
    return replayPolicy(this.deps.store, {
      ...shadowInput(input),
      tenantId: principal.tenantId,
      ...(this.deps.suppression ? { suppression: this.deps.suppression } : {}),
    });
  }

  /** Cancels a plan (its copilot, or an operator). See `cancelPlan`. */
  async cancelPlan(principal: Principal, planId: string, reason: string): Promise<PlanView> {
    this.#authorize(principal, 'plans.cancel');
    return this.#view(await cancelPlan(this.deps, principal, planId, reason));
  }

  /** Rolls a dispatched plan back, or approves its rollback (operator). See `rollbackPlan`. */
  async rollbackPlan(
    principal: Principal,
    planId: string,
    reason: string,
  ): Promise<RollbackResult> {
    this.#authorize(principal, 'plans.rollback');
    return rollbackPlan(this.deps, principal, planId, reason);
  }

  /** Submits a signed approval or rejection (approver). See `approvePlan`. */
  async submitApproval(
    principal: Principal,
    token: string,
  ): Promise<PlanView & { decisive: boolean }> {
    const log = this.deps.decisionLog;
    let result: Awaited<ReturnType<typeof approvePlan>>;
    try {
      this.#authorize(principal, 'approvals.submit');
      result = await approvePlan(this.deps, principal, token);
    } catch (error) {
      if (isGatewayError(error)) this.deps.metrics?.approvalPresented(error.code);
      log?.approvalRefused({ tenantId: principal.tenantId, code: errorCode(error) });
      throw error;
    }
    const { record, decisive } = result;
    this.deps.metrics?.approvalPresented();
    if (decisive)
      this.deps.metrics?.approvalDecided(record.state, record.updatedAt - record.receivedAt);
    const view = { ...result.view, decisive };
    log?.approvalAccepted({
      tenantId: principal.tenantId,
      planId: view.planId,
      decisive,
      state: view.state,
    });
    if (record.state === 'approved') this.deps.onActionsQueued?.();
    return view;
  }

  /** The approver keys of the caller's tenant, active and revoked (operator, auditor). See `listApprovers`. */
  async listApprovers(principal: Principal): Promise<ApproverView[]> {
    this.#authorize(principal, 'approvers.list');
    return listApprovers(this.deps, principal);
  }

  /** Registers an approver key in the operator's tenant. See `registerApprover` for the checks and codes. */
  async registerApprover(
    principal: Principal,
    input: z.infer<typeof RegisterApproverInputSchema>,
  ): Promise<ApproverView> {
    this.#authorize(principal, 'approvers.register');
    return registerApprover(this.deps, principal, input);
  }

  /** Revokes an approver key of the operator's tenant. See `revokeApprover`. */
  async revokeApprover(
    principal: Principal,
    input: z.infer<typeof RevokeApproverInputSchema>,
  ): Promise<ApproverView> {
    this.#authorize(principal, 'approvers.revoke');
    return revokeApprover(this.deps, principal, input);
  }

  /** Registers a new key for an approver and revokes its old one, in one transaction. See `rotateApprover`. */
  async rotateApprover(
    principal: Principal,
    input: z.infer<typeof RotateApproverInputSchema>,
  ): Promise<{ registered: ApproverView; revoked: ApproverView }> {
    this.#authorize(principal, 'approvers.rotate');
    return rotateApprover(this.deps, principal, input);
  }

  /**
   * The caller's tenant's budget caps (operator, auditor, copilot), each with its current period's limit, reserved,
   * committed and headroom (`capUsage`), read in one transaction at the gateway clock's now.
   */
  async getCaps(principal: Principal): Promise<(BudgetCap & { usage: CapUsage })[]> {
    this.#authorize(principal, 'budget.getCaps');
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (tx) => {
      const caps = (await tx.getCaps(principal.tenantId)).map(toBudgetCap);
      const usage = await Promise.all(caps.map((cap) => capUsage(tx, cap, now)));
      return caps.map((cap, index) => ({ ...cap, usage: usage[index] as CapUsage }));
    });
  }

  /**
   * Replaces the caller's tenant's caps (operator). Validated first: nothing changes on bad input. An empty list
   * removes every cap (no spending limit at all), so it needs `options.force`.
   * @throws GatewayError `BUDGET_CAP_INVALID` (with issues), `BUDGET_CAPS_EMPTY` (an empty list without
   *   `force`, issue at `/caps`), `FORBIDDEN` (a cap of another tenant).
   */
  async setCaps(
    principal: Principal,
    caps: unknown,
    options: { force?: boolean } = {},
  ): Promise<BudgetCap[]> {
    this.#authorize(principal, 'budget.setCaps');
    const parsed = parseBudgetCaps(caps);
    if (parsed.length === 0 && options.force !== true) {
      const message = 'An empty cap list removes every budget cap: send force: true to mean it';
      throw new GatewayError('BUDGET_CAPS_EMPTY', message, {
        issues: [{ path: '/caps', code: 'CAPS_EMPTY', message }],
      });
    }
    if (parsed.some((c) => c.tenantId !== principal.tenantId)) {
      throw new GatewayError('FORBIDDEN', 'An operator sets caps only for its own tenant');
    }
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (tx) => {
      await tx.replaceCaps(principal.tenantId, parsed.map(toStoredCap), now);
      const digest = documentDigest(parsed);
      await tx.putPayload(digest, 'BudgetCaps', JSON.stringify(parsed), now);
      await tx.appendLineage([
        {
          tenantId: principal.tenantId,
          type: 'control.caps_set',
          actor: actorOf(principal, 'operator'),
          occurredAt: now,
          refs: { caps: digest },
          data: { count: parsed.length },
        },
      ]);
    });
    this.deps.decisionLog?.capsChanged({
      tenantId: principal.tenantId,
      capIds: parsed.map((c) => c.capId),
    });
    return parsed;
  }

  /** Pauses a scope (operator kill switch). Returns the plans paused. */
  async pause(principal: Principal, target: ControlTarget, reason: string): Promise<PlanView[]> {
    this.#authorize(principal, 'control.pause');
    const paused = await pauseScope(this.deps, principal, target, reason);
    this.deps.decisionLog?.killSwitch({
      tenantId: principal.tenantId,
      action: 'pause',
      scope: `${target.scopeType}:${target.scopeValue}`,
      plans: paused.length,
    });
    return Promise.all(paused.map((r) => this.#view(r)));
  }

  /** Resumes a paused scope (operator). Returns the plans resumed. */
  async resume(principal: Principal, target: ControlTarget): Promise<PlanView[]> {
    this.#authorize(principal, 'control.resume');
    const resumed = await resumeScope(this.deps, principal, target);
    this.deps.decisionLog?.killSwitch({
      tenantId: principal.tenantId,
      action: 'resume',
      scope: `${target.scopeType}:${target.scopeValue}`,
      plans: resumed.length,
    });
    return Promise.all(resumed.map((r) => this.#view(r)));
  }

  /** The active kill switches of the caller's tenant, each with the paused plans it holds. See `controlStatuses`. */
  async listControls(principal: Principal): Promise<ControlStatus[]> {
    this.#authorize(principal, 'control.list');
    return this.deps.store.transaction((tx) => controlStatuses(tx, principal.tenantId));
  }

  /** Lineage events of the caller's tenant in `seq` order, with a cursor (auditor, operator). */
  async queryLineage(principal: Principal, query: LineageQuery): Promise<Page<LineageEvent>> {
    this.#authorize(principal, 'lineage.query');
    return queryLineagePage(this.deps.store, principal, query);
  }

  /**
   * The trace of a plan, of one dispatch (by idempotency key) or of an action id, in the caller's tenant
   * (auditor, operator): see `traceLineage` for its shape.
   *
   * @throws GatewayError `FORBIDDEN` (role), `NOT_FOUND` (unknown, or another tenant's: not told apart).
   */
  async traceLineage(principal: Principal, target: TraceTarget): Promise<LineageTrace> {
    this.#authorize(principal, 'lineage.trace');
    return traceInStore(this.deps.store, target, principal.tenantId);
  }

  /**
   * Outbox rows of the caller's tenant (operator, auditor): one plan's, or those in `statuses` (default the
   * operator's queue: `dead` and `in_doubt`).
   */
  async listDispatches(
    principal: Principal,
    filter: { planId?: string; statuses?: OutboxStatus[]; limit?: number },
  ): Promise<OutboxRow[]> {
    this.#authorize(principal, 'dispatch.list');
    return listDispatches(this.deps, principal, {
      ...filter,
      limit: Math.min(Math.max(filter.limit ?? 100, 1), MAX_PAGE),
    });
  }

  /**
   * Retries, abandons or confirms a dead letter or in-doubt dispatch (operator). See `resolveDispatch` for the
   * checks and every error code.
   */
  async resolveDispatch(
    principal: Principal,
    input: { idempotencyKey: string; resolution: DispatchResolution; reason: string },
  ): Promise<OutboxRow> {
    this.#authorize(principal, `dispatch.${input.resolution}`);
    const row = await resolveDispatch(this.deps, principal, input);
    this.deps.metrics?.dispatchResolved(input.resolution);
    if (row.status === 'pending') this.deps.onActionsQueued?.();
    return row;
  }

  /**
   * Records an outcome report of a dispatched plan (reporter, operator). See `reportOutcome` for the checks and
   * every error code.
   */
  async reportOutcome(principal: Principal, report: unknown): Promise<OutcomeRecorded> {
    this.#authorize(principal, 'outcomes.report');
    return reportOutcome(this.deps, principal, report);
  }

  /** Forecast calibration of the caller's tenant per copilot and per workflow (operator, auditor). */
  async calibration(principal: Principal): Promise<CalibrationReport> {
    this.#authorize(principal, 'copilots.calibration');
    return calibrationReport(this.deps.store, principal.tenantId, this.deps.clock.now());
  }

  /**
   * Enforces approval gate deadlines first (see `escalateDuePlans`: reject, or escalate to backup roles and
   * notify), then expires plans whose approval window or own expiry has passed. Returns how many expired.
   */
  async expireDue(): Promise<number> {
    await escalateDuePlans(this.deps);
    return (await expireDuePlans(this.deps.store, this.deps.clock)).length;
  }

  /**
   * Liveness and the facts a load balancer or operator checks; with a witness file configured, its state
   * (`witness.status` is `failing` while tree heads cannot be written to it: checkpoints are then not published).
   */
  health(): {
    status: 'ok';
    gatewayId: string;
    policyVersion: string;
    time: string;
    witness?: WitnessHealth;
  } {
    return {
      status: 'ok',
      gatewayId: this.deps.gatewayId,
      policyVersion: this.deps.policy.version,
      time: new Date(this.deps.clock.now()).toISOString(),
      ...(this.deps.witness ? { witness: this.deps.witness.health() } : {}),
    };
  }
}

/** The stable code of a refusal, for the decision log (`INTERNAL` for anything not a GatewayError). */
function errorCode(error: unknown): string {
  return isGatewayError(error) ? error.code : 'INTERNAL';
}
