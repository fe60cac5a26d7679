import {
  canonicalJson,
  type LineageEvent,
  safeParseDocument,
  sha256Digest,
} from '@handoff/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LineageQuery } from '../../src/gateway-pages.js';
import type { PlanView } from '../../src/pipeline/plan-view.js';
import { expectChained } from '../support/expect-chained.js';
import {
  createHarness,
  defaultCaps,
  fixturePlan,
  type Harness,
  OTHER_TENANT,
  TENANT,
} from '../support/harness.js';
import { expectGatewayError, OPTION_2, planVariant, rows } from './helpers.js';

const HOUR = 3_600_000;
let h: Harness;
let planA: PlanView;
let planB: PlanView;
let foreign: PlanView;
const tokens: string[] = [];
const at: Record<string, string> = {};

/**
 * The story, an hour between steps: acme submits A (two gates) and B (option 2), globex submits one plan; finance
 * and the marketing lead approve A; an outsider's token and a role no gate wants are refused; B is cancelled; the
 * tenant is paused.
 */
beforeAll(async () => {
  const globexCap = {
    ...(defaultCaps()[0] as object),
    tenantId: OTHER_TENANT,
    scope: { type: 'tenant', value: OTHER_TENANT },
  };
  h = await createHarness({ caps: [...defaultCaps(), globexCap] });
  const { copilot, otherCopilot, approver, operator } = h.callers;
  const step = (name: string) => {
    h.clock.advance(HOUR);
    at[name] = new Date(h.clock.now()).toISOString();
  };
  step('submit');
  planA = await h.gateway.submitPlan(copilot.principal, fixturePlan());
  planB = await h.gateway.submitPlan(
    copilot.principal,
    planVariant(2, (p) => {
      p.recommendedOptionId = OPTION_2;
    }),
  );
  foreign = await h.gateway.submitPlan(
    otherCopilot.principal,
    planVariant(3, (p) => {
      p.tenantId = OTHER_TENANT;
    }),
  );
  step('approve');
  for (const [key, sub, role] of [
    [h.keys.finance, 'fiona.finance', 'finance'],
    [h.keys.marketing, 'mark.lead', 'marketing_lead'],
  ] as const) {
    const token = await h.sign(planA, { key, sub, role });
    tokens.push(token);
    await h.gateway.submitApproval(approver.principal, token);
  }
  step('refuse');
  for (const [key, role] of [
    [h.keys.outsider, 'finance'],
    [h.keys.finance, 'legal'],
  ] as const) {
    const token = await h.sign(planB, { key, sub: 'fiona.finance', role });
    tokens.push(token);
    await expect(h.gateway.submitApproval(approver.principal, token)).rejects.toThrow();
  }
  step('cancel');
  await h.gateway.cancelPlan(operator.principal, planB.planId, 'duplicate of A');
  step('pause');
  await h.gateway.pause(operator.principal, { scopeType: 'tenant', scopeValue: TENANT }, 'audit');
  expect((await h.gateway.getPlan(operator.principal, planA.planId)).state).toBe('paused');
});
afterAll(async () => h?.close());

async function query(
  filter: LineageQuery,
  who: 'auditor' | 'otherAuditor' | 'operator' = 'auditor',
) {
  return h.gateway.queryLineage(h.callers[who].principal, filter);
}

async function all(
  filter: Omit<LineageQuery, 'limit' | 'cursor'> = {},
  who?: 'auditor' | 'otherAuditor',
) {
  const page = await query({ ...filter, limit: 500 }, who);
  expect(page.nextCursor).toBeUndefined();
  return page.items;
}

describe('the hash chain', () => {
  test('every row, in its plan or tenant chain: seq contiguous from 1, prevHash links, hash recomputed, a valid LineageEvent', () => {
    const stored = rows<{
      seq: number;
      body: string;
      prev_hash: string;
      hash: string;
      tenant_id: string;
    }>(h, 'select seq, body, prev_hash, hash, tenant_id from lineage_events order by id');
    expect(stored.length).toBeGreaterThan(12);
    const events = stored.map((row) => JSON.parse(row.body) as LineageEvent);
    expectChained(events);
    stored.forEach((row, i) => {
      const event = events[i] as LineageEvent;
      expect(row.seq).toBe(event.seq);
      expect(row.prev_hash).toBe(event.prevHash);
      expect(row.hash).toBe(event.hash);
      expect(row.tenant_id).toBe(event.tenantId);
      expect(canonicalJson(event)).toBe(row.body);
      const parsed = safeParseDocument('LineageEvent', event);
      expect(
        parsed.success,
        `seq ${row.seq}: ${JSON.stringify(parsed.success ? [] : parsed.error.issues)}`,
      ).toBe(true);
    });
    expect(new Set(stored.map((r) => JSON.parse(r.body).tenantId))).toEqual(
      new Set([TENANT, OTHER_TENANT]),
    );
  });

  test('the story is all there: approvals, both refusals, the cancel and the pause', async () => {
    const types = (await all()).map((e) => e.type);
    for (const type of [
      'plan.received',
      'approval.accepted',
      'budget.released',
      'control.paused',
    ] as const) {
      expect(types, type).toContain(type);
    }
    // Reservations and queued actions are recorded by the events of the transitions that made them.
    const received = await all({ types: ['plan.received'] });
    expect(
      received.some((e) => Array.isArray(e.data.reservations) && e.data.reservations.length > 0),
    ).toBe(true);
    const accepted = await all({ types: ['approval.accepted'] });
    expect(accepted.some((e) => Array.isArray(e.data.queued) && e.data.queued.length > 0)).toBe(
      true,
    );
    const refused = await all({ types: ['approval.refused'] });
    expect(refused.map((e) => e.data.code)).toEqual([
      'APPROVAL_KEY_NOT_REGISTERED',
      'APPROVAL_ROLE_NOT_HELD',
    ]);
  });
});

