import { IdentifierSchema, type StrategyOption } from '@handoff/protocol';
import { z } from 'zod';
import {
  allow,
  deny,
  distinctArray,
  pointer,
  type RuleContext,
  type RuleFinding,
  ruleCommonShape,
} from './common.js';

const TermSchema = z.string().trim().min(1).max(100);

/** A blocked content category: its id (e.g. a GARM category) and the terms that place content in it. */
export const BlockedCategorySchema = z.strictObject({
  category: IdentifierSchema,
  terms: distinctArray(TermSchema, 500),
});

/**
 * `brand_safety`: blocked terms and categories for the content a plan carries (each option's `title` and
 * `rationale`, each action's `description`, and every string inside an action's `params.data`: the copy and merge
 * data the platforms will render). Categories follow the advertiser-side brand safety floor the platforms
 * implement: the GARM Brand Safety Floor + Suitability Framework categories
 * (https://wfanet.org/knowledge/item/2022/06/17/GARM-Brand-Safety-Floor--Suitability-Framework-3), as Google Ads'
 * content exclusions (https://support.google.com/google-ads/answer/12764663) and Meta's inventory filter
 * (https://www.facebook.com/business/help/1926878614264962) apply them to placements; here they apply to our own
 * copy.
 *
 * - `blockedTerms`: 1..500 distinct terms;
 * - `blockedCategories`: 1..50 categories, each with its terms.
 *
 * At least one of the two (`MISSING_ONE_OF`). A term matches case-insensitively (Unicode NFKC, lower case) as a
 * whole word or phrase: `bet` matches "Bet now" but not "better".
 */
export const BrandSafetyRuleSchema = z
  .strictObject({
    ...ruleCommonShape,
    type: z.literal('brand_safety'),
    blockedTerms: distinctArray(TermSchema, 500).optional(),
    blockedCategories: z.array(BlockedCategorySchema).min(1).max(50).optional(),
  })
  .refine((rule) => rule.blockedTerms !== undefined || rule.blockedCategories !== undefined, {
    message: 'Give blockedTerms, blockedCategories or both',
    params: { code: 'MISSING_ONE_OF' },
  });
/** See {@link BrandSafetyRuleSchema}. */
export type BrandSafetyRule = z.infer<typeof BrandSafetyRuleSchema>;

function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

function termPattern(term: string): RegExp {
  const escaped = fold(term).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'u');
}

/** Every string of the content an option carries, with its path from the option. */
function contentOf(option: StrategyOption): { text: string; path: (string | number)[] }[] {
  const out: { text: string; path: (string | number)[] }[] = [
    { text: option.title, path: ['title'] },
    { text: option.rationale, path: ['rationale'] },
  ];
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === 'string') out.push({ text: value, path });
    else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, [...path, i]);
    } else if (typeof value === 'object' && value !== null)
      for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
  };
  option.actions.forEach((action, i) => {
    if (action.description !== undefined)
      out.push({ text: action.description, path: ['actions', i, 'description'] });
    if ('data' in action.params) walk(action.params.data, ['actions', i, 'params', 'data']);
  });
  return out;
}

/**
 * Evaluates a `brand_safety` rule for one option: `deny` with `BLOCKED_CATEGORY` (a term of a blocked category;
 * the message names the category and term) or `BLOCKED_TERM`, at the first string holding one, else `allow` with
 * `NO_BLOCKED_CONTENT`.
 */
export function evaluateBrandSafety(
  rule: BrandSafetyRule,
  { option, optionIndex }: RuleContext,
): RuleFinding {
  const checks = [
    ...(rule.blockedCategories ?? []).flatMap(({ category, terms }) =>
      terms.map((term) => ({ term, category, pattern: termPattern(term) })),
    ),
    ...(rule.blockedTerms ?? []).map((term) => ({
      term,
      category: undefined,
      pattern: termPattern(term),
    })),
  ];
  for (const { text, path } of contentOf(option)) {
    const folded = fold(text);
    const hit = checks.find((check) => check.pattern.test(folded));
    if (hit === undefined) continue;
    const at = pointer('options', optionIndex, ...path);
    return hit.category === undefined
      ? deny('BLOCKED_TERM', at, `The content holds the blocked term "${hit.term}"`)
      : deny(
          'BLOCKED_CATEGORY',
          at,
          `The content falls in the blocked category ${hit.category} (term "${hit.term}")`,
        );
  }
  return allow(
    'NO_BLOCKED_CONTENT',
    pointer('options', optionIndex),
    'The content holds no blocked term or category',
  );
}
