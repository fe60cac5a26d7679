import { AiModeSchema, type EvidenceType } from '@handoff/protocol';
import { z } from 'zod';
import {
  allow,
  deny,
  distinctArray,
  listText,
  pointer,
  type RuleContext,
  type RuleFinding,
  ruleCommonShape,
} from './common.js';

const count = z.int().min(0).max(50);

/** Minimum counts of evidence per type; at least one type is required (`MISSING_ONE_OF`). */
export const EvidenceMinimumSchema = z
  .strictObject({
    named_client: count.optional(),
    quantified_outcome: count.optional(),
    citation: count.optional(),
    dataset_reference: count.optional(),
  })
  .refine((minimum) => Object.values(minimum).some((value) => value !== undefined), {
    message: 'Give a minimum for at least one evidence type',
    params: { code: 'MISSING_ONE_OF' },
  });

/**
 * `evidence_bar`: content must be backed by evidence. Applies only to options that produce content (`contentKind`
 * set) in a workflow whose AI mode is in `aiModes` (e.g. `['ai_assisted']`); there, each evidence type needs at
 * least `minimum[type]` items in the option's `evidence`. A `named_client` item counts only with
 * `permissionToName: true`: a client that has not agreed to be named is no proof one can publish.
 */
export const EvidenceBarRuleSchema = z.strictObject({
  ...ruleCommonShape,
  type: z.literal('evidence_bar'),
  aiModes: distinctArray(AiModeSchema, 3),
  minimum: EvidenceMinimumSchema,
});
/** See {@link EvidenceBarRuleSchema}. */
export type EvidenceBarRule = z.infer<typeof EvidenceBarRuleSchema>;

const EVIDENCE_TYPES: readonly EvidenceType[] = [
  'named_client',
  'quantified_outcome',
  'citation',
  'dataset_reference',
];

/**
 * Evaluates an `evidence_bar` rule for one option: `deny` with `EVIDENCE_BAR_NOT_MET` (path
 * `/options/i/evidence`, message listing what is missing), `allow` with `EVIDENCE_BAR_MET`, or `allow` with
 * `NOT_APPLICABLE` when the option produces no content or the AI mode is not listed.
 */
export function evaluateEvidenceBar(
  rule: EvidenceBarRule,
  { plan, option, optionIndex }: RuleContext,
): RuleFinding {
  const at = (...segments: (string | number)[]) => pointer('options', optionIndex, ...segments);
  if (option.contentKind === undefined) {
    return allow('NOT_APPLICABLE', at(), 'The option produces no content');
  }
  if (!rule.aiModes.includes(plan.workflow.aiMode)) {
    return allow(
      'NOT_APPLICABLE',
      pointer('workflow', 'aiMode'),
      `The evidence bar does not cover ${plan.workflow.aiMode} workflows`,
    );
  }
  const counts = new Map<EvidenceType, number>();
  for (const item of option.evidence) {
    if (item.type === 'named_client' && !item.permissionToName) continue;
    counts.set(item.type, (counts.get(item.type) ?? 0) + 1);
  }
  const missing: string[] = [];
  for (const type of EVIDENCE_TYPES) {
    const needed = rule.minimum[type];
    const has = counts.get(type) ?? 0;
    if (needed !== undefined && has < needed) missing.push(`${type} (needs ${needed}, has ${has})`);
  }
  if (missing.length > 0) {
    return deny(
      'EVIDENCE_BAR_NOT_MET',
      at('evidence'),
      `The ${option.contentKind} lacks evidence: ${listText(missing)}`,
    );
  }
  return allow('EVIDENCE_BAR_MET', at('evidence'), 'The evidence bar is met');
}
