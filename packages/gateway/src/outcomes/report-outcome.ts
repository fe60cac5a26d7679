import {
  canonicalJson,
  type Forecast,
  type OutcomeRecordedSchema,
  type OutcomeReport,
  sha256Digest,
} from '@handoff/protocol';
import type { z } from 'zod';
import { type Principal, requireTenant } from '../auth/principal.js';
import { toIso } from '../clock.js';
import { GatewayError } from '../errors.js';
import { actorOf, loadPlanDocument, type PipelineDeps } from '../pipeline/deps.js';
import { parseContractDocument } from '../pipeline/parse-document.js';
import { applyOutcomeGuardrail } from '../rollback/outcome-guardrail.js';
import type { OutboxRow, PlanRecord, StoreTx } from '../store/store.js';
import { positionOf } from './calibration-math.js';

/** What `outcomes.report` answers (see `OutcomeRecordedSchema` of the wire API). */
export type OutcomeRecorded = z.infer<typeof OutcomeRecordedSchema>;

const DAY_MS = 86_400_000;

/** The lineage `data` of an `outcome.reported` event: small facts, never the source's content. */
interface OutcomeEventData {
  reportId: string;
  actionId?: string;
  optionId: string;
  kpi: string;
  unit: string;
  observed: number;
  interim: boolean;
  position: string;
  observerType: string;
  dispatchedAt: string;
  horizonEndsAt: string;
}

/**
 * When the plan (or its action `actionId`) was dispatched: the latest `updatedAt` of its succeeded outbox rows
 * (epoch ms), once no row of the option in play is still `pending` or `in_flight`.
 *
 * @throws GatewayError `OUTCOME_NOT_DISPATCHED` when nothing (or not that action) was dispatched, or the dispatch
 *   is still under way.
 */
function dispatchedAt(rows: readonly OutboxRow[], optionId: string, actionId?: string): number {
  const ofOption = rows.filter((r) => r.optionId === optionId);
  const relevant =
    actionId === undefined ? ofOption : ofOption.filter((r) => r.actionId === actionId);
  const underWay = relevant.some((r) => r.status === 'pending' || r.status === 'in_flight');
  const succeeded = relevant.filter((r) => r.status === 'succeeded');
  if (underWay || succeeded.length === 0) {
    const what = actionId === undefined ? 'plan' : `action ${actionId}`;
    throw new GatewayError(
      'OUTCOME_NOT_DISPATCHED',
      underWay
        ? `The ${what} is still being dispatched; report its outcome once dispatch is over`
        : `The ${what} was never dispatched: no dispatch of it succeeded`,
      { details: { statuses: relevant.map((r) => r.status) } },
    );
  }
  return Math.max(...succeeded.map((r) => r.updatedAt));
}

/**
 * The forecast's KPI, unit and currency against the report's.
 * @throws GatewayError `OUTCOME_KPI_MISMATCH` naming the first field that differs.
 */
function checkKpi(report: OutcomeReport, forecast: Forecast, optionId: string): void {
  const { observed } = report;
  const fields: [string, unknown, unknown][] = [
    ['unit', observed.unit, forecast.unit],
    ['kpi', observed.kpi, forecast.kpi],
    [
      'currency',
      observed.unit === 'money' ? observed.currency : undefined,
      forecast.unit === 'money' ? forecast.currency : undefined,
    ],
  ];
  const differing = fields.find(([, got, want]) => got !== want);
  if (differing === undefined) return;
  const [field, got, want] = differing;
  const message = `The plan's option ${optionId} forecast ${field} ${String(want)}; this report has ${String(got)}`;
  throw new GatewayError('OUTCOME_KPI_MISMATCH', message, {
    issues: [{ path: `/observed/${field}`, code: 'INVALID_VALUE', message }],
    details: { expected: { kpi: forecast.kpi, unit: forecast.unit } },
  });
}

/**
 * A final report needs the horizon over both at `observedAt` and now; an interim one an `observedAt` after dispatch.
 * @throws GatewayError `OUTCOME_HORIZON_NOT_OVER` (with `details.horizonEndsAt`), `VALIDATION_FAILED` for an
 *   interim observation before the dispatch.
 */
function checkHorizon(report: OutcomeReport, sentAt: number, endsAt: number, now: number): void {
  const observedAt = Date.parse(report.observedAt);
  if (report.interim) {
    if (observedAt >= sentAt) return;
    const message = `observedAt is before the dispatch (${toIso(sentAt)})`;
    throw new GatewayError('VALIDATION_FAILED', message, {
      issues: [{ path: '/observedAt', code: 'INVALID_VALUE', message }],
    });
  }
  if (observedAt >= endsAt && now >= endsAt) return;
  throw new GatewayError(
    'OUTCOME_HORIZON_NOT_OVER',
    `The forecast's horizon ends at ${toIso(endsAt)}; send a report before then with interim: true`,
    {
      issues: [{ path: '/interim', code: 'INVALID_VALUE', message: 'The horizon is not over' }],
      details: { horizonEndsAt: toIso(endsAt) },
    },
  );
}

/** The report's idempotency: the earlier recording of the same report, or a conflict with another one. */
async function earlier(
  tx: StoreTx,
  report: OutcomeReport,
  digest: string,
): Promise<OutcomeEventData | undefined> {
  const events = await tx.planEvents(report.tenantId, report.planId, 'outcome.reported');
  const same = events.find(
    (e) => (e.data as Partial<OutcomeEventData>).reportId === report.reportId,
  );
  if (same === undefined) return undefined;
  if (same.refs.outcome === digest) return same.data as unknown as OutcomeEventData;
  throw new GatewayError(
    'OUTCOME_REPORT_CONFLICT',
    `Report ${report.reportId} was already recorded for this plan with another content`,
    { details: { recordedDigest: same.refs.outcome } },
  );
}

