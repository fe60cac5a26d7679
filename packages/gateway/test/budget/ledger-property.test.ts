import type { Channel } from '@handoff/protocol';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { BudgetCap, BudgetCapInput } from '../../src/budget/cap.js';
import { checkHeadroom } from '../../src/budget/headroom.js';
import {
  applyLedgerOperation,
  EMPTY_LEDGER,
  LEDGER_TRANSITIONS,
  type LedgerOperation,
  type LedgerState,
  usedByCap,
} from '../../src/budget/ledger-math.js';
import { BUDGET_PERIODS } from '../../src/budget/period.js';
import { planReservations } from '../../src/budget/reservation-plan.js';
import { capInput, makeCaps, makePlan, WORKFLOW } from './fixtures.js';

/**
 * A driver that reserves only when `checkHeadroom` says ok, under ANY sequence of reserve / dispatch / commit /
 * release / expire operations (with time moving across period boundaries in several zones, and plans that start
 * dispatching and then run past their expiry), never lets a cap's reserved + committed amount in any period go
 * above its limit or below zero; commit and release are idempotent per plan.
 */

const ZONES = ['UTC', 'Europe/Lisbon', 'America/New_York', 'Asia/Tokyo', 'Australia/Lord_Howe'];
const ADAPTERS = ['a1', 'a2', 'a3'];
const HOUR = 3_600_000;

const capArb = (capId: string, scope: BudgetCapInput['scope']) =>
  fc
    .record({
      period: fc.constantFrom(...BUDGET_PERIODS),
      limit: fc.integer({ min: 0, max: 200 }),
      timeZone: fc.constantFrom(...ZONES),
    })
    .map(({ period, limit, timeZone }) =>
      capInput({ capId, scope, period, limit: { amountMinor: limit, currency: 'USD' }, timeZone }),
    );

/** A tenant cap always (else nothing is reservable), plus any of the other scopes. */
const capsArb = fc
  .tuple(
    capArb('cap-tenant', { type: 'tenant', value: 'acme-retail' }),
    fc.option(capArb('cap-wf', { type: 'workflow', value: WORKFLOW })),
    fc.option(capArb('cap-email', { type: 'channel', value: 'email' })),
    fc.option(capArb('cap-sms', { type: 'channel', value: 'sms' })),
    fc.option(capArb('cap-a1', { type: 'adapter', value: 'a1' })),
    fc.option(capArb('cap-a2', { type: 'adapter', value: 'a2' })),
  )
  .map((caps) => makeCaps(...caps.filter((c): c is BudgetCapInput => c !== null)));

type Command =
  | {
      kind: 'reserve';
      channels: Channel[];
      otherWorkflow: boolean;
      ttlMs: number;
      costs: [string, number][];
    }
  | { kind: 'commit'; pick: number; percent: number }
  | { kind: 'release'; pick: number }
  | { kind: 'dispatch'; pick: number }
  | { kind: 'expire' }
  | { kind: 'advance'; ms: number };

const commandArb = (maxPercent: number): fc.Arbitrary<Command> =>
  fc.oneof(
    // Small amounts against small limits, and short TTLs, so that exact limits and lapses are hit often.
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('reserve' as const),
        channels: fc.uniqueArray(fc.constantFrom<Channel>('email', 'sms', 'push'), {
          minLength: 1,
          maxLength: 3,
        }),
        otherWorkflow: fc.boolean(),
        ttlMs: fc.integer({ min: 1, max: 8 * HOUR }),
        costs: fc.array(fc.tuple(fc.constantFrom(...ADAPTERS), fc.integer({ min: 0, max: 60 })), {
          minLength: 1,
          maxLength: 4,
        }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('commit' as const),
        pick: fc.nat(),
        percent: fc.integer({ min: 0, max: maxPercent }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('dispatch' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('advance' as const),
        ms: fc.integer({ min: 0, max: 12 * HOUR }),
      }),
    },
  );

const startArb = fc.integer({
  min: Date.parse('2026-01-01T00:00:00Z'),
  max: Date.parse('2026-12-31T00:00:00Z'),
});

interface Run {
  state: LedgerState;
  nowMs: number;
  plans: string[];
  accepted: number;
  refused: number;
}

