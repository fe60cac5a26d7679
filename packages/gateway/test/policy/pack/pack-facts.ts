import type { Channel } from '@handoff/protocol';
import type {
  BudgetLineUsage,
  PolicyFacts,
  SendHistory,
  SuppressionLookup,
} from '../../../src/policy/policy-facts.js';

/** A send already dispatched, as a test states it. */
export interface PastSend {
  key: string;
  channels: readonly Channel[];
  atMs: number;
}

/** Send history over a list of past sends (counted as the store counts: at or after `sinceMs`). */
export function historyOf(sends: readonly PastSend[]): SendHistory {
  return {
    count: (key, channels, sinceMs) =>
      sends.filter(
        (send) =>
          send.key === key &&
          send.atMs >= sinceMs &&
          send.channels.some((channel) => channels.includes(channel)),
      ).length,
  };
}

/** Suppression lists by id, each a list of hex digests. */
export function listsOf(lists: Record<string, readonly string[]>): SuppressionLookup {
  return {
    knows: (listId) => Object.hasOwn(lists, listId),
    has: (listId, hash) => lists[listId]?.includes(hash) ?? false,
  };
}

/** Facts with only budget usage, by option id. */
export function budgetFacts(byOption: Record<string, BudgetLineUsage[]>): PolicyFacts {
  return { budget: byOption };
}
