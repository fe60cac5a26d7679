/**
 * The gateway's wire API: every procedure of its tRPC router (`POST /trpc/<path>` with the input as JSON body for
 * a mutation, `GET /trpc/<path>?input=<url-encoded json>` for a query; the answer is `{ "result": { "data": ... } }`,
 * a refusal `{ "error": { ..., "data": { "handoff": ErrorEnvelope } } }` with the code's HTTP status), with its
 * input and output schemas, the roles that may call it, a summary and the error codes it answers. The gateway's
 * router is built from this table and the copilot client is typed from it.
 *
 * Every procedure but `health` needs `Authorization: Bearer <credential>`. Adding a procedure, an optional input
 * member or an output member is additive (next minor version); renaming or removing a procedure, or changing its
 * kind, is a breaking change.
 */

import { ApprovalViewInputSchema, ApprovalViewResultSchema } from './approval-view.js';
import {
  ApprovalResultSchema,
  ApprovalSubmitInputSchema,
  ApproverRotationSchema,
  ApproverViewSchema,
  RegisterApproverInputSchema,
  RevokeApproverInputSchema,
  RotateApproverInputSchema,
} from './approvals.js';
import {
  EnrolInputSchema,
  EnrolledPasskeySchema,
  EnrolOptionsInputSchema,
  EnrolOptionsSchema,
  InvitationSchema,
  InviteInputSchema,
  SessionViewSchema,
  SignedOutSchema,
  SignInInputSchema,
  SignInOptionsSchema,
} from './console-session.js';
import {
  LineagePageSchema,
  LineageQueryInputSchema,
  LineageTraceInputSchema,
  LineageTraceSchema,
} from './lineage.js';
import {
  ConsistencyProofSchema,
  InclusionProofSchema,
  ProveConsistencyInputSchema,
  ProveInclusionInputSchema,
  SignedTreeHeadSchema,
  TreeHeadInputSchema,
} from './lineage-proofs.js';
import {
  BudgetCapSchema,
  BudgetCapWithUsageSchema,
  ControlResultSchema,
  ControlStatusSchema,
  ControlTargetSchema,
  DispatchListInputSchema,
  DispatchResolutionInputSchema,
  HealthSchema,
  OutboxRowSchema,
  PauseInputSchema,
  SetCapsInputSchema,
} from './operations.js';
import {
  CalibrationReportSchema,
  OutcomeRecordedSchema,
  OutcomeReportInputSchema,
} from './outcomes.js';
import {
  PasskeyOptionsInputSchema,
  PasskeyOptionsSchema,
  SubmitPasskeyInputSchema,
} from './passkey-approvals.js';
import { PlanViewSchema } from './plan-view.js';
import {
  BatchItemResultSchema,
  DryRunResultSchema,
  PlanCancelInputSchema,
  PlanGetInputSchema,
  PlanListInputSchema,
  PlanPageSchema,
  SubmitBatchInputSchema,
  SubmitInputSchema,
  SubmittedPlanSchema,
} from './plans.js';
import { PolicySummarySchema } from './policy-get.js';
import { PolicyShadowInputSchema, PolicyShadowReportSchema } from './policy-shadow.js';
import { RollbackInputSchema, RollbackResultSchema } from './rollback.js';
import type { WireProcedure } from './wire-types.js';

/**
 * What any authenticated procedure may answer: a bad input, a missing or bad credential (or, for JWT bearer
 * credentials, an unreachable JWKS), a role or tenant that may not call it, an internal failure.
 */
