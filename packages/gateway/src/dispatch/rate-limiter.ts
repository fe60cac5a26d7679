/** A request budget: `requests` per `perMs` milliseconds. */
export interface RateBudget {
  requests: number;
  perMs: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per platform account (one per adapter id): the dispatcher takes a token before each request and,
 * when none is left, reschedules the action for when one will be. Time comes from the caller (the gateway clock),
 * so the limiter is deterministic in tests. Shared by every dispatch loop of one gateway process.
 */
export class RateLimiter {
  readonly #budgets = new Map<string, RateBudget>();
  readonly #buckets = new Map<string, Bucket>();

  /** Sets the budget of `key` (the strictest of a platform's documented account limits). */
  configure(key: string, budget: RateBudget): void {
    if (!(budget.requests > 0 && budget.perMs > 0))
      throw new RangeError('A rate budget needs positive numbers');
    this.#budgets.set(key, budget);
  }

  /**
   * Takes one token for `key` at `nowMs`. Returns 0 when taken, or how many milliseconds until one is available
   * (nothing is taken then). A key without a budget is unlimited.
   */
  take(key: string, nowMs: number): number {
    const budget = this.#budgets.get(key);
    if (!budget) return 0;
    const ratePerMs = budget.requests / budget.perMs;
    const bucket = this.#buckets.get(key) ?? { tokens: budget.requests, updatedAt: nowMs };
    const refilled = Math.min(
      budget.requests,
      bucket.tokens + Math.max(0, nowMs - bucket.updatedAt) * ratePerMs,
    );
    if (refilled >= 1) {
      this.#buckets.set(key, { tokens: refilled - 1, updatedAt: nowMs });
      return 0;
    }
    this.#buckets.set(key, { tokens: refilled, updatedAt: nowMs });
    return Math.ceil((1 - refilled) / ratePerMs);
  }
}
