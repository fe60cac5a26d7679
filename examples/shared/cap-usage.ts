/**
 * Money per cap, as an operator reads it from the gateway: each cap's limit and, over the plans' ledger lines,
 * what is reserved (held for plans awaiting approval or dispatch), committed (spent by dispatched plans) and
 * released. All amounts are integer minor units.
 */
import type { AppRouter, PlanView } from '@handoff/gateway';
import type { TRPCClient } from '@trpc/client';
import { detail, formatMoney, paint } from './terminal.js';

/** One cap's money, in minor units of `currency`. */
export interface CapUsage {
  capId: string;
  scope: string;
  period: string;
  currency: string;
  limitMinor: number;
  reservedMinor: number;
  committedMinor: number;
  releasedMinor: number;
}

/** Reads the caps and every plan of the operator's tenant and adds up their ledger lines per cap. */
export async function capUsage(operator: TRPCClient<AppRouter>): Promise<CapUsage[]> {
  const caps = await operator.budget.getCaps.query();
  const plans: PlanView[] = [];
  let cursor: string | undefined;
  do {
    const page = await operator.plans.list.query({ limit: 500, ...(cursor ? { cursor } : {}) });
    plans.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return caps.map((cap) => {
    const lines = plans.flatMap((p) => p.budget.filter((b) => b.capId === cap.capId));
    const sum = (status: string) =>
      lines.filter((l) => l.status === status).reduce((s, l) => s + l.amountMinor, 0);
    return {
      capId: cap.capId,
      scope: `${cap.scope.type}:${cap.scope.value}`,
      period: cap.period,
      currency: cap.limit.currency,
      limitMinor: cap.limit.amountMinor,
      reservedMinor: sum('reserved'),
      committedMinor: sum('committed'),
      releasedMinor: sum('released'),
    };
  });
}

/** Prints one line per cap: limit, reserved, committed, and the headroom left. */
export function printCapUsage(usage: readonly CapUsage[]): void {
  for (const u of usage) {
    const m = (minor: number) => formatMoney(minor, u.currency);
    const left = u.limitMinor - u.reservedMinor - u.committedMinor;
    detail(
      `${paint('bold', u.capId.padEnd(14))} ${u.scope} per ${u.period}: limit ${m(u.limitMinor)}, ` +
        `reserved ${paint('yellow', m(u.reservedMinor))}, committed ${paint('green', m(u.committedMinor))}, ` +
        `headroom ${m(left)}`,
    );
  }
}