const AUTHED = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'KEY_SOURCE_UNAVAILABLE',
  'INTERNAL',
] as const;
/** What a mutation adds: a body larger than the gateway accepts. */
const WRITES = [...AUTHED, 'PAYLOAD_TOO_LARGE'] as const;
/** What `plans.submit` and `plans.dryRun` add: a plan of a protocol version the gateway does not support. */
const PLAN_BODY = [...WRITES, 'UNSUPPORTED_VERSION'] as const;
/** What the dispatch resolutions answer (`retry` also re-checks the plan, its approvals and budget). */
const RESOLUTION = [...WRITES, 'NOT_FOUND', 'DISPATCH_STATE_CONFLICT'] as const;
const READERS = ['copilot', 'approver', 'operator', 'auditor'] as const;
/** The principal roles a person signed in to the console may hold. */
const PEOPLE = ['approver', 'operator', 'auditor'] as const;
/** What a public console procedure (enrolment, sign-in) answers: no credential is needed, so no access codes. */
const PUBLIC_WRITES = ['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'INTERNAL'] as const;
/** What a passkey approval answers beyond a JWS approval's plan checks. */
const PASSKEY_DECISION = [
  ...WRITES,
  'NOT_FOUND',
  'PLAN_NOT_AWAITING_APPROVAL',
  'APPROVAL_VIEW_MISMATCH',
  'APPROVAL_OPTION_INVALID',
  'APPROVAL_SPEND_TOO_LOW',
  'APPROVAL_SPEND_WIDENED',
  'CSRF_TOKEN_INVALID',
] as const;

/** Every procedure of the gateway's API, keyed by its tRPC path. */
export const WIRE_PROCEDURES = {
  health: {
    kind: 'query',
    input: null,
    output: HealthSchema,
    roles: [],
    summary:
      'Liveness: the gateway id, its active policy version and its clock. No credential needed.',
    errors: ['INTERNAL'],
  },
  'plans.submit': {
    kind: 'mutation',
    input: SubmitInputSchema,
    output: SubmittedPlanSchema,
    roles: ['copilot'],
    summary:
      'Submit a plan (idempotent on planId): validated, provenance-checked, evaluated by policy, budget reserved.',
    errors: [...PLAN_BODY, 'PLAN_CONFLICT', 'BUDGET_COST_UNDERSTATED'],
  },
  'plans.submitBatch': {
    kind: 'mutation',
    input: SubmitBatchInputSchema,
    output: BatchItemResultSchema.array(),
    roles: ['copilot'],
    summary:
      'Submit 1-100 plans, each as plans.submit on its own; one result per item, a refusal as its ErrorEnvelope.',
    errors: WRITES,
  },
  'plans.dryRun': {
    kind: 'mutation',
    input: SubmitInputSchema,
    output: DryRunResultSchema,
    roles: ['copilot', 'operator'],
    summary:
      'Evaluate a plan (the body of plans.submit) against the active policy; nothing is recorded.',
    errors: PLAN_BODY,
  },
  'plans.get': {
    kind: 'query',
    input: PlanGetInputSchema,
    output: PlanViewSchema,
    roles: READERS,
    summary:
      "One plan's view: state and why, decisions, gates, approvals, budget. A copilot sees its own only.",
    errors: [...AUTHED, 'NOT_FOUND'],
  },
  'plans.list': {
    kind: 'query',
    input: PlanListInputSchema,
    output: PlanPageSchema,
    roles: READERS,
    summary: "A page of the tenant's plans, newest first (default 50, at most 500), with a cursor.",
    errors: AUTHED,
  },
  'plans.cancel': {
    kind: 'mutation',
    input: PlanCancelInputSchema,
    output: PlanViewSchema,
    roles: ['copilot', 'operator'],
    summary: 'Cancel a plan that has not started dispatching, releasing its budget.',
    errors: [...WRITES, 'NOT_FOUND', 'ILLEGAL_TRANSITION'],
  },
  'plans.rollback': {
    kind: 'mutation',
    input: RollbackInputSchema,
    output: RollbackResultSchema,
    roles: ['operator'],
    summary:
      'Roll a dispatched plan back: queue compensations (after approval where policy asks); list the irreversible.',
    errors: [...WRITES, 'NOT_FOUND', 'PLAN_NOT_DISPATCHED', 'ROLLBACK_ALREADY_REQUESTED'],
  },
  'approvals.submit': {
    kind: 'mutation',
    input: ApprovalSubmitInputSchema,
    output: ApprovalResultSchema,
    roles: ['approver'],
    summary:
      'Present a signed approval or rejection (compact JWS); answers the plan view and `decisive`.',
    errors: [
      ...WRITES,
      'NOT_FOUND',
      'PLAN_NOT_AWAITING_APPROVAL',
      'APPROVAL_MALFORMED',
      'APPROVAL_ALG_NOT_ALLOWED',
      'APPROVAL_UNKNOWN_KEY',
      'APPROVAL_INVALID_SIGNATURE',
      'APPROVAL_EXPIRED',
      'APPROVAL_NOT_YET_VALID',
      'APPROVAL_WRONG_AUDIENCE',
      'APPROVAL_REPLAYED',
      'APPROVAL_DIGEST_MISMATCH',
      'APPROVAL_POLICY_MISMATCH',
      'APPROVAL_OPTION_INVALID',
      'APPROVAL_SPEND_TOO_LOW',
      'APPROVAL_SPEND_WIDENED',
      'APPROVAL_ROLE_NOT_REQUIRED',
      'APPROVAL_SELF_APPROVAL',
      'APPROVAL_DUPLICATE_APPROVER',
      'APPROVAL_KEY_NOT_REGISTERED',
      'APPROVAL_KEY_REVOKED',
      'APPROVAL_SUBJECT_MISMATCH',
      'APPROVAL_ROLE_NOT_HELD',
      'SCOPE_PAUSED',
      'BUDGET_EXCEEDED',
      'BUDGET_COST_UNDERSTATED',
    ],
  },
  'approvers.list': {
    kind: 'query',
    input: null,
    output: ApproverViewSchema.array(),
    roles: ['operator', 'auditor'],
    summary: "The tenant's approver keys, active and revoked, by subject then kid.",
    errors: AUTHED,
  },
  'approvers.register': {
    kind: 'mutation',
    input: RegisterApproverInputSchema,
    output: ApproverViewSchema,
    roles: ['operator'],
    summary: "Register an approver's public key (subject, roles) in the operator's tenant.",
    errors: [...WRITES, 'APPROVER_REGISTRY_CONFLICT'],
  },
  'approvers.revoke': {
    kind: 'mutation',
    input: RevokeApproverInputSchema,
    output: ApproverViewSchema,
    roles: ['operator'],
    summary: 'Revoke an approver key: every token of it presented afterwards is refused.',
    errors: [...WRITES, 'NOT_FOUND', 'APPROVER_REGISTRY_CONFLICT'],
  },
  'approvers.rotate': {
    kind: 'mutation',
    input: RotateApproverInputSchema,
    output: ApproverRotationSchema,
    roles: ['operator'],
    summary: 'Register a new key for the subject of oldKid and revoke oldKid, in one transaction.',
    errors: [...WRITES, 'NOT_FOUND', 'APPROVER_REGISTRY_CONFLICT'],
  },
  'budget.getCaps': {
    kind: 'query',
    input: null,
    output: BudgetCapWithUsageSchema.array(),
    roles: ['operator', 'auditor', 'copilot', 'approver'],
    summary:
      "The tenant's budget caps, each with its current period's limit, reserved, committed and headroom.",
    errors: AUTHED,
  },
  'budget.setCaps': {
    kind: 'mutation',
    input: SetCapsInputSchema,
    output: BudgetCapSchema.array(),
    roles: ['operator'],
    summary:
      "Replace the tenant's budget caps; a bad list is refused whole, nothing changes; [] needs force: true.",
    errors: [...WRITES, 'BUDGET_CAP_INVALID', 'BUDGET_CAPS_EMPTY'],
  },
  'control.pause': {
    kind: 'mutation',
    input: PauseInputSchema,
    output: ControlResultSchema,
    roles: ['operator'],
    summary:
      'Kill switch: pause a scope (tenant, workflow, channel, adapter, copilot model); answers the plans paused.',
    errors: WRITES,
  },
  'control.resume': {
    kind: 'mutation',
    input: ControlTargetSchema,
    output: ControlResultSchema,
    roles: ['operator'],
    summary: 'Resume a paused scope; answers the plans resumed.',
    errors: [...WRITES, 'NOT_FOUND'],
  },
  'control.list': {
    kind: 'query',
    input: null,
    output: ControlStatusSchema.array(),
    roles: ['operator', 'auditor'],
    summary: "The tenant's active kill switches, each with the paused plans it holds.",
    errors: AUTHED,
  },
  'dispatch.list': {
    kind: 'query',
    input: DispatchListInputSchema,
    output: OutboxRowSchema.array(),
    roles: ['operator', 'auditor'],
    summary: "The tenant's dispatches (outbox rows), filtered by plan and status.",
    errors: AUTHED,
  },
  'dispatch.retry': {
    kind: 'mutation',
    input: DispatchResolutionInputSchema,
    output: OutboxRowSchema,
    roles: ['operator'],
    summary: 'Send a dead or in-doubt dispatch again.',
    errors: [
      ...RESOLUTION,
      'SCOPE_PAUSED',
      'ILLEGAL_TRANSITION',
      'PLAN_EXPIRED',
      'APPROVAL_POLICY_MISMATCH',
      'BUDGET_EXCEEDED',
    ],
  },
  'dispatch.abandon': {
    kind: 'mutation',
    input: DispatchResolutionInputSchema,
    output: OutboxRowSchema,
    roles: ['operator'],
    summary: 'Give up a dead or in-doubt dispatch.',
    errors: RESOLUTION,
  },
  'dispatch.confirm': {
    kind: 'mutation',
    input: DispatchResolutionInputSchema,
    output: OutboxRowSchema,
    roles: ['operator'],
    summary: 'Record that the platform did carry out an in-doubt dispatch.',
    errors: RESOLUTION,
  },
  'lineage.query': {
    kind: 'query',
    input: LineageQueryInputSchema,
    output: LineagePageSchema,
    roles: ['auditor', 'operator'],
    summary:
      "A page of the tenant's lineage events in commit order (default 100, at most 500), with a cursor.",
    errors: AUTHED,
  },
  'lineage.trace': {
    kind: 'query',
    input: LineageTraceInputSchema,
    output: LineageTraceSchema,
    roles: ['auditor', 'operator'],
    summary:
      'The whole chain behind a plan, one dispatch (idempotencyKey) or an action (actionId).',
    errors: [...AUTHED, 'NOT_FOUND'],
  },
  'lineage.treeHead': {
    kind: 'query',
    input: TreeHeadInputSchema,
    output: SignedTreeHeadSchema,
    roles: ['auditor', 'operator'],
    summary:
      "The latest signed tree head of the lineage's transparency log (or the one of treeSize): what a witness keeps.",
    errors: [...AUTHED, 'NOT_FOUND'],
  },
  'lineage.proveInclusion': {
    kind: 'query',
    input: ProveInclusionInputSchema,
    output: InclusionProofSchema,
    roles: ['auditor', 'operator'],
    summary:
      "An RFC 9162 inclusion proof of one of the tenant's events (by eventHash or logIndex) against a signed tree head.",
    errors: [...AUTHED, 'NOT_FOUND'],
  },
  'lineage.proveConsistency': {
    kind: 'query',
    input: ProveConsistencyInputSchema,
    output: ConsistencyProofSchema,
    roles: ['auditor', 'operator'],
    summary:
      'An RFC 9162 consistency proof that the signed tree head of size to extends the one of size from.',
    errors: [...AUTHED, 'NOT_FOUND'],
  },
  'outcomes.report': {
    kind: 'mutation',
    input: OutcomeReportInputSchema,
    output: OutcomeRecordedSchema,
    roles: ['reporter', 'operator'],
    summary:
      "Report the observed value of a dispatched plan's forecast KPI (OutcomeReport); recorded in the lineage.",
    errors: [
      ...WRITES,
      'UNSUPPORTED_VERSION',
      'NOT_FOUND',
      'OUTCOME_NOT_DISPATCHED',
      'OUTCOME_KPI_MISMATCH',
      'OUTCOME_HORIZON_NOT_OVER',
      'OUTCOME_REPORT_CONFLICT',
    ],
  },
  'copilots.calibration': {
    kind: 'query',
    input: null,
    output: CalibrationReportSchema,
    roles: ['operator', 'auditor'],
    summary:
      'Forecast calibration per copilot and per workflow: coverage p10-p90, bias of p50, pinball loss, plans.',
    errors: AUTHED,
  },
  'policy.get': {
    kind: 'query',
    input: null,
    output: PolicySummarySchema,
    roles: READERS,
    summary:
      "The gateway's active policy set (per gateway, not per tenant): its rules with their settings, and its shadow.",
    errors: AUTHED,
  },
  'policy.shadow': {
    kind: 'mutation',
    input: PolicyShadowInputSchema,
    output: PolicyShadowReportSchema,
    roles: ['operator', 'auditor'],
    summary:
      'Replay recorded plans against a candidate policy set; report each decision it would change. Writes nothing.',
    errors: WRITES,
  },
  'approvers.invite': {
    kind: 'mutation',
    input: InviteInputSchema,
    output: InvitationSchema,
    roles: ['operator'],
    summary:
      "Invite a person of the operator's tenant: a one-time, expiring enrolment link to register a passkey.",
    errors: [...WRITES, 'CSRF_TOKEN_INVALID', 'APPROVER_REGISTRY_CONFLICT'],
  },
  'passkeys.enrolOptions': {
    kind: 'mutation',
    input: EnrolOptionsInputSchema,
    output: EnrolOptionsSchema,
    roles: [],
    summary:
      'WebAuthn creation options for the person an enrolment link invites. No credential: the token is one.',
    errors: [...PUBLIC_WRITES, 'ENROLMENT_TOKEN_INVALID'],
  },
  'passkeys.enrol': {
    kind: 'mutation',
    input: EnrolInputSchema,
    output: EnrolledPasskeySchema,
    roles: [],
    summary:
      "Register the invited person's passkey in the approver registry; the enrolment link is used up.",
    errors: [
      ...PUBLIC_WRITES,
      'ENROLMENT_TOKEN_INVALID',
      'PASSKEY_VERIFICATION_FAILED',
      'APPROVER_REGISTRY_CONFLICT',
    ],
  },
  'session.signInOptions': {
    kind: 'mutation',
    input: null,
    output: SignInOptionsSchema,
    roles: [],
    summary: 'A WebAuthn sign-in challenge (single use, expiring) for a passkey of the console.',
    errors: [...PUBLIC_WRITES, 'RATE_LIMITED'],
  },
  'session.signIn': {
    kind: 'mutation',
    input: SignInInputSchema,
    output: SessionViewSchema,
    roles: [],
    summary:
      'Sign in with a passkey assertion: sets the handoff_session cookie; answers the session and CSRF token.',
    errors: [...PUBLIC_WRITES, 'PASSKEY_VERIFICATION_FAILED'],
  },
  'session.get': {
    kind: 'query',
    input: null,
    output: SessionViewSchema,
    roles: PEOPLE,
    summary: "The signed-in person's session: subject, tenant, roles, CSRF token, expiry.",
    errors: AUTHED,
  },
  'session.signOut': {
    kind: 'mutation',
    input: null,
    output: SignedOutSchema,
    roles: PEOPLE,
    summary: 'End the session of the handoff_session cookie and clear the cookie.',
    errors: [...WRITES, 'CSRF_TOKEN_INVALID'],
  },
  'approvals.view': {
    kind: 'query',
    input: ApprovalViewInputSchema,
    output: ApprovalViewResultSchema,
    roles: PEOPLE,
    summary:
      'The approval view model of one option of a plan (what an approver signs) and its RFC 8785 SHA-256 digest.',
    errors: [...AUTHED, 'NOT_FOUND'],
  },
  'approvals.passkeyOptions': {
    kind: 'mutation',
    input: PasskeyOptionsInputSchema,
    output: PasskeyOptionsSchema,
    roles: ['approver'],
    summary:
      'The WebAuthn challenge of one decision: SHA-256 of plan digest, option, decision, max spend, expiry, view.',
    errors: PASSKEY_DECISION,
  },
  'approvals.submitPasskey': {
    kind: 'mutation',
    input: SubmitPasskeyInputSchema,
    output: ApprovalResultSchema,
    roles: ['approver'],
    summary:
      'Approve or reject with a passkey assertion over the passkeyOptions challenge; the assertion is the evidence.',
    errors: [
      ...PASSKEY_DECISION,
      'PASSKEY_VERIFICATION_FAILED',
      'APPROVAL_EXPIRED',
      'APPROVAL_REPLAYED',
      'APPROVAL_ROLE_NOT_REQUIRED',
      'APPROVAL_ROLE_NOT_HELD',
      'APPROVAL_SUBJECT_MISMATCH',
      'APPROVAL_SELF_APPROVAL',
      'APPROVAL_DUPLICATE_APPROVER',
      'APPROVAL_KEY_REVOKED',
      'SCOPE_PAUSED',
      'BUDGET_EXCEEDED',
      'BUDGET_COST_UNDERSTATED',
    ],
  },
} as const satisfies Record<string, WireProcedure>;
