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

/**
 * What a forecast rests on (protocol 1.1): `sampleSize`, the number of observations behind it (e.g. ads, days,
 * customers; 0 for a heuristic with no data), and `method`: `model` (a fitted model's predictive interval),
 * `bootstrap` (resampled observations) or `heuristic` (judgement or a rule of thumb). A policy may require a
 * minimum `sampleSize` (the gateway's `forecast_sample_size` rule).
 */
export const ForecastBasisSchema = z
  .strictObject({
    sampleSize: z.int().min(0),
    method: z.enum(['model', 'bootstrap', 'heuristic']),
  })
  .meta({ id: 'ForecastBasis' });
export type ForecastBasis = z.infer<typeof ForecastBasisSchema>;

/** Confidence in a forecast, 0..1, its horizon in whole days, and (1.1) its basis. */
const forecastCommon = {
  confidence: z.number().min(0).max(1),
  horizonDays: z.int().min(1).max(3_660),
  basis: ForecastBasisSchema.optional(),
};

const levelOf = { of: z.literal('level').optional() };
const changeOf = { of: z.literal('change') };
const moneyForecast = {
  unit: z.literal('money'),
  kpi: MoneyKpiSchema,
  currency: CurrencyCodeSchema,
  ...forecastCommon,
};
const ratioForecast = { unit: z.literal('ratio'), kpi: RatioKpiSchema, ...forecastCommon };
const countForecast = { unit: z.literal('count'), kpi: CountKpiSchema, ...forecastCommon };
const ratio = z.number().min(0);
const count = z.int().min(0);

/**
 * A forecast of one KPI as a p10/p50/p90 interval (p10 <= p50 <= p90, checked as `FORECAST_NOT_MONOTONIC`),
 * discriminated on `unit`. Money forecasts are integer minor units in `currency`. A level forecast (the default)
 * is never negative; a change forecast (`of: "change"`, 1.1) is signed. `basis` (1.1) says what it rests on.
 */
export const ForecastSchema = z
  .discriminatedUnion('unit', [
    // Each unit has two forms, discriminated on `of`: a `level` (the KPI's value, `of` omitted as in 1.0, never
    // negative) and (1.1) a `change` (the KPI's change the option causes against not acting, signed).
    z.discriminatedUnion('of', [
      z.strictObject({ ...ratioForecast, ...levelOf, p10: ratio, p50: ratio, p90: ratio }),
      z.strictObject({
        ...ratioForecast,
        ...changeOf,
        p10: z.number(),
        p50: z.number(),
        p90: z.number(),
      }),
    ]),
    z.discriminatedUnion('of', [
      z.strictObject({ ...countForecast, ...levelOf, p10: count, p50: count, p90: count }),
      z.strictObject({ ...countForecast, ...changeOf, p10: z.int(), p50: z.int(), p90: z.int() }),
    ]),
    z.discriminatedUnion('of', [
      z.strictObject({ ...moneyForecast, ...levelOf, p10: count, p50: count, p90: count }),
      z.strictObject({ ...moneyForecast, ...changeOf, p10: z.int(), p50: z.int(), p90: z.int() }),
    ]),
  ])
  .meta({ id: 'Forecast' });
export type Forecast = z.infer<typeof ForecastSchema>;
