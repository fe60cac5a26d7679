/**
 * @handoff/copilot-adapter: what an AI marketing copilot needs to hand a plan to Handoff.
 *
 * - Build and validate: `money` (with explicit `rounding`), `moveWithinPercent` (a guardrail-safe budget move),
 *   `planId`, `timestamp`, evidence builders, `validatePlan` (issues with hints for the model), `digestAndFreeze`.
 * - Ask a model for a plan: `openAiResponseFormat` / `openAiTextFormat` (strict Structured Outputs),
 *   `anthropicPlanTool`, `handoffPlanJsonSchema` (generic).
 * - Read its answer: `parsePlanFromModelOutput`, then `repairPrompt` when it fails.
 * - Prove where a plan came from: `signPlan` (a `handoff-plan+jwt` JWS the gateway verifies).
 * - Talk to the gateway: `HandoffClient` (typed tRPC client with retries and `waitForDecision`).
 */
export {
  citation,
  datasetReference,
  type EvidenceOf,
  namedClient,
  quantifiedOutcome,
} from './build/evidence.js';
export { type MoneyOptions, money, moneyToDecimalString } from './build/money.js';
export { moveWithinPercent } from './build/percent-move.js';
export {
  cryptoRandomBytes,
  type PlanIdOptions,
  planId,
  planIdTime,
  type RandomBytes,
} from './build/plan-id.js';
export { ROUNDINGS, type Rounding } from './build/rounding.js';
export {
  type Clock,
  type PlanTimestampsOptions,
  planTimestamps,
  systemClock,
  timestamp,
} from './build/time.js';
export {
  type ClientSideErrorCode,
  HandoffClientError,
  type HandoffClientErrorCode,
  RETRYABLE_CODES,
  RETRYABLE_HTTP_STATUSES,
  type WireIssue,
} from './client/client-error.js';
export {
  type CallOptions,
  type CapsResult,
  type DryRunResult,
  type GatewayAcceptsSignature,
  HandoffClient,
  type HandoffClientOptions,
  type HealthResult,
  isAwaitingDecision,
  type OutcomeRecorded,
  type PlanListQuery,
  type PlanPage,
  type PlanStatus,
  type PolicyResult,
  type SubmitOptions,
  type SubmitResult,
  type WaitOptions,
} from './client/handoff-client.js';
export { type RefusalHints, type RefusalIssue, refusalHints } from './client/refusal-hints.js';
export {
  type FetchLike,
  type RetryPolicy,
  realSleep,
  type Sleep,
} from './client/retrying-fetch.js';
export {
  MAX_PLANS_PER_REQUEST,
  type PlanSubmission,
  type PlanSubmissionResult,
  submitInRequests,
} from './client/submit-batch.js';
export {
  ANTHROPIC_PROFILE,
  ANTHROPIC_STRICT_LIMITS,
  type AnthropicStrictBudget,
  type AnthropicTool,
  type AnthropicToolOptions,
  anthropicPlanSchema,
  anthropicPlanTool,
  anthropicStrictBudget,
} from './llm-schemas/anthropic.js';
export {
  handoffPlanJsonSchema,
  type JsonSchema,
  type JsonValue,
} from './llm-schemas/json-schema.js';
export {
  OPENAI_STRICT_PROFILE,
  type OpenAiFormatOptions,
  openAiPlanSchema,
  openAiResponseFormat,
  openAiTextFormat,
} from './llm-schemas/openai.js';
export {
  PROPERTY_ENTRIES_DEF,
  PROPERTY_ENTRIES_SCHEMA,
  type ProviderProfile,
  toProviderSchema,
} from './llm-schemas/provider-schema.js';
export {
  type Extraction,
  extractJsonObject,
  type JsonSource,
} from './model-output/extract-json.js';
export { normaliseModelPlan } from './model-output/normalise.js';
export {
  type ModelPlanResult,
  type ParseModelOutputOptions,
  type ParseStage,
  parsePlanFromModelOutput,
} from './model-output/parse-model-plan.js';
export { type RepairPromptOptions, repairPrompt } from './model-output/repair-prompt.js';
export {
  generateProvenanceKeyPair,
  PLAN_SIGNATURE_ALGORITHMS,
  PLAN_SIGNATURE_TYPE,
  type PlanProvenanceClaims,
  type PlanSignatureAlgorithm,
  PlanSigningError,
  type ProvenanceKeyPair,
  type SignPlanOptions,
  signPlan,
} from './provenance/sign-plan.js';
export {
  type AdapterIssueCode,
  hintFor,
  ISSUE_HINTS,
  type PlanIssue,
  type PlanIssueCode,
} from './validate/hints.js';
export {
  digestAndFreeze,
  type PlanValidation,
  planDigest,
  validatePlan,
} from './validate/validate-plan.js';
