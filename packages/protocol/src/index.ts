/**
 * @handoff/protocol: the v1 handoff contract. Zod schemas are the source of truth; the JSON Schema under
 * `schema/v1/` and the declarations under `types/v1/` are generated from them. The gateway's wire API (every
 * procedure's input and output schema, roles and errors, and every error code with its HTTP status) is
 * `WIRE_PROCEDURES` and `ERROR_CODES`.
 */
export {
  ACTION_TYPES,
  type Action,
  type ActionOf,
  ActionSchema,
  type ActionType,
  type CampaignLevel,
  type ContactRecord,
  ContactRecordSchema,
  type ContactRef,
  ContactRefSchema,
} from './action.js';
export { type ApprovalClaims, ApprovalClaimsSchema } from './approval.js';
export type { Audience, AudienceCriterion } from './audience.js';
export {
  CURRENCY_CODES,
  CURRENCY_EXPONENTS,
  type CurrencyCode,
  currencyExponent,
  isCurrencyCode,
} from './currency.js';
export {
  canonicalJson,
  type Digest,
  documentDigest,
  lineageEventHash,
  planDigest,
  sha256Digest,
} from './digest.js';
export {
  type DispatchReceipt,
  DispatchReceiptSchema,
  type DispatchStatus,
  DispatchStatusSchema,
} from './dispatch-receipt.js';
export {
  DOCUMENT_KINDS,
  DOCUMENT_SCHEMAS,
  type DocumentKind,
  type DocumentOf,
  type ParseOptions,
  type ParseResult,
  parseDocument,
  parseDocumentJson,
  safeParseDocument,
  safeParseDocumentJson,
} from './documents.js';
export {
  type ErrorEnvelope,
  ErrorEnvelopeSchema,
  toErrorEnvelope,
  WireIssueSchema,
} from './error-envelope.js';
export {
  type AnyProtocolError,
  ProtocolError,
  ProtocolValidationError,
  UnsupportedVersionError,
  UpgradeError,
} from './errors.js';
export { type Evidence, EvidenceSchema, type EvidenceType } from './evidence.js';
export {
  JSON_SCHEMA_UNEXPRESSED_CODES,
  PROTOCOL_ISSUE_CODES,
  type ProtocolIssue,
  type ProtocolIssueCode,
} from './issue-codes.js';
export { LIMITS } from './limits.js';
export {
  type Actor,
  ActorSchema,
  GENESIS_HASH,
  LINEAGE_EVENT_TYPES,
  type LineageEvent,
  LineageEventSchema,
  type LineageEventType,
} from './lineage-event.js';
export {
  COUNT_KPIS,
  type Forecast,
  type ForecastBasis,
  ForecastSchema,
  type Kpi,
  KpiSchema,
  MONEY_KPIS,
  type Objective,
  ObjectiveSchema,
  RATIO_KPIS,
} from './metric.js';
export {
  CurrencyCodeSchema,
  type Money,
  MoneySchema,
  money,
  moneyFromDecimalString,
  moneyToDecimalString,
  sumMinor,
} from './money.js';
export {
  type ObservedValue,
  ObservedValueSchema,
  type Observer,
  ObserverSchema,
  type OutcomeReport,
  OutcomeReportSchema,
  type OutcomeSource,
  OutcomeSourceSchema,
} from './outcome-report.js';
export {
  type AiMode,
  AiModeSchema,
  type CopilotIdentity,
  CopilotIdentitySchema,
  CVJ_STAGES,
  type CvjStage,
  CvjStageSchema,
  type HandoffPlan,
  HandoffPlanSchema,
  type PlanInput,
  PlanInputSchema,
  type Workflow,
  WorkflowSchema,
} from './plan.js';
export {
  type ApprovalRequirement,
  ApprovalRequirementSchema,
  type EnforcementLevel,
  EnforcementLevelSchema,
  type PolicyDecision,
  PolicyDecisionSchema,
  type PolicyOutcome,
  PolicyOutcomeSchema,
} from './policy-decision.js';
export {
  DigestSchema,
  IdentifierSchema,
  LabelSchema,
  PlanIdSchema,
  TimestampSchema,
} from './primitives.js';
export {
  ACTION_REVERSIBILITY,
  type ReversalMethod,
  type Reversibility,
  reversibilityOf,
} from './reversibility.js';
export {
  type Budget,
  BudgetSchema,
  type Channel,
  ChannelSchema,
  type ContentKind,
  ContentKindSchema,
  type Risk,
  RiskSchema,
  type StrategyOption,
  StrategyOptionSchema,
} from './strategy-option.js';
export {
  DEFAULT_UPGRADES,
  type DocumentUpgrade,
  type RawDocument,
  UPGRADES_1_0_TO_1_1,
  UpgradeRegistry,
} from './upgrade.js';
export {
  HANDOFF_PROTOCOL_VERSION,
  isSupportedVersion,
  LATEST_PROTOCOL_VERSION,
  negotiateVersion,
  PROTOCOL_VERSION_1_0,
  PROTOCOL_VERSION_1_1,
  type ProtocolVersion,
  ProtocolVersionSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type VersionNegotiation,
} from './version.js';
export {
  type ApprovalView,
  ApprovalViewInputSchema,
  ApprovalViewResultSchema,
  ApprovalViewSchema,
} from './wire/approval-view.js';
export {
  ApprovalResultSchema,
  ApprovalSubmitInputSchema,
  ApproverRotationSchema,
  type ApproverView,
  ApproverViewSchema,
  RegisterApproverInputSchema,
  RevokeApproverInputSchema,
  RotateApproverInputSchema,
  VerificationJwkSchema,
} from './wire/approvals.js';
export {
  EnrolInputSchema,
  EnrolledPasskeySchema,
  EnrolmentTokenSchema,
  EnrolOptionsInputSchema,
  EnrolOptionsSchema,
  type Invitation,
  InvitationSchema,
  InviteInputSchema,
  PERSON_ACCESS_ROLES,
  type SessionView,
  SessionViewSchema,
  SignedOutSchema,
  SignInInputSchema,
  SignInOptionsSchema,
} from './wire/console-session.js';
export { ERROR_CODE_LIST, ERROR_CODES, type ErrorCode } from './wire/error-codes.js';
export {
  LineagePageSchema,
  LineageQueryInputSchema,
  LineageTraceInputSchema,
  LineageTraceSchema,
  TRACE_INPUT_MESSAGE,
  TracedEventSchema,
} from './wire/lineage.js';
export {
  ConsistencyProofSchema,
  InclusionProofSchema,
  ProveConsistencyInputSchema,
  ProveInclusionInputSchema,
  SignedTreeHeadSchema,
  TreeHeadInputSchema,
} from './wire/lineage-proofs.js';
export {
  BudgetCapSchema,
  BudgetCapUsageSchema,
  BudgetCapWithUsageSchema,
  ControlRecordSchema,
  ControlResultSchema,
  ControlStatusSchema,
  ControlTargetSchema,
  DispatchListInputSchema,
  DispatchResolutionInputSchema,
  HealthSchema,
  OutboxRowSchema,
  PauseInputSchema,
  SetCapsInputSchema,
} from './wire/operations.js';
export {
  CalibrationBandSchema,
  CalibrationReportSchema,
  CalibrationRowSchema,
  OutcomePositionSchema,
  OutcomeRecordedSchema,
  OutcomeReportInputSchema,
} from './wire/outcomes.js';
export {
  PasskeyOptionsInputSchema,
  PasskeyOptionsSchema,
  type PasskeyStatement,
  PasskeyStatementSchema,
  SubmitPasskeyInputSchema,
} from './wire/passkey-approvals.js';
export {
  type BudgetRefusal,
  BudgetRefusalSchema,
  type GateProgress,
  GateProgressSchema,
  type PlanView,
  PlanViewSchema,
} from './wire/plan-view.js';
export {
  ApprovalGateSchema,
  BatchItemResultSchema,
  DryRunResultSchema,
  OptionEvaluationSchema,
  PlanCancelInputSchema,
  PlanGetInputSchema,
  PlanListInputSchema,
  PlanPageSchema,
  SubmitBatchInputSchema,
  SubmitInputSchema,
  SubmittedPlanSchema,
} from './wire/plans.js';
export {
  type PolicyRuleView,
  PolicyRuleViewSchema,
  type PolicySummary,
  PolicySummarySchema,
} from './wire/policy-get.js';
export {
  MAX_SHADOW_POLICY_CHARS,
  PolicyShadowInputSchema,
  type PolicyShadowReport,
  PolicyShadowReportSchema,
} from './wire/policy-shadow.js';
export { WIRE_PROCEDURES } from './wire/procedures.js';
export {
  IRREVERSIBLE_REASONS,
  RollbackInputSchema,
  type RollbackResult,
  RollbackResultSchema,
} from './wire/rollback.js';
export {
  decodeSubmittedVia,
  encodeSubmittedVia,
  MAX_SUBMITTED_VIA_LENGTH,
  SUBMITTED_VIA_HEADER,
  type SubmittedVia,
  SubmittedViaSchema,
} from './wire/submitted-via.js';
export {
  BUDGET_PERIODS,
  CAP_SCOPE_TYPES,
  CONTROL_SCOPES,
  type ControlScope,
  LEDGER_STATUSES,
  OUTBOX_STATUSES,
  type OutboxStatus,
  OutboxStatusSchema,
  PLAN_STATES,
  type PlanState,
  PlanStateSchema,
  ROLES,
  type Role,
} from './wire/vocabulary.js';
export {
  type AuthenticationResponseJson,
  AuthenticationResponseJsonSchema,
  Base64UrlSchema,
  CreationOptionsJsonSchema,
  type RegistrationResponseJson,
  RegistrationResponseJsonSchema,
  RequestOptionsJsonSchema,
} from './wire/webauthn.js';
export type {
  WireInput,
  WireOutput,
  WireProcedure,
  WireProcedurePath,
} from './wire/wire-types.js';
export { toJsonPointer } from './zod-issues.js';
