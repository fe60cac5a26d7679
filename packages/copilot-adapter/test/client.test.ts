import { afterAll, beforeAll, describe, expect, expectTypeOf, test } from 'vitest';
import { outcomeReport } from '../../gateway/test/outcomes/outcome-support.js';
import { type GatewayAcceptsSignature, HandoffClient, type SubmitOptions } from '../src/index.js';
import { clientOf, freshPlan, rejection, scriptedFetch } from './support/client-helpers.js';
import { approveFully, fakeTime, type ServedGateway, serveGateway } from './support/gateway.js';

let gw: ServedGateway;
let apiKey: string;

beforeAll(async () => {
  gw = await serveGateway();
  apiKey = gw.harness.callers.copilot.apiKey;
});
afterAll(() => gw?.close());

const client = (extra: Parameters<typeof clientOf>[1] = {}) => clientOf(gw, extra);

describe('HandoffClient against a real gateway over HTTP', () => {
  test('submits a plan, idempotently on plan id', async () => {
    const plan = freshPlan();
    const first = await client().submit(plan);
    expect(first).toMatchObject({ planId: plan.planId, state: 'awaiting_approval', created: true });
    expect(first.gates.length).toBeGreaterThan(0);
    const again = await client().submit(plan);
    expect(again).toMatchObject({ planId: plan.planId, digest: first.digest, created: false });
  });

  test('reads status, dry-runs without recording, cancels idempotently, answers health', async () => {
    const c = client();
    const dry = freshPlan();
    const evaluation = await c.dryRun(dry);
    expect(evaluation).toMatchObject({
      planId: dry.planId,
      digest: expect.stringMatching(/^sha256:/),
    });
    expect((await rejection(c.status(dry.planId))).code).toBe('NOT_FOUND');

    const plan = freshPlan();
    await c.submit(plan);
    expect(await c.status(plan.planId)).toMatchObject({ state: 'awaiting_approval' });
    expect(await c.cancel(plan.planId, 'Budget moved to Q1')).toMatchObject({ state: 'cancelled' });
    // The gateway refuses cancelled -> cancelled (ILLEGAL_TRANSITION); the client answers the cancelled plan.
    expect(await c.cancel(plan.planId, 'Budget moved to Q1')).toMatchObject({ state: 'cancelled' });
    expect(await c.health()).toMatchObject({ status: 'ok', gatewayId: 'gw-test' });
  });

  test("keeps the gateway's code, status and issues, and does not retry a 400", async () => {
    const scripted = scriptedFetch([]);
    const plan = freshPlan();
    const option = plan.options[0];
    if (!option) throw new Error('fixture');
    option.budget.amount.amountMinor = 560.5;
    const error = await rejection(client({ fetch: scripted.fetch }).submit(plan));
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      httpStatus: 400,
      retryable: false,
      issues: [
        {
          path: '/options/0/budget/amount/amountMinor',
          code: 'MONEY_NOT_INTEGER',
          message: expect.any(String),
        },
      ],
    });
    expect(error.envelope?.kind).toBe('ErrorEnvelope');
    expect(scripted.calls).toEqual(['POST /plans.submit']);
  });

  test('reports UNAUTHENTICATED (401) and FORBIDDEN (403) without retrying', async () => {
    const scripted = scriptedFetch([]);
    const wrong = client({ credential: 'hk_not_a_key', fetch: scripted.fetch });
    expect(await rejection(wrong.status(freshPlan().planId))).toMatchObject({
      code: 'UNAUTHENTICATED',
      httpStatus: 401,
    });
    const foreign = { ...freshPlan(), tenantId: 'globex' };
    expect(await rejection(client({ fetch: scripted.fetch }).submit(foreign))).toMatchObject({
      code: 'FORBIDDEN',
      httpStatus: 403,
    });
    expect(scripted.calls).toHaveLength(2);
  });

  test('sends the credential from a function before each request', async () => {
    let asked = 0;
    const c = client({
      credential: async () => {
        asked += 1;
        return apiKey;
      },
    });
    await c.health();
    await c.health();
    expect(asked).toBe(2);
  });
});

