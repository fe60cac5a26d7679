import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AdapterError, type AutomationAdapter } from '@handoff/automation-adapter';
import { type HandoffPlan, planDigest } from '@handoff/protocol';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { generateSigningKeyPair, type SigningKeyPair } from '../../src/approvals/signing-keys.js';
import { isGatewayError } from '../../src/errors.js';
import type { StoreTx } from '../../src/store/store.js';
import { scriptedAdapter } from '../dispatch/scripted-adapter.js';
import {
  approverEntry,
  createHarness,
  type Harness,
  type HarnessOptions,
} from '../support/harness.js';
import { sqliteOf } from '../support/sqlite-of.js';
import * as u from './support.js';

/**
 * THE BUDGET INVARIANT under random, concurrent commands, with time passing and dispatch failing. Each batch of
 * commands runs at once (Promise.all, in the generated order); transactions serialise them in some order we do not
 * choose. Commands submit, approve (either option), reject, cancel, move the clock, sweep expired plans, change
 * caps, run the dispatcher against platforms that answer 503 (retried an hour later), succeed at the estimate or
 * report a lower actual cost, and restart the gateway on the same database. Plans therefore dispatch, retry and
 * run past their own expiry while others arrive: a reservation must hold until its plan settles.
 *
 * Caps can be lowered below what is already held: existing reservations stand. So "used <= limit" cannot hold at
 * every instant; what must hold is that NO TRANSACTION EVER MAKES A NEW RESERVATION (or otherwise grows a cap's
 * usage) WHILE THE RESULT EXCEEDS THE CAP. That is checked inside every transaction, just before COMMIT, by wrapping
 * `store.transaction` and reading the ledger on the same connection. Between steps it implies, per cap and period:
 *   used <= max(limit, used right after the last caps change)   ("grandfathered" usage)
 * which is plain `used <= limit` until a cap is lowered below its usage. Also after every step: no negative
 * ledger amount; rejected, cancelled and expired plans hold no reserved line; an approved plan holds a reservation
 * of its selected option's cost (an approval never comes without budget behind it).
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OPTIONS = { recommended: 'call-prior-successes', alternate: 'nurture-broadcast' } as const;

type Cmd =
  | { kind: 'submit'; plan: number }
  | { kind: 'approve'; plan: number; option: keyof typeof OPTIONS }
  | { kind: 'reject'; plan: number }
  | { kind: 'cancel'; plan: number; as: 'copilot' | 'operator' }
  | { kind: 'advance'; ms: number }
  | { kind: 'expire' }
  | { kind: 'setCaps'; tenantLimit: number; hubspotLimit: number }
  | { kind: 'dispatch' }
  | { kind: 'restart' };

/** What the scripted platforms do with the next request: succeed, succeed cheaper than estimated, or 503. */
type Fate = 'ok' | 'cheaper' | 'unavailable';

const planNo = fc.nat({ max: 7 });
const limitArb = fc.integer({ min: 0, max: 250_000 });
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('submit' as const), plan: planNo }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('approve' as const),
      plan: planNo,
      option: fc.constantFrom('recommended' as const, 'alternate' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reject' as const), plan: planNo }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('cancel' as const),
      plan: planNo,
      as: fc.constantFrom('copilot' as const, 'operator' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.oneof(
        fc.constantFrom(HOUR, 2 * DAY, 2 * DAY + 1, 7 * DAY),
        fc.integer({ min: 1, max: 10 * DAY }),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('dispatch' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('setCaps' as const),
      tenantLimit: limitArb,
      hubspotLimit: limitArb,
    }),
  },
);
const costArb = fc.oneof(
  fc.integer({ min: 0, max: 49_999 }),
  fc.integer({ min: 50_000, max: 150_000 }),
);
const scenarioArb = fc.record({
  tenantLimit: limitArb,
  hubspotLimit: limitArb,
  plans: fc.uniqueArray(
    fc.record({
      planId: u.planIdArb,
      recommendedCost: costArb,
      alternateCost: costArb,
      expiresInMs: fc.integer({ min: HOUR, max: 12 * DAY }),
    }),
    { selector: (p) => p.planId, minLength: 2, maxLength: 8 },
  ),
  batches: fc.array(fc.array(cmdArb, { minLength: 1, maxLength: 4 }), {
    minLength: 3,
    maxLength: 12,
  }),
  fates: fc.array(fc.constantFrom<Fate>('ok', 'cheaper', 'unavailable', 'unavailable'), {
    maxLength: 40,
  }),
});
type Scenario = {
  tenantLimit: number;
  hubspotLimit: number;
  plans: Required<u.PlanShape>[];
  batches: Cmd[][];
  fates?: Fate[];
};