/** Runs one command through the driver; checks idempotence of commit and release on the way. */
function step(run: Run, caps: readonly BudgetCap[], command: Command): void {
  const apply = (op: LedgerOperation): void => {
    run.state = applyLedgerOperation(run.state, op);
    if (op.type === 'commit' || op.type === 'release') {
      expect(applyLedgerOperation(run.state, op)).toEqual(run.state);
    }
  };
  // Mostly one of the last three plans (where lapses and refusals just happened), sometimes any plan.
  const planAt = (pick: number): string | undefined => {
    const n = Math.max(1, run.plans.length);
    const back = pick % 2 === 0 ? pick % Math.min(3, n) : pick % n;
    return run.plans[run.plans.length - 1 - back];
  };
  switch (command.kind) {
    case 'reserve': {
      const planId = `plan-${run.plans.length}`;
      run.plans.push(planId);
      const actions = command.costs.map(([adapter, costMinor]) => ({ adapter, costMinor }));
      const plan = makePlan([{ optionId: 'opt', channels: command.channels, actions }], {
        workflowId: command.otherWorkflow ? 'other-workflow' : WORKFLOW,
      });
      const planned = planReservations({ plan, optionId: 'opt', caps, nowMs: run.nowMs });
      if (!planned.ok) throw new Error(`tenant cap missing: ${planned.message}`);
      const headroom = checkHeadroom(planned.lines, (capId, key) =>
        usedByCap(run.state, capId, key),
      );
      if (!headroom.ok) {
        run.refused += 1;
        return;
      }
      run.accepted += 1;
      apply({
        type: 'reserve',
        planId,
        lines: planned.lines,
        expiresAtMs: run.nowMs + command.ttlMs,
      });
      return;
    }
    case 'commit': {
      const planId = planAt(command.pick);
      if (planId === undefined) return;
      const actualMinorByCapId: Record<string, number> = {};
      for (const e of run.state.entries) {
        if (e.planId === planId)
          actualMinorByCapId[e.capId] = Math.floor((e.reservedMinor * command.percent) / 100);
      }
      apply({ type: 'commit', planId, nowMs: run.nowMs, actualMinorByCapId });
      return;
    }
    case 'release': {
      const planId = planAt(command.pick);
      if (planId !== undefined) apply({ type: 'release', planId });
      return;
    }
    case 'dispatch': {
      const planId = planAt(command.pick);
      if (planId !== undefined) apply({ type: 'dispatch', planId });
      return;
    }
    case 'expire':
      apply({ type: 'expire', nowMs: run.nowMs });
      return;
    case 'advance':
      run.nowMs += command.ms;
      return;
  }
}

/** Every cap and period: 0 <= (reserved + committed - overruns) <= limit, and statuses only moved forward. */
function checkInvariants(run: Run, before: LedgerState, caps: readonly BudgetCap[]): void {
  const limits = new Map(caps.map((c) => [c.capId, BigInt(c.limit.amountMinor)]));
  for (const key of new Set(run.state.entries.map((e) => `${e.capId}\n${e.periodKey}`))) {
    const [capId = '', periodKey = ''] = key.split('\n');
    const used = usedByCap(run.state, capId, periodKey);
    const overruns = run.state.entries
      .filter((e) => e.capId === capId && e.periodKey === periodKey && e.status === 'committed')
      .reduce((sum, e) => sum + BigInt(e.overrunMinor), 0n);
    expect(used).toBeGreaterThanOrEqual(0n);
    expect(used - overruns).toBeLessThanOrEqual(limits.get(capId) ?? -1n);
  }
  for (const [index, entry] of before.entries.entries()) {
    const after = run.state.entries[index];
    expect(after?.planId).toBe(entry.planId);
    const status = after?.status ?? entry.status;
    expect(status === entry.status || LEDGER_TRANSITIONS[entry.status].includes(status)).toBe(true);
    if (entry.status !== 'reserved') expect(after).toEqual(entry);
  }
}

describe('budget ledger under any sequence of operations', () => {
  test.each([
    ['actual costs at or below the reservation: reserved + committed <= limit', 100],
    ['actual costs up to 3x the reservation: only recorded overruns exceed a limit', 300],
  ])('%s', (_name, maxPercent) => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        capsArb,
        startArb,
        fc.array(commandArb(maxPercent), { minLength: 5, maxLength: 60, size: 'max' }),
        (caps, start, commands) => {
          const run: Run = {
            state: EMPTY_LEDGER,
            nowMs: start,
            plans: [],
            accepted: 0,
            refused: 0,
          };
          for (const command of commands) {
            const before = run.state;
            step(run, caps, command);
            checkInvariants(run, before, caps);
            if (maxPercent <= 100)
              expect(run.state.entries.every((e) => e.overrunMinor === 0)).toBe(true);
          }
          accepted += run.accepted;
          refused += run.refused;
        },
      ),
      { numRuns: 200 },
    );
    // The runs exercised both sides of the headroom check.
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
