import {
  AiModeSchema,
  type ApprovalRequirement,
  type CurrencyCode,
  CvjStageSchema,
  currencyExponent,
  EnforcementLevelSchema,
  type HandoffPlan,
  IdentifierSchema,
  LIMITS,
  type Money,
  MoneySchema,
  type PolicyOutcome,
  type StrategyOption,
  toJsonPointer,
} from '@handoff/protocol';
import { z } from 'zod';
import type { CalibrationRow } from '../../outcomes/calibration-report.js';
import { GateEscalationSchema } from '../gate-escalation.js';
import type { PolicyFacts } from '../policy-facts.js';

/**
 * What one rule concluded about one strategy option, before the engine wraps it in a protocol `PolicyDecision`.
 *
 * - `decision`: `allow`, `deny` or `require_approval`.
 * - `reasonCode`: a stable UPPER_SNAKE code (at most 64 characters), e.g. `SPEND_AT_OR_ABOVE_THRESHOLD`.
 * - `path`: a JSON Pointer (RFC 6901) into the evaluated plan, e.g. `/options/0/risk/score`.
 * - `message`: for people; the engine truncates it to `LIMITS.MAX_TEXT_LENGTH` characters.
 * - `approval`: the approvals a `require_approval` finding asks for.
 * - `actionPaths`: when the finding concerns actions, one JSON Pointer per action concerned, in plan order, `path`
 *   being the first (the decision's `actionPaths`, protocol 1.1).
 */
export interface RuleFinding {
  decision: PolicyOutcome;
  reasonCode: string;
  path: string;
  message: string;
  approval?: ApprovalRequirement;
  actionPaths?: string[];
}

/**
 * What a rule sees: the whole (validated) plan and the option being judged, with its index in `plan.options`;
 * when the evaluation happens (`evaluatedAtMs`, epoch ms: a triggered send goes out about then), the facts read
 * from the store (see `PolicyFacts`; absent in the pure tests of rules that need none), and `calibration`, the
 * tenant's calibration rows per copilot (see `calibrationReport`), when a `forecast_calibration` rule needs them.
 */
export interface RuleContext {
  plan: HandoffPlan;
  option: StrategyOption;
  optionIndex: number;
  calibration?: readonly CalibrationRow[];
  evaluatedAtMs?: number;
  facts?: PolicyFacts;
}

/** Renders a path from the plan root as a JSON Pointer, e.g. `['options', 0, 'risk']` -> `/options/0/risk`. */
export function pointer(...segments: readonly (string | number)[]): string {
  return toJsonPointer(segments);
}

/** The `allow` finding a rule returns when the option gives it nothing to object to. */
export function allow(reasonCode: string, path: string, message: string): RuleFinding {
  return { decision: 'allow', reasonCode, path, message };
}

/** A `deny` finding. */
export function deny(reasonCode: string, path: string, message: string): RuleFinding {
  return { decision: 'deny', reasonCode, path, message };
}

/** An array whose items must be distinct; a duplicate is reported at its own index with `DUPLICATE_ITEM`. */
export function distinctArray<T extends z.ZodType<string>>(item: T, max: number) {
  return z
    .array(item)
    .min(1)
    .max(max)
    .superRefine((items, ctx) => {
      items.forEach((value, index) => {
        if (items.indexOf(value) !== index) {
          ctx.addIssue({
            code: 'custom',
            path: [index],
            message: `Duplicate item ${JSON.stringify(value)}`,
            params: { code: 'DUPLICATE_ITEM' },
          });
        }
      });
    });
}

/**
 * Money thresholds, at most one per currency (amounts in integer minor units). A second entry for a currency is
 * reported at its `currency` with `DUPLICATE_CURRENCY`; an unknown currency (e.g. `XAU`, which has no minor unit)
 * with `UNKNOWN_CURRENCY`.
 */
export const MoneyThresholdsSchema = z
  .array(MoneySchema)
  .min(1)
  .max(200)
  .superRefine((items, ctx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      if (seen.has(item.currency)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'currency'],
          message: `A second threshold for ${item.currency}; give one per currency`,
          params: { code: 'DUPLICATE_CURRENCY' },
        });
      }
      seen.add(item.currency);
    });
  });

