import { z } from 'zod';
import { COUNT_KPIS, MONEY_KPIS, RATIO_KPIS } from './metric.js';
import { CurrencyCodeSchema } from './money.js';
import {
  DigestSchema,
  IdentifierSchema,
  NameSchema,
  PlanIdSchema,
  TextSchema,
  TimestampSchema,
  UriSchema,
} from './primitives.js';
import { HANDOFF_PROTOCOL_VERSION } from './version.js';

/**
 * The value observed for a plan's forecast KPI, discriminated on `unit` exactly as `Forecast` is, so an outcome is
 * compared with the forecast's p10/p50/p90 in the same unit:
 * - `ratio`: a non-negative number (0.031 = 3.1 %; ROAS 4.2 = 4.2x spend);
 * - `count`: a non-negative integer (conversions, signups, ...);
 * - `money`: a non-negative integer in minor units of `currency` (ISO 4217), never a float.
 */
export const ObservedValueSchema = z
  .discriminatedUnion('unit', [
    z.strictObject({
      unit: z.literal('ratio'),
      kpi: z.enum(RATIO_KPIS),
      value: z.number().min(0),
    }),
    z.strictObject({
      unit: z.literal('count'),
      kpi: z.enum(COUNT_KPIS),
      value: z.int().min(0),
    }),
    z.strictObject({
      unit: z.literal('money'),
      kpi: z.enum(MONEY_KPIS),
      currency: CurrencyCodeSchema,
      value: z.int().min(0),
    }),
  ])
  .meta({ id: 'ObservedValue' });
export type ObservedValue = z.infer<typeof ObservedValueSchema>;

/**
 * Who observed the value: an `operator` (a person), a `platform` integration (an automation platform's own
 * figures, e.g. read back through an adapter; `id` names the adapter) or an `analytics_job` (a job computing it
 * from the organisation's data). The gateway records separately who submitted the report (its authenticated
 * principal, role `reporter` or `operator`).
 */
export const ObserverSchema = z
  .strictObject({
    type: z.enum(['operator', 'platform', 'analytics_job']),
    id: NameSchema,
  })
  .meta({ id: 'Observer' });
export type Observer = z.infer<typeof ObserverSchema>;

/**
 * Where the observed value comes from, as a plan input names its data: `uri` of the dataset, report or API answer,
 * its `sha256` digest (`sha256:` + 64 hex, of the bytes the value was computed from, so an auditor can recompute
 * it), an optional `version` and `description`.
 */
export const OutcomeSourceSchema = z
  .strictObject({
    uri: UriSchema,
    sha256: DigestSchema,
    version: NameSchema.optional(),
    description: TextSchema.optional(),
  })
  .meta({ id: 'OutcomeSource' });
export type OutcomeSource = z.infer<typeof OutcomeSourceSchema>;

/**
 * What happened after a plan was dispatched: the observed value of the KPI the plan's option forecast (same `kpi`
 * and `unit`, and `currency` for money), over the forecast's horizon, for the whole plan or for one of its actions
 * (`actionId`).
 *
 * - `reportId`: the reporter's id of this report (1-128 characters), unique per tenant: the same report sent again
 *   is answered with the first recording; another report under the same id is refused.
 * - `observedAt`: RFC 3339 UTC; the end of the observation window. A final report (`interim: false`) must be
 *   observed at or after the end of the horizon (dispatch time + `horizonDays` days); an `interim` report may be
 *   observed at any time after dispatch and is never counted in calibration.
 * - `observer`, `source`: who observed the value and from which data (with its digest).
 *
 * Units: ratios are plain numbers, counts integers, money integer minor units with an ISO 4217 currency.
 */
export const OutcomeReportSchema = z
  .strictObject({
    protocolVersion: z.literal(HANDOFF_PROTOCOL_VERSION),
    kind: z.literal('OutcomeReport'),
    reportId: IdentifierSchema,
    tenantId: IdentifierSchema,
    planId: PlanIdSchema,
    actionId: IdentifierSchema.optional().meta({
      description: 'One action of the plan this outcome belongs to; absent for the whole plan.',
    }),
    observed: ObservedValueSchema,
    observedAt: TimestampSchema,
    interim: z.boolean(),
    observer: ObserverSchema,
    source: OutcomeSourceSchema,
    note: TextSchema.optional(),
  })
  .meta({
    id: 'OutcomeReport',
    title: 'OutcomeReport',
    description:
      "The observed value of a dispatched plan's forecast KPI over its horizon (Handoff protocol v1).",
  });
export type OutcomeReport = z.infer<typeof OutcomeReportSchema>;
