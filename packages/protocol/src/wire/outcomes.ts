/**
 * The `outcomes.report` and `copilots.calibration` procedures' inputs and outputs: an outcome report of a
 * dispatched plan, and the calibration of the forecasts that have outcomes, per copilot and per workflow.
 */
import { z } from 'zod';
import { KpiSchema } from '../metric.js';
import { CurrencyCodeSchema } from '../money.js';
import { CopilotIdentitySchema } from '../plan.js';
import { DigestSchema, IdentifierSchema, PlanIdSchema, TimestampSchema } from '../primitives.js';

/**
 * The input of `outcomes.report`: an `OutcomeReport` document (validated by the gateway against the protocol's
 * schema, so its issues point into the report under `/report`).
 */
export const OutcomeReportInputSchema = z.strictObject({
  report: z.unknown().meta({
    description:
      'An OutcomeReport document (urn:handoff:schema:v1:OutcomeReport), validated by the gateway.',
  }),
});

/** Where an observed value lies against the forecast: `below` p10, `inside` p10..p90 (inclusive), `above` p90. */
export const OutcomePositionSchema = z.enum(['below', 'inside', 'above']);

/**
 * What `outcomes.report` answers: the recorded report (`digest`, the RFC 8785 SHA-256 it is stored under and the
 * `outcome.reported` lineage event names), `created` (false when the same report was sent again), the forecast it
 * is compared with (the plan's option in play; p10/p50/p90 in the KPI's unit, money in minor units), where the
 * value lies, and when the horizon ends (dispatch time + `horizonDays` days).
 */
export const OutcomeRecordedSchema = z
  .strictObject({
    reportId: IdentifierSchema,
    planId: PlanIdSchema,
    actionId: IdentifierSchema.optional(),
    digest: DigestSchema,
    created: z.boolean(),
    interim: z.boolean(),
    optionId: IdentifierSchema,
    forecast: z.strictObject({
      kpi: KpiSchema,
      unit: z.enum(['ratio', 'count', 'money']),
      currency: CurrencyCodeSchema.optional(),
      p10: z.number(),
      p50: z.number(),
      p90: z.number(),
      horizonDays: z.int(),
    }),
    observed: z.number(),
    position: OutcomePositionSchema,
    dispatchedAt: TimestampSchema,
    horizonEndsAt: TimestampSchema,
  })
  .meta({
    id: 'OutcomeRecorded',
    description:
      'The recorded outcome report: digest, the forecast it meets, where the value lies, horizon end.',
  });

/** One band of a calibration row: how many outcomes fell in it, their share of the row (0..1), and their plans. */
export const CalibrationBandSchema = z.strictObject({
  count: z.int().min(0),
  share: z.number().min(0).max(1),
  planIds: z.array(PlanIdSchema),
});

/**
 * The calibration of one group of forecasts that have a final outcome, for one KPI in one unit (and currency):
 * `outcomes` (how many), the shares `inside` p10..p90 (a calibrated copilot lands near 0.8), `below` p10 and
 * `above` p90 with the plans behind each, `p50Bias` (mean of observed - p50, in the KPI's unit; money in minor
 * units, fractional), `p50RelativeBias` ((sum observed - sum p50) / sum p50; null when sum p50 is 0),
 * `pinballLoss` (mean quantile loss over p10, p50 and p90, in the KPI's unit) and `planIds` (every plan counted).
 */
export const CalibrationRowSchema = z
  .strictObject({
    copilot: CopilotIdentitySchema.optional(),
    workflowId: IdentifierSchema.optional(),
    kpi: KpiSchema,
    unit: z.enum(['ratio', 'count', 'money']),
    currency: CurrencyCodeSchema.optional(),
    outcomes: z.int().min(1),
    inside: CalibrationBandSchema,
    below: CalibrationBandSchema,
    above: CalibrationBandSchema,
    p50Bias: z.number(),
    p50RelativeBias: z.number().nullable(),
    pinballLoss: z.number().min(0),
    planIds: z.array(PlanIdSchema),
  })
  .meta({
    id: 'CalibrationRow',
    description:
      'Calibration of one copilot or workflow on one KPI: coverage, bias of p50, pinball loss, plans.',
  });

/** What `copilots.calibration` answers: rows per copilot (vendor, model, version, prompt) and per workflow. */
export const CalibrationReportSchema = z
  .strictObject({
    generatedAt: TimestampSchema,
    copilots: z.array(CalibrationRowSchema),
    workflows: z.array(CalibrationRowSchema),
  })
  .meta({
    id: 'CalibrationReport',
    description: 'Forecast calibration per copilot and per workflow, from final outcome reports.',
  });
