import { z } from 'zod';
import { ActionSchema } from './action.js';
import { AudienceSchema } from './audience.js';
import { EvidenceSchema } from './evidence.js';
import { LIMITS } from './limits.js';
import { ForecastSchema } from './metric.js';
import { MoneySchema } from './money.js';
import { IdentifierSchema, NameSchema, TextSchema, uniqueArray } from './primitives.js';

/** Channels a strategy option can use. */
export const ChannelSchema = z
  .enum([
    'email',
    'sms',
    'push',
    'in_app',
    'whatsapp',
    'phone',
    'direct_mail',
    'paid_search',
    'paid_social',
    'display',
    'video',
    'webhook',
  ])
  .meta({ id: 'Channel' });
export type Channel = z.infer<typeof ChannelSchema>;

/** Kinds of content an option produces; some are claim-sensitive and policies treat them strictly. */
export const ContentKindSchema = z
  .enum([
    'email_copy',
    'sms_copy',
    'push_copy',
    'ad_creative',
    'landing_page',
    'social_post',
    'case_study',
    'positioning',
    'board_report',
    'sales_script',
  ])
  .meta({ id: 'ContentKind' });
export type ContentKind = z.infer<typeof ContentKindSchema>;

/** The budget of an option: money per `period` (`day`, `week`, `month`, or `total` for the whole run). */
export const BudgetSchema = z
  .strictObject({ amount: MoneySchema, period: z.enum(['day', 'week', 'month', 'total']) })
  .meta({ id: 'Budget' });
export type Budget = z.infer<typeof BudgetSchema>;

/** Risk of an option: a score in 0..1, its level, and weighted factors (each weight in 0..1). */
export const RiskSchema = z
  .strictObject({
    score: z.number().min(0).max(1),
    level: z.enum(['low', 'medium', 'high', 'critical']),
    factors: z
      .array(
        z.strictObject({
          code: IdentifierSchema,
          weight: z.number().min(0).max(1),
          note: TextSchema.optional(),
        }),
      )
      .max(LIMITS.MAX_RISK_FACTORS),
  })
  .meta({ id: 'Risk' });
export type Risk = z.infer<typeof RiskSchema>;

/**
 * A strategy option a copilot proposes: what to do (actions), to whom (audience), through which channels, for
 * how much (budget), with what expected result (forecast), risk and evidence. One currency per option
 * (`CURRENCY_MISMATCH`); action costs within the budget (`ACTIONS_EXCEED_BUDGET`); unique action ids.
 */
export const StrategyOptionSchema = z
  .strictObject({
    optionId: IdentifierSchema,
    title: NameSchema,
    rationale: TextSchema,
    channels: uniqueArray(ChannelSchema).min(1).max(LIMITS.MAX_CHANNELS),
    audience: AudienceSchema,
    budget: BudgetSchema,
    forecast: ForecastSchema,
    risk: RiskSchema,
    evidence: z.array(EvidenceSchema).max(LIMITS.MAX_EVIDENCE),
    contentKind: ContentKindSchema.optional(),
    actions: z.array(ActionSchema).min(1).max(LIMITS.MAX_ACTIONS_PER_OPTION),
  })
  .meta({ id: 'StrategyOption' });
export type StrategyOption = z.infer<typeof StrategyOptionSchema>;