/**
 * Records an outcome report (`outcomes.report`, role reporter or operator) in one transaction: the report stored
 * once by its RFC 8785 digest and an `outcome.reported` lineage event naming it (`refs.outcome`) and the plan
 * (`refs.plan`). The same report again answers the first recording with `created: false`. Every refusal changes
 * nothing.
 *
 * @throws GatewayError `VALIDATION_FAILED` / `UNSUPPORTED_VERSION` (not an OutcomeReport; an interim observation
 *   before the dispatch), `FORBIDDEN` (another tenant's `tenantId`), `NOT_FOUND` (no such plan in the tenant, or
 *   no such action), `OUTCOME_NOT_DISPATCHED`, `OUTCOME_KPI_MISMATCH`, `OUTCOME_HORIZON_NOT_OVER`,
 *   `OUTCOME_REPORT_CONFLICT`.
 */
export async function reportOutcome(
  deps: PipelineDeps,
  principal: Principal,
  input: unknown,
): Promise<OutcomeRecorded> {
  const report = parseContractDocument('OutcomeReport', input);
  requireTenant(principal, report.tenantId);
  const canonical = canonicalJson(report);
  const digest = sha256Digest(canonical);
  return deps.store.transaction(async (tx) => {
    const record = await tx.getPlan(report.tenantId, report.planId);
    if (!record) throw new GatewayError('NOT_FOUND', `No plan ${report.planId}`);
    const optionId = record.selectedOptionId ?? record.recommendedOptionId;
    const plan = await loadPlanDocument(tx, record);
    const option = plan.options.find((o) => o.optionId === optionId);
    if (!option) throw new Error(`Plan ${record.planId} has no option ${optionId}`);
    const { forecast } = option;
    if (
      report.actionId !== undefined &&
      !option.actions.some((a) => a.actionId === report.actionId)
    ) {
      const message = `The plan's option ${optionId} has no action ${report.actionId}`;
      throw new GatewayError('NOT_FOUND', message, {
        issues: [{ path: '/actionId', code: 'INVALID_VALUE', message }],
      });
    }
    const rows = await tx.outboxForPlan(record.tenantId, record.planId);
    const sentAt = dispatchedAt(rows, optionId, report.actionId);
    checkKpi(report, forecast, optionId);
    const endsAt = sentAt + forecast.horizonDays * DAY_MS;
    checkHorizon(report, sentAt, endsAt, deps.clock.now());
    const before = await earlier(tx, report, digest);
    const data = before ?? eventData(report, optionId, forecast, sentAt, endsAt);
    if (!before) await append(tx, deps, principal, record, report, digest, canonical, data);
    // The outcome guardrail (rollback/outcome-guardrail.ts): an interim outcome far below p10 pauses or rolls back.
    if (!before)
      await applyOutcomeGuardrail(tx, {
        ...deps,
        record,
        report,
        forecast,
        atMs: deps.clock.now(),
      });
    return answer(report, digest, before === undefined, forecast, data);
  });
}

function eventData(
  report: OutcomeReport,
  optionId: string,
  forecast: Forecast,
  sentAt: number,
  endsAt: number,
): OutcomeEventData {
  return {
    reportId: report.reportId,
    ...(report.actionId !== undefined ? { actionId: report.actionId } : {}),
    optionId,
    kpi: report.observed.kpi,
    unit: report.observed.unit,
    observed: report.observed.value,
    interim: report.interim,
    position: positionOf(report.observed.value, forecast),
    observerType: report.observer.type,
    dispatchedAt: toIso(sentAt),
    horizonEndsAt: toIso(endsAt),
  };
}

async function append(
  tx: StoreTx,
  deps: PipelineDeps,
  principal: Principal,
  record: PlanRecord,
  report: OutcomeReport,
  digest: string,
  canonical: string,
  data: OutcomeEventData,
): Promise<void> {
  const now = deps.clock.now();
  await tx.putPayload(digest, 'OutcomeReport', canonical, now);
  await tx.appendLineage([
    {
      tenantId: report.tenantId,
      planId: report.planId,
      type: 'outcome.reported',
      actor: actorOf(principal, principal.roles.includes('reporter') ? 'reporter' : 'operator'),
      occurredAt: now,
      refs: { outcome: digest, plan: record.digest },
      data: { ...data },
    },
  ]);
}

function answer(
  report: OutcomeReport,
  digest: string,
  created: boolean,
  forecast: Forecast,
  data: OutcomeEventData,
): OutcomeRecorded {
  return {
    reportId: report.reportId,
    planId: report.planId,
    ...(report.actionId !== undefined ? { actionId: report.actionId } : {}),
    digest,
    created,
    interim: report.interim,
    optionId: data.optionId,
    forecast: {
      kpi: forecast.kpi,
      unit: forecast.unit,
      ...(forecast.unit === 'money' ? { currency: forecast.currency } : {}),
      p10: forecast.p10,
      p50: forecast.p50,
      p90: forecast.p90,
      horizonDays: forecast.horizonDays,
    },
    observed: report.observed.value,
    position: positionOf(report.observed.value, forecast),
    dispatchedAt: data.dispatchedAt,
    horizonEndsAt: data.horizonEndsAt,
  };
}
