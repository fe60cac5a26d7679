import { z } from 'zod';
import { LIMITS } from './limits.js';
import { ObjectiveSchema } from './metric.js';
import { checkPlanRules } from './plan-rules.js';
import {
  atLeastOneOf,
  DigestSchema,
  IdentifierSchema,
  LabelSchema,
  NameSchema,
  PlanIdSchema,
  TextSchema,
  TimestampSchema,
  UriSchema,
} from './primitives.js';
import { StrategyOptionSchema } from './strategy-option.js';
import { ProtocolVersionSchema } from './version.js';

/** The eight Customer Value Journey stages, in order. */
export const CVJ_STAGES = [
  'aware',
  'engage',
  'subscribe',
  'convert',
  'excite',
  'ascend',
  'advocate',
  'promote',
] as const;
export const CvjStageSchema = z.enum(CVJ_STAGES).meta({ id: 'CvjStage' });
export type CvjStage = z.infer<typeof CvjStageSchema>;

/**
 * How much the AI decides: `ai_led` (the copilot decides, people oversee), `ai_assisted` (people decide with the
 * copilot's help) or `human_only` (people decide and approve everything).
 */
export const AiModeSchema = z.enum(['ai_led', 'ai_assisted', 'human_only']).meta({ id: 'AiMode' });
export type AiMode = z.infer<typeof AiModeSchema>;

/**
 * The copilot that produced a plan: vendor, model and version (labels a kill switch matches on, see
 * {@link LabelSchema}), and its prompt version or prompt hash.
 */
export const CopilotIdentitySchema = atLeastOneOf(
  z.strictObject({
    vendor: LabelSchema,
    model: LabelSchema,
    modelVersion: LabelSchema,
    promptVersion: NameSchema.optional(),
    promptHash: DigestSchema.optional(),
  }),
  ['promptVersion', 'promptHash'],
).meta({ id: 'CopilotIdentity' });
export type CopilotIdentity = z.infer<typeof CopilotIdentitySchema>;

/** The marketing workflow a plan belongs to. */
export const WorkflowSchema = z
  .strictObject({
    workflowId: IdentifierSchema,
    name: NameSchema,
    cvjStage: CvjStageSchema,
    aiMode: AiModeSchema,
    owner: NameSchema.meta({
      description: 'The accountable person or team (e.g. an email address).',
    }),
  })
  .meta({ id: 'Workflow' });
export type Workflow = z.infer<typeof WorkflowSchema>;

/** Lawful bases for processing personal data (GDPR Art. 6(1)). */
export const ConsentBasisSchema = z
  .enum([
    'consent',
    'contract',
    'legal_obligation',
    'vital_interests',
    'public_task',
    'legitimate_interests',
  ])
  .meta({ id: 'ConsentBasis' });

/**
 * A dataset or signal the copilot used: where it is (`uri`), which version (`version` or `sha256`, at least one),
 * whether it holds personal data and on what consent basis. Evidence refers to it by `inputId`.
 */
export const PlanInputSchema = atLeastOneOf(
  z.strictObject({
    inputId: IdentifierSchema,
    kind: z.enum(['dataset', 'signal']),
    uri: UriSchema,
    version: NameSchema.optional(),
    sha256: DigestSchema.optional(),
    personalData: z.boolean(),
    consentBasis: ConsentBasisSchema.optional(),
    description: TextSchema.optional(),
  }),
  ['version', 'sha256'],
).meta({ id: 'PlanInput' });
export type PlanInput = z.infer<typeof PlanInputSchema>;

/** The HandoffPlan object before cross-field rules; exported for schema generation and tests only. */
export const HandoffPlanShapeSchema = z.strictObject({
  protocolVersion: ProtocolVersionSchema,
  kind: z.literal('HandoffPlan'),
  planId: PlanIdSchema,
  tenantId: IdentifierSchema,
  createdAt: TimestampSchema,
  expiresAt: TimestampSchema,
  copilot: CopilotIdentitySchema,
  workflow: WorkflowSchema,
  objective: ObjectiveSchema,
  inputs: z.array(PlanInputSchema).max(LIMITS.MAX_INPUTS),
  options: z.array(StrategyOptionSchema).min(1).max(LIMITS.MAX_OPTIONS),
  recommendedOptionId: IdentifierSchema,
});

/**
 * A plan a copilot hands to automation: who made it (copilot), for which workflow and objective, from which
 * inputs, with 1..10 strategy options and the one it recommends.
 *
 * Cross-field rules, each with its issue code: `RECOMMENDED_OPTION_NOT_FOUND`, `DUPLICATE_OPTION_ID`,
 * `DUPLICATE_ACTION_ID`, `ACTIONS_EXCEED_BUDGET`, `CURRENCY_MISMATCH`, `FORECAST_NOT_MONOTONIC`,
 * `EXPIRY_NOT_AFTER_CREATION`, `UNKNOWN_INPUT_REFERENCE`. Size: at most `LIMITS.MAX_DOCUMENT_BYTES`.
 */
export const HandoffPlanSchema = HandoffPlanShapeSchema.superRefine(checkPlanRules, {
  // Cross-field rules speak only of a plan whose every field is valid, so each defect is reported once.
  when: (payload) => payload.issues.length === 0,
}).meta({
  id: 'HandoffPlan',
  title: 'HandoffPlan',
  description:
    'A plan an AI marketing copilot hands to marketing automation (Handoff protocol v1).',
});
export type HandoffPlan = z.infer<typeof HandoffPlanSchema>;
