import type { Action } from '@handoff/protocol';
import { type HttpGateway, rawCall } from '../http/http-fixture.js';
import { TENANT } from '../support/harness.js';

/*
 * What the `trust:` reliability cases share: a procedure called over HTTP and read back as data or a refusal, a
 * monthly cap of the fixture tenant, and the example ad campaign's daily budget raise.
 */

/** A procedure's answer over HTTP: its status, its data (on success) or its refusal's code and message. */
export type Answer<T> = { status: number; data: T; code: string | undefined; message: string };

/** Calls `path` on a gateway over HTTP with `credential`, as `rawCall` does, and reads the answer. */
export async function call<T>(
  g: HttpGateway,
  path: string,
  type: 'query' | 'mutation',
  input: unknown,
  credential: string,
): Promise<Answer<T>> {
  const answer = await rawCall(g.url, path, { type, input, credential });
  return {
    status: answer.status,
    data: (answer.body as { result?: { data: T } }).result?.data as T,
    code: answer.envelope?.code,
    message: answer.envelope?.message ?? '',
  };
}

/** A monthly EUR cap of the fixture tenant (Europe/Lisbon), of `amountMinor` minor units. */
export function monthCap(
  capId: string,
  scope: { type: string; value: string },
  amountMinor: number,
) {
  return {
    capId,
    tenantId: TENANT,
    scope,
    period: 'month',
    limit: { amountMinor, currency: 'EUR' },
    timeZone: 'Europe/Lisbon',
  };
}

/**
 * The example ad campaign aimed at retirees: a daily budget of EUR 400.00 raised by 20 % to EUR 480.00 (EUR 80.00
 * more a day), declaring `declared` minor units as its estimated cost.
 */
export function dailyRaise(declared: number): Action {
  return {
    type: 'set_campaign_budget',
    actionId: 'raise-search-retired',
    adapter: 'google-ads',
    description: 'search-retired: daily budget +20 %',
    estimatedCost: { amountMinor: declared, currency: 'EUR' },
    params: {
      campaignId: 'search-retired',
      budgetType: 'daily',
      currentBudget: { amountMinor: 40_000, currency: 'EUR' },
      newBudget: { amountMinor: 48_000, currency: 'EUR' },
    },
  };
}
