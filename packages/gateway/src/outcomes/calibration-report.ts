import type {
  CalibrationReportSchema,
  CalibrationRowSchema,
  CopilotIdentity,
  Forecast,
  OutcomeReport,
} from '@handoff/protocol';
import type { z } from 'zod';
import { toIso } from '../clock.js';
import { loadPlanDocument, type PipelineDeps } from '../pipeline/deps.js';
import type { GatewayStore } from '../store/store.js';
import { parseStoredDocument } from '../store/stored-document.js';
import { calibrationFigures, type ScoredForecast } from './calibration-math.js';

/** One row of the calibration report (see `CalibrationRowSchema` of the wire API). */
export type CalibrationRow = z.infer<typeof CalibrationRowSchema>;
/** What `copilots.calibration` answers (see `CalibrationReportSchema`). */
export type CalibrationReport = z.infer<typeof CalibrationReportSchema>;

/** One plan's forecast with its latest final outcome, and what it is grouped by. */
interface Scored extends ScoredForecast {
  copilot: CopilotIdentity;
  workflowId: string;
  forecast: Forecast;
}

const PAGE = 500;

/** The copilot's identity as the report shows it: vendor, model, model version, prompt version and/or hash. */
function identityOf(copilot: CopilotIdentity): CopilotIdentity {
  return {
    vendor: copilot.vendor,
    model: copilot.model,
    modelVersion: copilot.modelVersion,
    ...(copilot.promptVersion !== undefined ? { promptVersion: copilot.promptVersion } : {}),
    ...(copilot.promptHash !== undefined ? { promptHash: copilot.promptHash } : {}),
  };
}

/** The KPI a forecast is measured in: KPI, unit and (money) currency; a group never mixes two. */
function kpiOf(forecast: Forecast): Pick<CalibrationRow, 'kpi' | 'unit' | 'currency'> {
  return {
    kpi: forecast.kpi,
    unit: forecast.unit,
    ...(forecast.unit === 'money' ? { currency: forecast.currency } : {}),
  };
}

/** A stable key of a copilot identity plus a forecast's KPI (JSON of the fields, in a fixed order). */
export function copilotKpiKey(copilot: CopilotIdentity, forecast: Forecast): string {
  return JSON.stringify([identityOf(copilot), kpiOf(forecast)]);
}

/**
 * The plan-level final outcome reports of a tenant, the latest per plan (interim and per-action reports never
 * count: an action's outcome is not the forecast's KPI of the whole option), each read back from its stored
 * document (re-hashed against its digest), with the plan's forecast of the option reported on.
 */
async function scoredForecasts(store: GatewayStore, tenantId: string): Promise<Scored[]> {
  const latest = new Map<string, { digest: string; optionId: string }>();
  let after = 0;
  for (;;) {
    const page = await store.queryLineageAt({
      tenantId,
      types: ['outcome.reported'],
      after,
      limit: PAGE,
    });
    for (const { event: e } of page) {
      const data = e.data as { interim?: unknown; actionId?: unknown; optionId?: unknown };
      const digest = e.refs.outcome;
      if (data.interim !== false || data.actionId !== undefined || e.planId === undefined) continue;
      if (digest === undefined || typeof data.optionId !== 'string') continue;
      latest.set(e.planId, { digest, optionId: data.optionId });
    }
    // A page that does not advance holds only events not sequenced yet (PostgreSQL): the last one to read.
    const next = page.at(-1)?.position ?? after;
    if (page.length < PAGE || next <= after) break;
    after = next;
  }
  return store.transaction(async (tx) => {
    const scored: Scored[] = [];
    for (const [planId, { digest, optionId }] of latest) {
      const record = await tx.getPlan(tenantId, planId);
      const body = await tx.getPayload(digest);
      if (!record || body === undefined) continue;
      const report = parseStoredDocument<OutcomeReport>(digest, body, 'Outcome report');
      const plan = await loadPlanDocument(tx, record);
      const forecast = plan.options.find((o) => o.optionId === optionId)?.forecast;
      if (!forecast) continue;
      scored.push({
        planId,
        observed: report.observed.value,
        p10: forecast.p10,
        p50: forecast.p50,
        p90: forecast.p90,
        copilot: plan.copilot,
        workflowId: plan.workflow.workflowId,
        forecast,
      });
    }
    return scored;
  });
}

/** Groups scored forecasts by `keyOf` (first seen first) and makes one row per group. */
function rowsBy(
  scored: readonly Scored[],
  keyOf: (s: Scored) => string,
  head: (s: Scored) => Partial<CalibrationRow>,
): CalibrationRow[] {
  const groups = new Map<string, Scored[]>();
  for (const s of scored) {
    const key = keyOf(s);
    const group = groups.get(key);
    if (group) group.push(s);
    else groups.set(key, [s]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as Scored;
    return { ...head(first), ...kpiOf(first.forecast), ...calibrationFigures(group) };
  });
}

/**
 * The calibration of a tenant's forecasts (`copilots.calibration`): one row per (copilot vendor, model, model
 * version, prompt version/hash, KPI) and one per (workflow, KPI), from the latest final plan-level outcome report
 * of each plan; figures as `calibrationFigures` computes them. Rows are in the order their first plan's report was
 * recorded. Reads every `outcome.reported` event of the tenant, and each counted plan and report once.
 *
 * @param atMs - when the report is made (epoch ms), shown as `generatedAt`.
 */
export async function calibrationReport(
  store: GatewayStore,
  tenantId: string,
  atMs: number,
): Promise<CalibrationReport> {
  const scored = await scoredForecasts(store, tenantId);
  return {
    generatedAt: toIso(atMs),
    copilots: rowsBy(
      scored,
      (s) => copilotKpiKey(s.copilot, s.forecast),
      (s) => ({ copilot: identityOf(s.copilot) }),
    ),
    workflows: rowsBy(
      scored,
      (s) => JSON.stringify([s.workflowId, kpiOf(s.forecast)]),
      (s) => ({ workflowId: s.workflowId }),
    ),
  };
}

/**
 * The tenant's calibration rows per copilot for policy evaluation, computed only when the active policy set has a
 * `forecast_calibration` rule (else undefined, and nothing is read).
 */
export async function policyCalibration(
  deps: Pick<PipelineDeps, 'store' | 'clock' | 'policy'>,
  tenantId: string,
): Promise<CalibrationRow[] | undefined> {
  if (!deps.policy.set.rules.some((rule) => rule.type === 'forecast_calibration')) return undefined;
  return (await calibrationReport(deps.store, tenantId, deps.clock.now())).copilots;
}