/** A run: the harness, the plan documents as first submitted, and what the transaction watcher saw. */
interface World {
  h: Harness;
  shapes: Required<u.PlanShape>[];
  docs: Map<number, HandoffPlan>;
  violations: string[];
  grandfathered: Map<string, number>;
  /** The platforms' answers still to give, shared by both adapters (then `ok`). */
  fates: Fate[];
  /** Every harness opened on the run's database (restarts open a new one), to dispose of. */
  opened: Harness[];
}

/** Wraps `store.transaction` to check, just before COMMIT, that no usage grew or was reserved past its cap. */
function watchTransactions(world: World): void {
  const { h } = world;
  const store = h.runtime.store;
  const original = store.transaction.bind(store);
  const freshLines = sqliteOf(store).prepare(
    `SELECT tenant_id AS tenantId, cap_id AS capId, period_key AS periodKey
       FROM budget_ledger WHERE id > ? AND status = 'reserved'`,
  );
  const maxId = sqliteOf(store).prepare('SELECT COALESCE(MAX(id), 0) AS id FROM budget_ledger');
  const capsNow = sqliteOf(store).prepare(
    'SELECT tenant_id, cap_id, limit_minor FROM budget_caps ORDER BY 1, 2',
  );
  store.transaction = <T>(work: (tx: StoreTx) => Promise<T>) =>
    original(async (tx) => {
      const at = h.clock.now();
      const lastId = (maxId.get() as { id: number }).id;
      const before = new Map(u.capUsage(sqliteOf(store), at).map((x) => [u.usageKey(x), x.used]));
      const capsBefore = JSON.stringify(capsNow.all());
      const result = await work(tx);
      const fresh = new Set((freshLines.all(lastId) as u.CapUsage[]).map(u.usageKey));
      const after = u.capUsage(sqliteOf(store), at);
      for (const x of after) {
        const key = u.usageKey(x);
        const grew = x.used > (before.get(key) ?? 0);
        if ((grew || fresh.has(key)) && x.used > (x.limitMinor ?? 0))
          world.violations.push(
            `${key}: ${before.get(key) ?? 0} -> ${x.used} over ${x.limitMinor}`,
          );
      }
      if (JSON.stringify(capsNow.all()) !== capsBefore)
        for (const x of after) world.grandfathered.set(u.usageKey(x), x.used);
      return result;
    });
}

/** Runs one command; a GatewayError is a legitimate refusal, anything else fails the property. */
async function run(world: World, cmd: Cmd): Promise<void> {
  const { h } = world;
  const { copilot, operator, approver } = h.callers;
  if (cmd.kind === 'advance') return h.clock.advance(cmd.ms); // synchronously, before any queued transaction
  if (cmd.kind === 'expire') return void (await h.gateway.expireDue());
  if (cmd.kind === 'dispatch') {
    const done = await h.runtime.dispatcher.runDue();
    if (done.retryScheduled > 0) seen.add('retry scheduled');
    return;
  }
  if (cmd.kind === 'restart') return; // run alone, between batches (see restart)
  if (cmd.kind === 'setCaps')
    return void (await h.gateway.setCaps(
      operator.principal,
      u.capsOf(cmd.tenantLimit, cmd.hubspotLimit),
    ));
  const index = cmd.plan % world.shapes.length;
  const shape = world.shapes[index] as Required<u.PlanShape>;
  if (cmd.kind === 'submit') {
    const doc = world.docs.get(index) ?? u.shapedPlan(shape, h.clock.now());
    world.docs.set(index, doc);
    return void (await h.gateway.submitPlan(copilot.principal, doc));
  }
  const doc = world.docs.get(index);
  if (!doc) return; // never submitted: nothing to decide on
  if (cmd.kind === 'cancel')
    return void (await h.gateway.cancelPlan(
      (cmd.as === 'copilot' ? copilot : operator).principal,
      doc.planId,
      'test',
    ));
  const view = {
    planId: doc.planId,
    digest: planDigest(doc),
    policyVersion: h.gateway.deps.policy.version,
    recommendedOptionId: doc.recommendedOptionId,
  };
  const optionId = cmd.kind === 'approve' ? OPTIONS[cmd.option] : OPTIONS.recommended;
  const cost = optionId === OPTIONS.recommended ? shape.recommendedCost : shape.alternateCost;
  // Each decision signs as another registered identity of the pool (`decided` counts them over the run).
  decided += 1;
  const n = decided;
  const decide = async (
    key: 'finance' | 'marketing',
    role: string,
    decision: 'approve' | 'reject',
  ) =>
    h.gateway.submitApproval(
      approver.principal,
      await h.sign(view, {
        key: pool[key][n % POOL]?.pair ?? h.keys[key],
        sub: `${role}-${n % POOL}`,
        role,
        decision,
        optionId,
        maxSpend: { amountMinor: cost, currency: 'EUR' },
      }),
    );
  const decisions =
    cmd.kind === 'reject'
      ? [decide('finance', 'finance', 'reject')]
      : [decide('finance', 'finance', 'approve'), decide('marketing', 'marketing_lead', 'approve')];
  await settleAll(decisions.map((d) => d.then(() => undefined)));
}

