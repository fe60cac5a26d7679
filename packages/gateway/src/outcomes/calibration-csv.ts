import { stringify } from 'csv-stringify/sync';
import type { CalibrationReport, CalibrationRow } from './calibration-report.js';

/** The CSV columns of a calibration export, in order (RFC 4180, one header line). */
export const CALIBRATION_CSV_COLUMNS = [
  'scope',
  'vendor',
  'model',
  'modelVersion',
  'promptVersion',
  'promptHash',
  'workflowId',
  'kpi',
  'unit',
  'currency',
  'outcomes',
  'insideShare',
  'belowShare',
  'aboveShare',
  'p50Bias',
  'p50RelativeBias',
  'pinballLoss',
  'insidePlanIds',
  'belowPlanIds',
  'abovePlanIds',
] as const;

function line(scope: 'copilot' | 'workflow', row: CalibrationRow): (string | number)[] {
  const c = row.copilot;
  return [
    scope,
    c?.vendor ?? '',
    c?.model ?? '',
    c?.modelVersion ?? '',
    c?.promptVersion ?? '',
    c?.promptHash ?? '',
    row.workflowId ?? '',
    row.kpi,
    row.unit,
    row.currency ?? '',
    row.outcomes,
    row.inside.share,
    row.below.share,
    row.above.share,
    row.p50Bias,
    row.p50RelativeBias ?? '',
    row.pinballLoss,
    row.inside.planIds.join(' '),
    row.below.planIds.join(' '),
    row.above.planIds.join(' '),
  ];
}

/**
 * A calibration report as CSV (csv-stringify, RFC 4180): a header of {@link CALIBRATION_CSV_COLUMNS}, then one line
 * per copilot row (`scope` copilot) and per workflow row (`scope` workflow). Shares are 0..1; bias and pinball loss
 * in the KPI's unit (money in minor units); an empty relative bias is null (every p50 was 0); plan ids of a band
 * are separated by spaces.
 */
export function calibrationCsv(report: CalibrationReport): string {
  return stringify(
    [
      ...report.copilots.map((row) => line('copilot', row)),
      ...report.workflows.map((row) => line('workflow', row)),
    ],
    { header: true, columns: [...CALIBRATION_CSV_COLUMNS] },
  );
}
