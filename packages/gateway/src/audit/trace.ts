import type { HandoffPlan, LineageEvent } from '@handoff/protocol';
import { toIso } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { AuditReads } from '../store/audit-reads.js';
import type { OutboxRow } from '../store/store.js';
import type { LineageTrace, TracedEvent, TraceTarget } from './lineage-trace.js';
import { planOfTrace, verifiedDocument } from './trace-documents.js';

const CONTROL_TYPES = ['control.paused', 'control.resumed'] as const;
const BUDGET_TYPES: readonly string[] = [
  'budget.reserved',
  'budget.refused',
  'budget.committed',
  'budget.released',
  'plan.settled',
];

/** True when an event of lineage format 2 reserved or released budget (its `reservations`, `reserved`, `released`). */
function movesBudget(e: LineageEvent): boolean {
  return ['reservations', 'reserved', 'released'].some(
    (key) => Array.isArray(e.data[key]) && (e.data[key] as unknown[]).length > 0,
  );
}

/** True when an event of lineage format 2 queued the outbox row of `idempotencyKey` (its `data.queued`). */
function queues(e: LineageEvent, idempotencyKey: string): boolean {
  const queued = e.data.queued;
  return (
    Array.isArray(queued) &&
    queued.some((q) => typeof q === 'object' && q !== null && q.idempotencyKey === idempotencyKey)
  );
}

/**
 * The rule results per option that a `plan.received` event records (lineage format 2, `data.decisions`), shown as
 * `policy.evaluated` events showed them in format 1: one entry per option, carrying the arrival event's place in
 * the chain.
 */
function recordedEvaluations(events: readonly LineageEvent[]): TracedEvent[] {
  const received = events.find((e) => e.type === 'plan.received');
  const decisions = received?.data.decisions;
  if (!received || typeof decisions !== 'object' || decisions === null) return [];
  return Object.entries(decisions as Record<string, Record<string, unknown>>).map(
    ([optionId, o]) => ({
      ...traced(received),
      data: { optionId, outcome: o.outcome, rules: o.rules, gates: o.gates },
    }),
  );
}

function traced(e: LineageEvent): TracedEvent {
  return {
    seq: e.seq,
    type: e.type,
    occurredAt: e.occurredAt,
    actor: e.actor,
    refs: e.refs,
    data: e.data,
    hash: e.hash,
  };
}

/**
 * Builds the {@link LineageTrace} of a plan, or of the plan behind a dispatch (idempotency key) or an action id,
 * from the lineage events and tables, whatever dispatch events exist. Only a plan of `tenantId` is traced.
 *
 * Every stored document shown (the plan, the receipts) is re-hashed against the digest the lineage names; a
 * forged one is refused, never shown.
 *
 * `reads` are one store's audit reads (`GatewayStore.readAudit`), whatever its dialect; a trace of a plan costs
 * a handful of indexed reads, bounded by the plan's own rows and the tenant's control events during its life.
 *
 * @throws GatewayError `NOT_FOUND` when the target is unknown or belongs to another tenant (the two are not told
 *   apart, so a caller learns nothing of other tenants); `VALIDATION_FAILED` when no tenant is given and several
 *   tenants use the plan id; `INTERNAL` when a stored document does not hash to its digest, or the plan row names
 *   another plan digest than its `plan.received` event (the database was altered).
 */
