// The shapes of a lineage trace: what `lineage.trace`, `handoff lineage trace` and `traceInStore` answer. Kept
// apart from the trace builder so the public types name no store or database type.
import type { HandoffPlan, LineageEvent, Money, WireInput } from '@handoff/protocol';

/**
 * What to trace: a plan, one dispatch by its idempotency key, or the dispatches of an action id (of `planId`
 * when given, else of the most recent plan with that action id).
 */
export type TraceTarget = WireInput<'lineage.trace'>;

/** One lineage event as a trace lists it: where it is in the log, when, who, and its facts. */
export interface TracedEvent {
  seq: number;
  type: LineageEvent['type'];
  /** RFC 3339 UTC. */
  occurredAt: string;
  actor: LineageEvent['actor'];
  refs: Record<string, string>;
  data: Record<string, unknown>;
  /** The event's hash in the chain (check it with `handoff lineage verify`). */
  hash: string;
}

/**
 * The whole chain behind a plan (or one of its dispatches), from the platform receipts back to the data: every
 * time is RFC 3339 UTC, money is integer minor units with its currency, digests are `sha256:<hex>`.
 */
export interface LineageTrace {
  target: TraceTarget;
  plan: {
    planId: string;
    tenantId: string;
    workflowId: string;
    digest: string;
    state: string;
    reasonCode: string | null;
    submittedBy: string;
    receivedAt: string;
    expiresAt: string;
    recommendedOptionId: string;
    selectedOptionId: string | null;
  };
  /** The copilot that proposed it: vendor, model, model version, prompt version and/or prompt hash. */
  copilot?: HandoffPlan['copilot'];
  /** Its input datasets and signals with their digests (`sha256`) and versions, as the plan cited them. */
  inputs: { inputId: string; kind: string; uri: string; version?: string; sha256?: string }[];
  /** The options with their actions (id, adapter, type, estimated cost). */
  options: {
    optionId: string;
    title: string;
    channels: string[];
    actions: { actionId: string; adapter: string; type: string; estimatedCost: Money }[];
  }[];
  /**
   * The policy version it was evaluated under, and every rule result per option: the `policy.evaluated` events of
   * a format-1 lineage, or, in format 2, one entry per option of what its `plan.received` event records
   * (`type` `plan.received`, its `seq` and `hash`; `data`: optionId, outcome, rules, gates).
   */
  policy: {
    version: string;
    policySetId?: string;
    label?: string;
    evaluations: TracedEvent[];
  };
  /**
   * Reservations, refusals, commits and releases (format 1: `budget.*` events; format 2: the events of the
   * transitions that moved budget, `plan.received`, `approval.accepted`, `plan.settled`), with the ledger lines as
   * they stand.
   */
  budget: {
    events: TracedEvent[];
    ledger: {
      capId: string;
      periodKey: string;
      amountMinor: number;
      currency: string;
      status: string;
      createdAt: string;
      updatedAt: string;
    }[];
  };
  /** Every accepted approval (approver, role, decision, key id, time) and every refused one. */
  approvals: {
    accepted: {
      approver: string;
      role: string;
      decision: string;
      optionId: string;
      kid: string;
      jti: string;
      tokenDigest: string;
      /** The most the approver allowed, in minor units of its currency. */
      maxSpend: { amountMinor: number; currency: string };
      receivedAt: string;
    }[];
    refused: TracedEvent[];
  };
  /** The actions dispatched: outbox row, every dispatch event and the stored platform receipts. */
  dispatches: {
    idempotencyKey: string;
    actionId: string;
    actionIndex: number;
    adapter: string;
    status: string;
    attempts: number;
    receiptDigest: string | null;
    events: TracedEvent[];
    receipts: { digest: string; receipt?: unknown }[];
  }[];
  /**
   * Kill switches and operator actions that touched it: pauses and resumes of a scope covering it, what a switch
   * held back (`control.held`), cancellation.
   */
  controls: TracedEvent[];
  /** Every event of the plan, in `seq` order. */
  events: TracedEvent[];
}
