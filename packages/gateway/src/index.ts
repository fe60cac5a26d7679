/**
 * @handoff/gateway: the reference gateway. Public API: build a gateway from configuration, serve it over HTTP,
 * call it in process, and the types a typed client needs.
 */

export type {
  VerificationFailure,
  VerificationFailureCode,
  VerificationReport,
  WitnessFailure,
} from '@handoff/lineage';
export {
  CHECKPOINT_TYPE,
  type CheckpointKey,
  EXPORT_FORMAT,
  type ExportLine,
  eventLeafHash,
  leafHash,
  MerkleTree,
  merkleRoot,
  nodeHash,
  signTreeHead,
  type TreeHead,
  verifyConsistency,
  verifyInclusion,
  verifyTreeHead,
} from '@handoff/lineage';
export { OPERATION_ROLES, type Operation } from './access.js';
export { type HttpServerOptions, type RunningServer, startHttpServer } from './api/http-server.js';
export { type AppRouter, appRouter } from './api/router.js';
export { type ApprovalInput, createApprovalToken } from './approvals/create-approval.js';
export { createKeySource, type KeySourceConfig } from './approvals/key-source.js';
export {
  ALLOWED_ALGORITHMS,
  generateSigningKeyPair,
  type SigningKeyPair,
} from './approvals/signing-keys.js';
export { importCheckpointKey } from './audit/checkpoint-key.js';
export { openDatabaseSource } from './audit/database-source.js';
export {
  type ExportJsonlOptions,
  type ExportSummary,
  exportLineageJsonl,
} from './audit/export-jsonl.js';
export {
  exportOpenLineage,
  HANDOFF_FACET_SCHEMA_URLS,
  OPENLINEAGE_SCHEMA_URL,
  type OpenLineageOptions,
  runEventsOf,
} from './audit/export-openlineage.js';
export { openExportSource } from './audit/export-source.js';
export type { LineageSource } from './audit/lineage-source.js';
export type { LineageTrace, TraceTarget } from './audit/lineage-trace.js';
export {
  type CheckpointRecord,
  DEFAULT_MAX_BATCH,
  Sequencer,
  type SequencerOptions,
  startSequencing,
} from './audit/sequencer.js';
export { traceInStore } from './audit/trace-in-store.js';
export { renderTrace } from './audit/trace-report.js';
export {
  anchorsFromJwks,
  type TrustAnchors,
  type VerifierTrust,
} from './audit/trust-anchors.js';
export { type VerifyLineageOptions, verifyLineage } from './audit/verify-lineage.js';
export { verifyLineageAgainst } from './audit/verify-witness.js';
export type { WitnessHealth, WitnessLine } from './audit/witness-file.js';
export { generateApiKey, hashApiKey } from './auth/api-keys.js';
export { type Principal, ROLES, type Role } from './auth/principal.js';
export { type Clock, ManualClock, systemClock } from './clock.js';
export { type GatewayConfig, GatewayConfigSchema } from './config/config-schema.js';
export { type LoadedConfig, loadConfigFile, validateConfig } from './config/load-config.js';
export {
  GATEWAY_ERROR_CODES,
  GATEWAY_ERROR_TABLE,
  GatewayError,
  type GatewayErrorCode,
  isGatewayError,
} from './errors.js';
export { Gateway } from './gateway.js';
export type { LineageQuery, Page } from './gateway-pages.js';
export type { PlanView } from './pipeline/plan-view.js';
export {
  type BatchItemResult,
  type BatchPlanItem,
  MAX_BATCH_PLANS,
  type PlanSubmitter,
  SubmitInputSchema,
  type SubmittedPlan,
  submitPlanBatch,
} from './pipeline/submit-batch.js';
export { PLAN_STATES, PLAN_TRANSITIONS, type PlanState } from './plan-state.js';
export type { PolicyEvaluation } from './policy/evaluate.js';
export { loadPolicySet, type PolicySet, policyVersion } from './policy/policy-set.js';
export {
  createGatewayRuntime,
  type GatewayRuntime,
  type RunningGateway,
  startGateway,
} from './runtime.js';
export { type ChainHead, chainEvents, EMPTY_HEAD } from './store/lineage-chain.js';
export { openStoreReadOnly } from './store/open-read-only.js';
export type { LineageDraft } from './store/store.js';