/** Waits for every promise; rethrows the first error that is not a GatewayError. */
async function settleAll(promises: Promise<unknown>[]): Promise<void> {
  for (const r of await Promise.allSettled(promises))
    if (r.status === 'rejected' && !isGatewayError(r.reason)) throw r.reason;
}

const seen = new Set<string>();

/** The invariants that must hold between steps, read from the database. */
function checkStep(world: World): void {
  const sqlite = sqliteOf(world.h.runtime.store);
  expect(world.violations).toEqual([]);
  for (const x of u.capUsage(sqlite, world.h.clock.now())) {
    const grandfathered = world.grandfathered.get(u.usageKey(x)) ?? 0;
    expect(x.used).toBeLessThanOrEqual(Math.max(x.limitMinor ?? 0, grandfathered));
    if (x.used > (x.limitMinor ?? 0)) seen.add('held over a lowered cap');
  }
  expect(u.negativeLines(sqlite)).toBe(0);
  const byId = new Map(world.shapes.map((s) => [s.planId, s]));
  const expiresAt = new Map(
    (
      sqlite.prepare('SELECT plan_id AS planId, expires_at AS at FROM plans').all() as {
        planId: string;
        at: number;
      }[]
    ).map((r) => [r.planId, r.at]),
  );
  const approvalsOf = new Map(
    (
      sqlite
        .prepare(
          "SELECT plan_id AS planId, COUNT(*) AS n FROM approvals WHERE decision = 'approve' GROUP BY 1",
        )
        .all() as { planId: string; n: number }[]
    ).map((r) => [r.planId, r.n]),
  );
  for (const [planId, st] of u.planStates(sqlite)) {
    const lines = u.ledgerOf(sqlite, planId);
    const reserved = lines.filter((l) => l.status === 'reserved');
    seen.add(st.reasonCode ?? st.state);
    if (st.state === 'approved' && approvalsOf.get(planId)) seen.add('approved by quorum');
    if (st.state === 'rejected' || st.state === 'cancelled' || st.state === 'expired')
      expect(reserved, `${st.state} plan ${planId} still holds budget`).toEqual([]);
    if (st.state === 'approved') {
      const shape = byId.get(planId);
      const cost =
        st.selectedOptionId === OPTIONS.alternate ? shape?.alternateCost : shape?.recommendedCost;
      const onTenant = reserved.filter((l) => l.capId === 'tenant-month');
      expect(
        onTenant.map((l) => l.amountMinor),
        `approved plan ${planId} without budget`,
      ).toEqual([cost]);
      if (st.selectedOptionId === OPTIONS.alternate) seen.add('approved another option');
    }
    // A plan that has started sending holds its budget until it settles, however late it runs.
    if (st.state === 'dispatching') {
      expect(reserved.length, `dispatching plan ${planId} without budget`).toBeGreaterThan(0);
      if (world.h.clock.now() >= (expiresAt.get(planId) ?? 0))
        seen.add('dispatching past its expiry');
    }
    if (st.state === 'dispatched' || st.state === 'failed' || st.state === 'partially_failed') {
      expect(reserved, `settled plan ${planId} still holds budget`).toEqual([]);
      seen.add('settled');
    }
  }
}

