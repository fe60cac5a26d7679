/**
 * @handoff/gateway: the reference gateway. Public API: build a gateway from configuration, serve it over HTTP,
 * call it in process, and the types a typed client needs.
 */
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
export { Gateway, type LineageQuery, type Page } from './gateway.js';
export type { PlanView } from './pipeline/plan-view.js';
export { PLAN_STATES, PLAN_TRANSITIONS, type PlanState } from './plan-state.js';
export type { PolicyEvaluation } from './policy/evaluate.js';
export { loadPolicySet, type PolicySet, policyVersion } from './policy/policy-set.js';
export {
  createGatewayRuntime,
  type GatewayRuntime,
  type RunningGateway,
  startGateway,
} from './runtime.js';
