import { z } from 'zod';
import { CurrencyCodeSchema, MoneySchema } from './money.js';

/** KPIs measured as a ratio (0.031 = 3.1 %; ROAS 4.2 = 4.2x spend). */
export const RATIO_KPIS = [
  'roas',
  'conversion_rate',
  'retention_rate',
  'churn_rate',
  'ctr',
  'open_rate',
] as const;
/** KPIs measured in money (minor units). */
export const MONEY_KPIS = ['cac', 'cpa', 'revenue', 'ltv', 'pipeline_value'] as const;
/** KPIs measured as a count. */
export const COUNT_KPIS = [
  'conversions',
  'subscriptions',
  'signups',
  'leads',
  'retained_customers',
] as const;

/** Every KPI a plan can target or forecast. */
export const KpiSchema = z.enum([...RATIO_KPIS, ...MONEY_KPIS, ...COUNT_KPIS]).meta({ id: 'Kpi' });
export type Kpi = z.infer<typeof KpiSchema>;

const RatioKpiSchema = z.enum(RATIO_KPIS);
const MoneyKpiSchema = z.enum(MONEY_KPIS);
const CountKpiSchema = z.enum(COUNT_KPIS);

/**
 * A KPI target, discriminated on `unit`; each unit admits only its own KPIs (so `cac` cannot be a ratio):
 * `ratio` (a number), `count` (a non-negative integer) or `money` (integer minor units).
 */
export const ObjectiveSchema = z
  .discriminatedUnion('unit', [
    z.strictObject({
      unit: z.literal('ratio'),
      kpi: RatioKpiSchema,
      direction: z.enum(['at_least', 'at_most']),
      target: z.number().min(0),
    }),
    z.strictObject({
      unit: z.literal('count'),
      kpi: CountKpiSchema,
      direction: z.enum(['at_least', 'at_most']),
      target: z.int().min(0),
    }),
    z.strictObject({
      unit: z.literal('money'),
      kpi: MoneyKpiSchema,
      direction: z.enum(['at_least', 'at_most']),
      target: MoneySchema,
    }),
  ])
  .meta({ id: 'Objective' });
export type Objective = z.infer<typeof ObjectiveSchema>;

/** Confidence in a forecast, 0..1, and its horizon in whole days. */
const forecastCommon = {
  confidence: z.number().min(0).max(1),
  horizonDays: z.int().min(1).max(3_660),
};

/**
 * A forecast of one KPI as a p10/p50/p90 interval (p10 <= p50 <= p90, checked as `FORECAST_NOT_MONOTONIC`),
 * discriminated on `unit`. Money forecasts are integer minor units in `currency`.
 */
export const ForecastSchema = z
  .discriminatedUnion('unit', [
    z.strictObject({
      unit: z.literal('ratio'),
      kpi: RatioKpiSchema,
      p10: z.number().min(0),
      p50: z.number().min(0),
      p90: z.number().min(0),
      ...forecastCommon,
    }),
    z.strictObject({
      unit: z.literal('count'),
      kpi: CountKpiSchema,
      p10: z.int().min(0),
      p50: z.int().min(0),
      p90: z.int().min(0),
      ...forecastCommon,
    }),
    z.strictObject({
      unit: z.literal('money'),
      kpi: MoneyKpiSchema,
      currency: CurrencyCodeSchema,
      p10: z.int().min(0),
      p50: z.int().min(0),
      p90: z.int().min(0),
      ...forecastCommon,
    }),
  ])
  .meta({ id: 'Forecast' });
export type Forecast = z.infer<typeof ForecastSchema>;