let keys: NonNullable<HarnessOptions['keys']>;
/** Registered approvers by role: each decision signs as a distinct one (`<role>-<n mod POOL>`), as people would. */
const POOL = 16;
let decided = 0;
const pool: Record<'finance' | 'marketing', { pair: SigningKeyPair; entry: unknown }[]> = {
  finance: [],
  marketing: [],
};
beforeAll(async () => {
  keys = {
    finance: await generateSigningKeyPair({ alg: 'EdDSA' }),
    marketing: await generateSigningKeyPair({ alg: 'ES256' }),
    outsider: await generateSigningKeyPair({ alg: 'EdDSA' }),
  };
  for (const [name, role] of [
    ['finance', 'finance'],
    ['marketing', 'marketing_lead'],
  ] as const) {
    for (let i = 0; i < POOL; i += 1) {
      const pair = await generateSigningKeyPair({ alg: 'EdDSA' });
      pool[name].push({ pair, entry: approverEntry(pair, `${role}-${i}`, [role]) });
    }
  }
});

const P = (planId: string, recommendedCost: number, alternateCost: number, days: number) => ({
  planId,
  recommendedCost,
  alternateCost,
  expiresInMs: days * DAY,
});
/** Scenarios that always run: option change refused then approved as recommended; lowering; expiry; rejection. */
const EXAMPLES: Scenario[] = [
  {
    tenantLimit: 100_000,
    hubspotLimit: 100_000,
    plans: [
      P('019a8f2e-5c4b-7d3e-9a1f-0000000000a0', 60_000, 70_000, 5),
      P('019a8f2e-5c4b-7d3e-9a1f-0000000000a1', 40_000, 1_000, 9),
      P('019a8f2e-5c4b-7d3e-9a1f-0000000000a2', 55_000, 10_000, 1),
    ],
    batches: [
      [
        { kind: 'submit', plan: 0 },
        { kind: 'submit', plan: 1 },
      ],
      [{ kind: 'approve', plan: 0, option: 'alternate' }],
      [{ kind: 'approve', plan: 0, option: 'recommended' }],
      [
        { kind: 'setCaps', tenantLimit: 50_000, hubspotLimit: 100_000 },
        { kind: 'submit', plan: 2 },
      ],
      [
        { kind: 'cancel', plan: 1, as: 'operator' },
        { kind: 'submit', plan: 2 },
      ],
      [{ kind: 'advance', ms: 6 * DAY }, { kind: 'expire' }],
    ],
  },
  {
    tenantLimit: 300_000,
    hubspotLimit: 300_000,
    plans: [
      P('01JD0000000000000000000000', 70_000, 60_000, 10),
      P('01JD0000000000000000000001', 30_000, 10_000, 10),
      P('01JD0000000000000000000002', 90_000, 55_000, 10),
      P('01JD0000000000000000000003', 50_000, 10_000, 10),
    ],
    batches: [
      [
        { kind: 'submit', plan: 0 },
        { kind: 'submit', plan: 1 },
        { kind: 'submit', plan: 2 },
        { kind: 'submit', plan: 3 },
      ],
      [
        { kind: 'reject', plan: 0 },
        { kind: 'approve', plan: 2, option: 'alternate' },
      ],
      [
        { kind: 'advance', ms: 2 * DAY },
        { kind: 'expire' },
        { kind: 'approve', plan: 1, option: 'recommended' },
      ],
    ],
  },
];

/** A platform whose answers come from the run's shared list of fates (then `ok`). */
function fatedAdapter(id: string, next: () => Fate | undefined): AutomationAdapter {
  const { manifest } = scriptedAdapter(id).adapter;
  return {
    manifest,
    validate: () => ({ ok: true }),
    async execute(action) {
      const fate = next() ?? 'ok';
      if (fate === 'unavailable') {
        throw new AdapterError('PLATFORM_UNAVAILABLE', '503 from the platform', {
          retryable: true,
          platform: { status: 503 },
        });
      }
      const { amountMinor, currency } = action.estimatedCost;
      return fate === 'cheaper'
        ? {
            status: 'succeeded',
            actualCost: { amountMinor: Math.floor(amountMinor / 2), currency },
          }
        : { status: 'succeeded' };
    },
  };
}

