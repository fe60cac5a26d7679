import { type HandoffPlan, IdentifierSchema, type StrategyOption } from '@handoff/protocol';
import { z } from 'zod';
import { requireFact, type SuppressionLookup } from '../policy-facts.js';
import { actionContacts, contactHashes } from '../recipients.js';
import {
  type AppliesTo,
  allow,
  deny,
  distinctArray,
  pointer,
  type RuleContext,
  type RuleFinding,
  ruleApplies,
  ruleCommonShape,
} from './common.js';

/**
 * `suppression`: no contact action may name a contact on one of `lists` (1..20 list ids configured under
 * `suppressionLists` in the gateway config). Lists hold lowercase hex SHA-256 digests of normalised emails (trimmed,
 * lowercased) or external ids (trimmed), the way platforms take hashed identifiers (Google Customer Match:
 * https://developers.google.com/google-ads/api/docs/remarketing/audience-segments/customer-match/get-started#normalize-and-hash;
 * Braze and Customer.io keep suppressions per workspace:
 * https://docs.customer.io/journeys/suppress-unsubscribe/), so a list can be shared without sharing contacts.
 *
 * Checked at submission (this rule) and again by the dispatcher just before each action is sent: a contact
 * suppressed after approval is never sent to; the action fails with `CONTACT_SUPPRESSED` in the lineage.
 */
export const SuppressionRuleSchema = z.strictObject({
  ...ruleCommonShape,
  type: z.literal('suppression'),
  lists: distinctArray(IdentifierSchema, 20),
});
/** See {@link SuppressionRuleSchema}. */
export type SuppressionRule = z.infer<typeof SuppressionRuleSchema>;

/** A suppressed contact found in an option: where (JSON Pointer segments from the option) and on which list. */
export interface SuppressedHit {
  actionIndex: number;
  path: (string | number)[];
  listId: string;
}

/**
 * Every contact of `option` that is on one of `lists`, in action order.
 *
 * @throws Error when a list is not configured (a rule naming an unknown list never allows).
 */
export function suppressedContacts(
  option: Pick<StrategyOption, 'actions'>,
  lists: readonly string[],
  lookup: SuppressionLookup,
  onlyAction?: number,
): SuppressedHit[] {
  const unknown = lists.find((listId) => !lookup.knows(listId));
  if (unknown !== undefined) throw new Error(`Suppression list ${unknown} is not configured`);
  const hits: SuppressedHit[] = [];
  option.actions.forEach((action, actionIndex) => {
    if (onlyAction !== undefined && actionIndex !== onlyAction) return;
    for (const { contact, path } of actionContacts(action)) {
      const hashes = contactHashes(contact);
      const listId = lists.find((id) => hashes.some((hash) => lookup.has(id, hash)));
      if (listId !== undefined)
        hits.push({ actionIndex, path: ['actions', actionIndex, ...path], listId });
    }
  });
  return hits;
}

/**
 * Evaluates a `suppression` rule for one option: `deny` with `CONTACT_SUPPRESSED` at the first suppressed contact
 * (its JSON Pointer; the message counts them and names the lists, never a contact), else `allow` with
 * `NO_SUPPRESSED_CONTACT`.
 *
 * @throws Error without suppression facts or with an unknown list (the engine denies).
 */
export function evaluateSuppression(
  rule: SuppressionRule,
  { option, optionIndex, facts }: RuleContext,
): RuleFinding {
  const hits = suppressedContacts(option, rule.lists, requireFact(facts ?? {}, 'suppression'));
  const [first] = hits;
  if (first === undefined) {
    return allow(
      'NO_SUPPRESSED_CONTACT',
      pointer('options', optionIndex, 'actions'),
      'No contact is on a suppression list',
    );
  }
  const lists = [...new Set(hits.map((hit) => hit.listId))].join(', ');
  return deny(
    'CONTACT_SUPPRESSED',
    pointer('options', optionIndex, ...first.path),
    `${hits.length} contact(s) are on suppression list(s) ${lists}`,
  );
}

/**
 * The ids of every list named by the `suppression` rules of `rules` that bind `plan` (not advisory, `appliesTo`
 * matching): what the dispatcher checks each action against just before sending it.
 */
export function suppressionListsFor(
  rules: readonly { type: string; enforcement: string; appliesTo?: AppliesTo }[],
  plan: HandoffPlan,
): string[] {
  const ids = new Set<string>();
  for (const rule of rules) {
    if (rule.type !== 'suppression' || rule.enforcement === 'advisory') continue;
    if (!ruleApplies(rule.appliesTo, plan)) continue;
    for (const id of (rule as SuppressionRule).lists) ids.add(id);
  }
  return [...ids];
}