describe('secrets and payloads', () => {
  test('no approval token, private key or API key appears in the lineage; no private key anywhere in the database', () => {
    const lineageText = rows<{ body: string }>(h, 'select body from lineage_events')
      .map((r) => r.body)
      .join('\n');
    const tables = rows<{ name: string }>(
      h,
      "select name from sqlite_master where type = 'table'",
    ).map((t) => t.name);
    const everything = tables
      .flatMap((t) => rows(h, `select * from "${t}"`))
      .map((r) => JSON.stringify(r))
      .join('\n');
    expect(tokens).toHaveLength(4);
    for (const token of tokens) {
      expect(lineageText).not.toContain(token);
      expect(lineageText).not.toContain(token.split('.')[2]);
    }
    for (const key of Object.values(h.keys)) {
      const d = key.privateJwk.d;
      expect(typeof d === 'string' && d.length > 20).toBe(true);
      expect(everything).not.toContain(d as string);
    }
    for (const c of Object.values(h.callers)) expect(everything).not.toContain(c.apiKey);
  });

  test('the plan is stored once by digest, and each accepted approval JWS by its digest', async () => {
    const plan = rows<{ kind: string; body: string }>(
      h,
      'select kind, body from payloads where digest = ?',
      planA.digest,
    );
    expect(plan).toEqual([{ kind: 'HandoffPlan', body: canonicalJson(fixturePlan()) }]);
    expect(rows(h, "select * from payloads where kind = 'HandoffPlan'")).toHaveLength(3);
    const accepted = await all({ planId: planA.planId, types: ['approval.accepted'] });
    expect(accepted).toHaveLength(2);
    for (const [i, event] of accepted.entries()) {
      const token = tokens[i] as string;
      expect(event.refs).toEqual({ plan: planA.digest, approval: sha256Digest(token) });
      expect(
        rows(h, 'select kind, body from payloads where digest = ?', sha256Digest(token)),
      ).toEqual([{ kind: 'ApprovalJws', body: token }]);
    }
    // Refused tokens are not stored.
    expect(rows(h, "select * from payloads where kind = 'ApprovalJws'")).toHaveLength(2);
  });
});

describe('queryLineage', () => {
  test('filters by plan, types, actor and time range', async () => {
    const everything = await all();
    const ofA = await all({ planId: planA.planId });
    expect(ofA.length).toBeGreaterThan(3);
    expect(ofA).toEqual(everything.filter((e) => e.planId === planA.planId));

    const states = await all({ types: ['plan.state_changed', 'control.paused'] });
    expect(states).toEqual(
      everything.filter((e) => e.type === 'plan.state_changed' || e.type === 'control.paused'),
    );

    const byFiona = await all({ actorId: 'fiona.finance' });
    expect(byFiona.map((e) => e.type)).toEqual(['approval.accepted']);
    const byOperator = await all({ actorId: 'operator-1' });
    expect(byOperator.length).toBeGreaterThan(2);
    expect(byOperator.every((e) => e.actor.id === 'operator-1')).toBe(true);

    const window = await all({ from: at.approve, to: at.refuse });
    expect(window.length).toBeGreaterThan(0);
    expect(window).toEqual(
      everything.filter(
        (e) => e.occurredAt >= (at.approve ?? '') && e.occurredAt <= (at.refuse ?? ''),
      ),
    );
    expect(new Set(window.map((e) => e.type))).toEqual(
      new Set(['approval.accepted', 'approval.refused']),
    );
    const combined = await all({
      planId: planA.planId,
      types: ['approval.accepted'],
      actorId: 'mark.lead',
    });
    expect(combined).toHaveLength(1);
  });

  test('cursor pagination (limit 3) walks every event once, in order', async () => {
    for (const filter of [{}, { planId: planA.planId }] as const) {
      const expected = await all(filter);
      const seen: LineageEvent[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page: Awaited<ReturnType<typeof query>> = await query({
          ...filter,
          limit: 3,
          ...(cursor ? { cursor } : {}),
        });
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor !== undefined);
      expect(pages).toBe(Math.ceil(expected.length / 3));
      expect(seen).toEqual(expected);
      expect(new Set(seen.map((e) => e.hash)).size).toBe(seen.length);
    }
    await expectGatewayError(query({ cursor: 'abc' }), 'VALIDATION_FAILED');
  });

  test('tenant isolation: each auditor sees only its own tenant', async () => {
    const theirs = await all({}, 'otherAuditor');
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.every((e) => e.tenantId === OTHER_TENANT)).toBe(true);
    expect(theirs.some((e) => e.planId === foreign.planId)).toBe(true);
    expect(await all({ planId: planA.planId }, 'otherAuditor')).toEqual([]);
    expect(await all({ actorId: 'fiona.finance' }, 'otherAuditor')).toEqual([]);
    const ours = await all();
    expect(ours.every((e) => e.tenantId === TENANT)).toBe(true);
    expect(await all({ planId: foreign.planId })).toEqual([]);
    await expectGatewayError(h.gateway.queryLineage(h.callers.copilot.principal, {}), 'FORBIDDEN');
  });
});
