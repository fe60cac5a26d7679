import type { Actor, HandoffPlan } from '@handoff/protocol';
import type { CopilotDirectory } from '../approvals/approver-registry.js';
import type { KeySource } from '../approvals/key-source.js';
import type { TenantKeySources } from '../approvals/registry-key-source.js';
import type { WitnessHealth } from '../audit/witness-file.js';
import type { Principal } from '../auth/principal.js';
import type { Clock } from '../clock.js';
import type { Notifier } from '../notifications/notifier.js';
import type { DecisionLog } from '../observability/decision-log.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { PolicyEvaluation } from '../policy/evaluate.js';
import type { SuppressionLookup } from '../policy/policy-facts.js';
import type { PolicySet } from '../policy/policy-set.js';
import type { OutcomeGuardrail } from '../rollback/outcome-guardrail.js';
import type { RollbackPolicy } from '../rollback/rollback-policy.js';
import type { ReversibleTypes } from '../rollback/rollback-targets.js';
import type { GatewayStore, PlanRecord, StoreTx } from '../store/store.js';
import { parseStoredDocument } from '../store/stored-document.js';

/** What the pipeline needs, injected: storage, time, identity, policy and keys. */
export interface PipelineDeps {
  store: GatewayStore;
  clock: Clock;
  /** This gateway's id: the `aud` every approval must name. */
  gatewayId: string;
  /** The active policy set and its version (`sha256:` digest of its RFC 8785 form). */
  policy: { set: PolicySet; version: string };
  /**
   * A candidate policy set run beside the active one (config `shadowPolicy`): evaluated on every submission with
   * the same facts, recorded as `policy.shadow_evaluated`, gating nothing. Absent: none.
   */
  shadowPolicy?: { set: PolicySet; version: string };
  /** The suppression lists `suppression` rules name (config `suppressionLists`). Absent: those rules deny. */
  suppression?: SuppressionLookup;
  /** Where budget warning notifications go after a commit (config `notifications`). Absent: none sent. */
  notifier?: Notifier;
  /** The console's origin (config `console.origin`): notifications link to `<origin>/console/plans/<id>`. */
  consoleOrigin?: string;
  /**
   * Where approvers' public keys come from, per tenant: the approval pipeline asks for the presenting principal's
   * tenant. In a runtime, the approver registry (`registryKeySources`), so the key that verifies a token is the one
   * that tenant pinned for its kid. The pipeline also reads that registration again in its transaction (identity,
   * roles, status); a kid the tenant did not register is never accepted.
   */
  approverKeys: TenantKeySources;
  /** Which principals hold the `copilot` role per tenant (separation of duties). Default: none known. */
  copilots?: CopilotDirectory;
  /** Allowed clock skew for approval `exp`/`nbf`, in seconds. */
  approvalClockToleranceSec: number;
  /** Whether a kill switch keeps (`keep`) or releases (`release`) the budget held by the plans it pauses. */
  onPause: 'keep' | 'release';
  /**
   * Copilot plan signatures (provenance): the copilots' public keys, and whether a plan without a valid signature
   * is refused. Absent: signatures are neither asked for nor accepted.
   */
  provenance?: { keys: KeySource; required: boolean; clockToleranceSec: number };
  /** Called after a commit that queued outbox rows (a plan approved, a dispatch retried): wakes a dispatcher. */
  onActionsQueued?: () => void;
  /** The witness file tree heads are appended to (`checkpoints.witnessFile`): its state shows in `health`. */
  witness?: { health(): WitnessHealth };
  /** Prometheus metrics, told of submissions, decisions, approvals and resolutions. Absent: none kept. */
  metrics?: GatewayMetrics;
  /** Where submissions, decisions, approvals, kill-switch and cap changes are logged. Default: nowhere. */
  decisionLog?: DecisionLog;
  /** Whether a rollback needs operator approvals (config `rollback`). Default `DEFAULT_ROLLBACK_POLICY`. */
  rollback?: RollbackPolicy;
  /** Which action types each configured adapter can reverse. Default: none (every action irreversible). */
  reversibleTypes?: ReversibleTypes;
  /** What an interim outcome far below its forecast's p10 triggers (config `outcomeGuardrail`). Default: nothing. */
  outcomeGuardrail?: OutcomeGuardrail;
}

/** The lineage actor of a principal. */
export function actorOf(principal: Principal, type: Actor['type']): Actor {
  return { type, id: principal.id };
}

/** The gateway itself as a lineage actor. */
export const SYSTEM_ACTOR: Actor = { type: 'system', id: 'gateway' };

/**
 * Reads the validated plan document a record refers to (stored once by digest at submission), re-hashed against
 * that digest first (one SHA-256 of a few kB, small beside the transaction that reads it): a plan edited in the
 * database is never approved, evaluated or dispatched.
 *
 * @throws GatewayError `INTERNAL` when the stored plan does not hash to `record.digest` (see
 *   `parseStoredDocument`); Error when it is missing.
 */
export async function loadPlanDocument(tx: StoreTx, record: PlanRecord): Promise<HandoffPlan> {
  const body = await tx.getPayload(record.digest);
  if (body === undefined) throw new Error(`Plan payload ${record.digest} is missing`);
  return parseStoredDocument<HandoffPlan>(record.digest, body, 'Plan payload');
}

/**
 * The policy evaluation recorded with a plan (its `PolicyEvaluation` payload), re-hashed against its digest.
 *
 * @throws GatewayError `INTERNAL` when it does not hash to `record.evaluationDigest`; Error when it is missing.
 */
export async function evaluationOf(tx: StoreTx, record: PlanRecord): Promise<PolicyEvaluation> {
  const body = await tx.getPayload(record.evaluationDigest);
  if (body === undefined)
    throw new Error(`Policy evaluation ${record.evaluationDigest} is missing`);
  return parseStoredDocument<PolicyEvaluation>(record.evaluationDigest, body, 'Policy evaluation');
}
