import type { Channel } from '@handoff/protocol';

/**
 * What this gateway has dispatched, as a frequency cap reads it: how many sends reached a recipient key (see
 * `recipientKeys` in `recipients.ts`) on any of `channels` at or after `sinceMs` (epoch ms). A send is one
 * dispatched action, counted once however many of its option's channels are in the group.
 */
export interface SendHistory {
  count(recipientKey: string, channels: readonly Channel[], sinceMs: number): number;
}

/**
 * The suppression lists the gateway holds: each a set of lowercase hex SHA-256 digests of normalised contact
 * identifiers (see `contactHashes`). `knows` is false for a list id that is not configured.
 */
export interface SuppressionLookup {
  knows(listId: string): boolean;
  has(listId: string, hash: string): boolean;
}

/**
 * One budget cap line an option would reserve against, with the cap's usage before it (integer minor units of
 * `currency`; `periodKey` as in `budget/period.ts`).
 */
export interface BudgetLineUsage {
  capId: string;
  periodKey: string;
  currency: string;
  limitMinor: number;
  /** Reserved + committed on the cap and period before this plan. */
  usedMinor: number;
  /** What this option would reserve against it. */
  amountMinor: number;
}

/**
 * Facts a rule cannot read from the plan: read from the store in the transaction that records the plan (so the
 * decision and the state it read commit together), or given by a test. A rule that needs a fact nobody supplied
 * throws, and the engine denies (`RULE_EVALUATION_FAILED`): it never allows on missing facts.
 */
export interface PolicyFacts {
  sends?: SendHistory;
  suppression?: SuppressionLookup;
  /** By option id: the cap lines the option would reserve against. */
  budget?: Readonly<Record<string, readonly BudgetLineUsage[]>>;
}

/** No facts: the rules that need one deny when they apply. */
export const NO_FACTS: PolicyFacts = Object.freeze({});

/** The facts a rule needs, or an Error naming what is missing (the engine turns it into a denial). */
export function requireFact<K extends keyof PolicyFacts>(
  facts: PolicyFacts,
  key: K,
): NonNullable<PolicyFacts[K]> {
  const value = facts[key];
  if (value === undefined || value === null) throw new Error(`No ${key} facts were supplied`);
  return value as NonNullable<PolicyFacts[K]>;
}
