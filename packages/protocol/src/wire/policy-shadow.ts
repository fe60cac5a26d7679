/**
 * The `policy.shadow` procedure's input and output: a candidate policy set replayed over the recorded plans of a
 * period, and the decisions it would change.
 */
import { z } from 'zod';
import { PolicyOutcomeSchema } from '../policy-decision.js';
import { IdentifierSchema, PlanIdSchema, TimestampSchema } from '../primitives.js';

/** Largest candidate policy text `policy.shadow` takes: 512 KiB of UTF-8, as a gateway's policy file. */
export const MAX_SHADOW_POLICY_CHARS = 524_288;

/**
 * The input of `policy.shadow`: the candidate policy set as YAML or JSON text (validated by the gateway as its own
 * policy file, issues at JSON Pointers into it), the period of plans to replay by reception time (`from`
 * inclusive, `to` exclusive, RFC 3339 UTC; default: every plan), and the most plans to replay (`limit`, 1-10,000,
 * default 1,000, newest first).
 */
export const PolicyShadowInputSchema = z.strictObject({
  policy: z.string().min(1).max(MAX_SHADOW_POLICY_CHARS),
  from: TimestampSchema.optional(),
  to: TimestampSchema.optional(),
  limit: z.int().min(1).max(10_000).optional(),
});

/** A decision as recorded or as the candidate makes it: `absent` when that policy set has no rule of this id. */
const ShadowDecisionSchema = z.strictObject({
  decision: z.enum(['allow', 'deny', 'require_approval', 'absent']),
  reasonCode: z.string().max(64).optional(),
  path: z.string().max(1024).optional(),
});

/** One changed decision: which plan and option, and both decisions. */
const ShadowExampleSchema = z.strictObject({
  planId: PlanIdSchema,
  optionId: IdentifierSchema,
  recorded: ShadowDecisionSchema,
  candidate: ShadowDecisionSchema,
});

/**
 * What `policy.shadow` answers (nothing is written): how many plans (and options) were replayed, every rule whose
 * decisions would change with counts per transition (e.g. `allow->deny`) and up to 5 examples, and the options
 * whose combined outcome would change. `truncated` is true when `limit` stopped the replay before the period's
 * start.
 */
export const PolicyShadowReportSchema = z
  .strictObject({
    policySetId: IdentifierSchema,
    policyVersion: z.string().min(1).max(200),
    from: TimestampSchema.nullable(),
    to: TimestampSchema.nullable(),
    plansReplayed: z.int().min(0),
    optionsReplayed: z.int().min(0),
    truncated: z.boolean(),
    rules: z.array(
      z.strictObject({
        ruleId: IdentifierSchema,
        changed: z.int().min(1),
        transitions: z.record(z.string(), z.int().min(1)),
        examples: z.array(ShadowExampleSchema).max(5),
      }),
    ),
    outcomes: z.strictObject({
      changed: z.int().min(0),
      transitions: z.record(z.string(), z.int().min(1)),
      examples: z
        .array(
          z.strictObject({
            planId: PlanIdSchema,
            optionId: IdentifierSchema,
            recorded: PolicyOutcomeSchema,
            candidate: PolicyOutcomeSchema,
          }),
        )
        .max(5),
    }),
  })
  .meta({ id: 'PolicyShadowReport' });
/** See {@link PolicyShadowReportSchema}. */
export type PolicyShadowReport = z.infer<typeof PolicyShadowReportSchema>;