/** The threshold configured for `currency`, or `undefined` when there is none (the rule cannot evaluate). */
export function thresholdFor(
  thresholds: readonly Money[],
  currency: CurrencyCode,
): Money | undefined {
  return thresholds.find((threshold) => threshold.currency === currency);
}

/**
 * Where a rule applies. Every list given must contain the plan's value (lists combine with AND); an absent list
 * does not restrict. An empty `appliesTo` (or none) applies to every plan.
 */
export const AppliesToSchema = z.strictObject({
  workflowIds: distinctArray(IdentifierSchema, 200).optional(),
  cvjStages: distinctArray(CvjStageSchema, 8).optional(),
  aiModes: distinctArray(AiModeSchema, 3).optional(),
});
/** See {@link AppliesToSchema}. */
export type AppliesTo = z.infer<typeof AppliesToSchema>;

/** True when `appliesTo` (if any) matches the plan's workflow id, Customer Value Journey stage and AI mode. */
export function ruleApplies(appliesTo: AppliesTo | undefined, plan: HandoffPlan): boolean {
  if (appliesTo === undefined) return true;
  const { workflowId, cvjStage, aiMode } = plan.workflow;
  return (
    (appliesTo.workflowIds === undefined || appliesTo.workflowIds.includes(workflowId)) &&
    (appliesTo.cvjStages === undefined || appliesTo.cvjStages.includes(cvjStage)) &&
    (appliesTo.aiModes === undefined || appliesTo.aiModes.includes(aiMode))
  );
}

/** The roles that may override a `soft_mandatory` denial when a rule names none. */
export const DEFAULT_OVERRIDE_ROLES: readonly string[] = ['operator'];

/**
 * Fields every rule has, spread into each rule type's schema:
 *
 * - `id`: unique within the policy set; it becomes the decision's `ruleId` and the approval gate's `gateId`.
 * - `enforcement`: `advisory` | `soft_mandatory` | `hard_mandatory`, as the enforcement levels of Terraform/Sentinel
 *   policy sets (https://developer.hashicorp.com/terraform/cloud-docs/policy-enforcement/manage-policy-sets).
 * - `description`: for people (1-4,000 characters).
 * - `appliesTo`: see {@link AppliesToSchema}.
 * - `overrideRoles`: who may override a denial; only allowed on `soft_mandatory` rules (default
 *   {@link DEFAULT_OVERRIDE_ROLES}).
 * - `escalation`: the deadline of the approval gate the rule opens and what happens at it (see
 *   {@link GateEscalationSchema}).
 */
export const ruleCommonShape = {
  id: IdentifierSchema,
  enforcement: EnforcementLevelSchema,
  description: z.string().min(1).max(LIMITS.MAX_TEXT_LENGTH).optional(),
  appliesTo: AppliesToSchema.optional(),
  overrideRoles: distinctArray(IdentifierSchema, 20).optional(),
  escalation: GateEscalationSchema.optional(),
};

/**
 * Renders a non-negative amount of minor units in major units with its currency, exactly (no floats):
 * `(64500n, 'EUR')` -> `EUR 645.00`, `(1500, 'JPY')` -> `JPY 1500`.
 */
export function formatMinor(amountMinor: bigint | number, currency: CurrencyCode): string {
  const exponent = currencyExponent(currency);
  const digits = amountMinor.toString().padStart(exponent + 1, '0');
  if (exponent === 0) return `${currency} ${digits}`;
  return `${currency} ${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Human-readable list: `a, b and c`. */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

/**
 * A setting per AI mode (`ai_led`, `ai_assisted`, `human_only`), each optional; at least one must be given, else
 * `MISSING_ONE_OF` with the message "Give `what` for at least one AI mode".
 */
export function perAiModeSchema<T extends z.ZodType>(value: T, what: string) {
  return z
    .strictObject({
      ai_led: value.optional(),
      ai_assisted: value.optional(),
      human_only: value.optional(),
    })
    .refine((settings) => Object.values(settings).some((setting) => setting !== undefined), {
      message: `Give ${what} for at least one AI mode`,
      params: { code: 'MISSING_ONE_OF' },
    });
}