export async function traceLineage(
  reads: AuditReads,
  target: TraceTarget,
  tenantId: string | undefined,
): Promise<LineageTrace> {
  const byPlan = 'planId' in target && !('actionId' in target);
  const found = byPlan ? undefined : await reads.findOutbox(target, tenantId);
  const planId = 'planId' in target ? target.planId : found?.[0]?.planId;
  // Plan ids are per tenant: a dispatch names its plan's tenant; a plan id alone is resolved in `tenantId`.
  const tenant = tenantId ?? found?.[0]?.tenantId;
  const record = planId === undefined ? undefined : await planOfTrace(reads, tenant, planId);
  const noDispatch = found !== undefined && found.length === 0;
  if (!record || noDispatch || (tenantId !== undefined && record.tenantId !== tenantId)) {
    throw new GatewayError('NOT_FOUND', 'Nothing to trace for this target in this tenant');
  }
  const positioned = await reads.eventsOfPlan(record.tenantId, record.planId);
  const events = positioned.map((p) => p.event);
  // The plan shown is the one its `plan.received` event names, re-hashed (`verifiedDocument`).
  const named = events.find((e) => e.type === 'plan.received')?.refs.plan;
  if (named !== undefined && named !== record.digest) {
    throw new GatewayError(
      'INTERNAL',
      `Plan ${record.planId}'s stored digest is not the one its plan.received event names: the database was altered`,
    );
  }
  const plan = await verifiedDocument<HandoffPlan>(reads, record.digest);
  const ofType = (...types: string[]) => events.filter((e) => types.includes(e.type)).map(traced);
  const rows: OutboxRow[] = found ?? (await reads.outboxOfPlan(record.tenantId, record.planId));
  const policy = await reads.policyVersion(record.policyVersion);
  // Kill switches that touched the plan happened between its first and last event (a switch already on when it
  // arrived shows as its own `plan.state_changed` to `paused`).
  const [from, to] = [positioned[0]?.position ?? 0, positioned.at(-1)?.position ?? 0];
  const switches = await reads.tenantEvents(record.tenantId, CONTROL_TYPES, from, to);
  const ledger = await reads.ledgerOfPlan(record.tenantId, record.planId);
  const accepted = await reads.approvalsOfPlan(record.tenantId, record.planId);
  const dispatches = await Promise.all(
    rows.map(async (row) => {
      const own = events.filter(
        (e) =>
          (e.type.startsWith('dispatch.') &&
            (e.data.idempotencyKey === row.idempotencyKey ||
              (e.data.idempotencyKey === undefined && e.data.actionIndex === row.actionIndex))) ||
          // A rollback's compensation row: its own attempts, each naming the row it reverses.
          (e.type.startsWith('rollback.') && e.data.idempotencyKey === row.idempotencyKey) ||
          // Format 2: the event of the transition that queued the row (`data.queued`).
          queues(e, row.idempotencyKey),
      );
      const digests = [...new Set(own.map((e) => e.refs.receipt).filter((d) => d !== undefined))];
      const receipts = await Promise.all(
        digests.map(async (digest) => ({ digest, receipt: await verifiedDocument(reads, digest) })),
      );
      return {
        idempotencyKey: row.idempotencyKey,
        actionId: row.actionId,
        actionIndex: row.actionIndex,
        adapter: row.adapter,
        status: row.status,
        attempts: row.attempts,
        receiptDigest: row.receiptDigest,
        events: own.map(traced),
        receipts,
      };
    }),
  );

  return {
    target,
    plan: {
      planId: record.planId,
      tenantId: record.tenantId,
      workflowId: record.workflowId,
      digest: record.digest,
      state: record.state,
      reasonCode: record.reasonCode,
      submittedBy: record.submittedBy,
      receivedAt: toIso(record.receivedAt),
      expiresAt: toIso(record.expiresAt),
      recommendedOptionId: record.recommendedOptionId,
      selectedOptionId: record.selectedOptionId,
    },
    ...(plan ? { copilot: plan.copilot } : {}),
    inputs: (plan?.inputs ?? []).map((i) => ({
      inputId: i.inputId,
      kind: i.kind,
      uri: i.uri,
      ...(i.version ? { version: i.version } : {}),
      ...(i.sha256 ? { sha256: i.sha256 } : {}),
    })),
    options: (plan?.options ?? []).map((o) => ({
      optionId: o.optionId,
      title: o.title,
      channels: [...o.channels],
      actions: o.actions.map((a) => ({
        actionId: a.actionId,
        adapter: a.adapter,
        type: a.type,
        estimatedCost: a.estimatedCost,
      })),
    })),
    policy: {
      version: record.policyVersion,
      ...(policy ? { policySetId: policy.policySetId, label: policy.label } : {}),
      evaluations: [...ofType('policy.evaluated'), ...recordedEvaluations(events)],
    },
    budget: {
      // Format 2 records reservations, moves and settlements in the events of the transitions that made them.
      events: events.filter((e) => BUDGET_TYPES.includes(e.type) || movesBudget(e)).map(traced),
      ledger: ledger.map((l) => ({
        capId: l.capId,
        periodKey: l.periodKey,
        amountMinor: l.amountMinor,
        currency: l.currency,
        status: l.status,
        createdAt: toIso(l.createdAt),
        updatedAt: toIso(l.updatedAt),
      })),
    },
    approvals: {
      accepted: accepted.map((a) => ({
        approver: a.approver,
        role: a.role,
        decision: a.decision,
        optionId: a.optionId,
        kid: a.kid,
        jti: a.jti,
        tokenDigest: a.tokenDigest,
        maxSpend: { amountMinor: a.maxSpendMinor, currency: a.currency },
        receivedAt: toIso(a.receivedAt),
      })),
      refused: ofType('approval.refused'),
    },
    dispatches,
    controls: [
      ...switches.filter((e) => coversPlan(e, record, plan)),
      ...events.filter(
        (e) =>
          e.type === 'control.held' ||
          (e.type === 'plan.state_changed' &&
            (e.actor.type === 'operator' ||
              e.data.to === 'paused' ||
              e.data.from === 'paused' ||
              e.data.to === 'cancelled')),
      ),
    ]
      .sort((a, b) => a.seq - b.seq)
      .map(traced),
    events: events.map(traced),
  };
}

/** True when a kill-switch event's scope covers the plan (tenant, workflow, copilot model, a channel or adapter). */
function coversPlan(
  event: LineageEvent,
  record: { tenantId: string; workflowId: string; copilotModel: string },
  plan: HandoffPlan | undefined,
): boolean {
  const { scopeType, scopeValue } = event.data;
  const options = plan?.options ?? [];
  switch (scopeType) {
    case 'tenant':
      return scopeValue === record.tenantId;
    case 'workflow':
      return scopeValue === record.workflowId;
    case 'copilot_model':
      return scopeValue === record.copilotModel;
    case 'channel':
      return options.some((o) => (o.channels as readonly string[]).includes(String(scopeValue)));
    case 'adapter':
      return options.some((o) => o.actions.some((a) => a.adapter === scopeValue));
    default:
      return false;
  }
}