/** Opens a gateway on the run's database (a fresh one when `databasePath` is absent). */
function openGateway(world: Pick<World, 'fates'>, scenario: Scenario, databasePath?: string) {
  const next = () => world.fates.shift();
  return createHarness({
    caps: u.capsOf(scenario.tenantLimit, scenario.hubspotLimit),
    keys,
    approvers: [...pool.finance, ...pool.marketing].map((p) => p.entry),
    adapters: [fatedAdapter('hubspot', next), fatedAdapter('customerio', next)],
    // A failed attempt is retried an hour later (three attempts); the circuit never opens on its own.
    dispatch: { initialDelayMs: HOUR, maxDelayMs: HOUR, maxAttempts: 3, breakerThreshold: 1000 },
    ...(databasePath ? { databasePath } : {}),
  });
}

/** Restarts the gateway on the same database file, its clock carried over: the dispatcher recovers first. */
async function restart(world: World, scenario: Scenario): Promise<void> {
  const at = world.h.clock.now();
  await world.h.close();
  const first = world.opened[0] ?? world.h;
  const h = await openGateway(world, scenario, join(first.dir, 'gateway.db'));
  h.clock.advance(at - h.clock.now());
  world.h = h;
  world.opened.push(h);
  watchTransactions(world);
  seen.add('restarted');
}

/** Observation 5 as a scenario: a plan dispatching (503, retrying) past its expiry, a restart, a new full plan. */
EXAMPLES.push({
  tenantLimit: 100_000,
  hubspotLimit: 100_000,
  plans: [
    P('019a8f2e-5c4b-7d3e-9a1f-0000000000b0', 60_000, 5_000, 0.05),
    P('019a8f2e-5c4b-7d3e-9a1f-0000000000b1', 60_000, 5_000, 5),
  ],
  batches: [
    [{ kind: 'submit', plan: 0 }],
    [{ kind: 'approve', plan: 0, option: 'recommended' }],
    [{ kind: 'dispatch' }],
    [{ kind: 'advance', ms: 2 * HOUR }, { kind: 'expire' }],
    [{ kind: 'restart' }],
    [{ kind: 'submit', plan: 1 }, { kind: 'expire' }],
    [{ kind: 'dispatch' }],
  ],
  fates: ['unavailable'],
});

describe('the budget invariant under concurrent submissions, decisions, cancels and expiries', () => {
  test('no transaction reserves past a cap, through dispatch, retries, expiry and restarts; terminal plans hold nothing; approvals are backed', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario: Scenario) => {
        const fates = [...(scenario.fates ?? [])];
        const h = await openGateway({ fates }, scenario);
        const world: World = {
          h,
          shapes: scenario.plans,
          docs: new Map(),
          violations: [],
          grandfathered: new Map(),
          fates,
          opened: [h],
        };
        try {
          watchTransactions(world);
          checkStep(world);
          for (const batch of scenario.batches) {
            await settleAll(batch.map((cmd) => run(world, cmd)));
            if (batch.some((cmd) => cmd.kind === 'restart')) await restart(world, scenario);
            checkStep(world);
          }
          expect(u.chainBreaks(sqliteOf(world.h.runtime.store))).toEqual([]);
        } finally {
          await world.h.close();
          for (const opened of world.opened) rmSync(opened.dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 50, examples: EXAMPLES.map((e) => [e]) },
    );
    // The examples make sure every path ran at least once, whatever the random runs drew.
    for (const path of [
      'APPROVAL_REJECTED',
      'BUDGET_EXCEEDED',
      'CANCELLED',
      'APPROVAL_WINDOW_ELAPSED',
      'PLAN_EXPIRED',
      'approved by quorum',
      'approved another option',
      'held over a lowered cap',
      'retry scheduled',
      'dispatching past its expiry',
      'restarted',
      'settled',
    ])
      expect(seen, path).toContain(path);
  }, 300_000);
});