describe('waitForDecision', () => {
  test('polls until the plan is approved, on the injected clock and sleep', async () => {
    const time = fakeTime();
    const c = client({ clock: time.clock, sleep: time.sleep });
    const plan = freshPlan();
    const view = await c.submit(plan);
    let polls = 0;
    const sleep = async (ms: number, signal?: AbortSignal) => {
      polls += 1;
      if (polls === 3) await approveFully(gw, view);
      await time.sleep(ms, signal);
    };
    const waiting = new HandoffClient({
      url: gw.url,
      credential: apiKey,
      clock: time.clock,
      sleep,
    });
    const started = Date.now();
    const decided = await waiting.waitForDecision(plan.planId, {
      timeoutMs: 60_000,
      pollIntervalMs: 5_000,
    });
    expect(decided).toMatchObject({ state: 'approved', planId: plan.planId });
    expect(time.sleeps).toEqual([5_000, 5_000, 5_000]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('times out with TIMEOUT and the last state, never sleeping past the deadline', async () => {
    const time = fakeTime();
    const c = client({ clock: time.clock, sleep: time.sleep });
    const plan = freshPlan();
    await c.submit(plan);
    const error = await rejection(
      c.waitForDecision(plan.planId, { timeoutMs: 12_000, pollIntervalMs: 5_000 }),
    );
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      details: { planId: plan.planId, lastState: 'awaiting_approval' },
    });
    expect(time.sleeps).toEqual([5_000, 5_000, 2_000]);
  });

  test('stops with ABORTED when the signal fires', async () => {
    const time = fakeTime();
    const controller = new AbortController();
    const sleep = async (ms: number, signal?: AbortSignal) => {
      controller.abort(new DOMException('copilot shutting down', 'AbortError'));
      await time.sleep(ms, signal);
    };
    const c = client({ clock: time.clock, sleep });
    const plan = freshPlan();
    await c.submit(plan);
    const error = await rejection(
      c.waitForDecision(plan.planId, { timeoutMs: 60_000, signal: controller.signal }),
    );
    expect(error).toMatchObject({ code: 'ABORTED', details: { planId: plan.planId } });
  });

  test('returns at once for a decided plan, and refuses a negative timeout', async () => {
    const c = client();
    const plan = freshPlan();
    await c.submit(plan);
    await c.cancel(plan.planId, 'Replaced by a new plan');
    await expect(c.waitForDecision(plan.planId, { timeoutMs: 0 })).resolves.toMatchObject({
      state: 'cancelled',
    });
    await expect(c.waitForDecision(plan.planId, { timeoutMs: -1 })).rejects.toThrow(RangeError);
  });
});

describe('submit signature', () => {
  test('is typed as the provenance JWS the gateway accepts', () => {
    expectTypeOf<GatewayAcceptsSignature>().toEqualTypeOf<true>();
    expectTypeOf<SubmitOptions['signature']>().toEqualTypeOf<string | undefined>();
  });
});

describe('reportOutcome', () => {
  test("sends an OutcomeReport as the reporter's key; the gateway's outcome codes arrive as they are", async () => {
    const plan = freshPlan();
    await client().submit(plan);
    const report = outcomeReport({ planId: plan.planId, interim: true });
    const reporter = client({ credential: gw.harness.callers.reporter.apiKey });
    expect(await rejection(reporter.reportOutcome(report))).toMatchObject({
      code: 'OUTCOME_NOT_DISPATCHED',
      httpStatus: 409,
      retryable: false,
    });
    // A copilot's key may not report what its own plans achieved.
    expect(await rejection(client().reportOutcome(report))).toMatchObject({
      code: 'FORBIDDEN',
      httpStatus: 403,
    });
  });
});
