import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { safeParseDocument } from '@handoff/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PLAN_STATES } from '../../src/plan-state.js';
import { PLAN_CORPUS } from '../cli/cli-support.js';
import { planIdArb, shapedPlan } from '../concurrency/support.js';
import { type HttpGateway, startHttpGateway } from '../http/http-fixture.js';
import { snapshot } from '../pipeline/helpers.js';
import { fixturePlan } from '../support/harness.js';
import { expectRefusedUnchanged, expectServing, submitBody, submitRaw } from './hostile-support.js';
import { tally } from './tally.js';

/**
 * Generated input against a real gateway over HTTP: valid plans (fast-check) are accepted; the fixture mutated at a
 * random place (member deleted, value replaced by arbitrary JSON, a member added, hostile keys included) gets the
 * contract's verdict: when the protocol's parser refuses it, the gateway refuses it with a structured 4xx and writes
 * nothing; when the parser accepts it, the gateway answers with a plan or a structured refusal, never a 5xx. Then
 * every invalid fixture of the conformance corpus.
 */

const RUNS = Number(process.env.RELIABILITY_RUNS ?? 400);

let gw: HttpGateway;
beforeAll(async () => {
  gw = await startHttpGateway();
});
afterAll(() => gw?.close());

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path (as keys) to an object member or array item of `value`. */
function pathsOf(value: Json, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value);
  return entries.flatMap(([key, item]) => [[...at, key], ...pathsOf(item, [...at, key])]);
}

type Mutation =
  | { kind: 'delete'; pick: number }
  | { kind: 'replace'; pick: number; value: Json }
  | { kind: 'add'; pick: number; key: string; value: Json };

/** Applies `mutation` to a copy of `plan`; keys are defined as own members, so `__proto__` stays data. */
function mutate(plan: Json, mutation: Mutation): Json {
  const copy = JSON.parse(JSON.stringify(plan)) as Json;
  const paths = pathsOf(copy);
  const path = paths[mutation.pick % paths.length] ?? [];
  const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as never)[key], copy);
  const last = path[path.length - 1] as string | number;
  const container = parent as Record<string | number, Json>;
  if (mutation.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete container[last];
  } else if (mutation.kind === 'replace') {
    container[last] = mutation.value;
  } else {
    const target = container[last];
    const holder = target !== null && typeof target === 'object' ? target : container;
    Object.defineProperty(holder, mutation.key, {
      value: mutation.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

const jsonArb = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>;
const hostileKeyArb = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'),
  fc.string({ maxLength: 12 }),
);
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: jsonArb }),
  fc.record({
    kind: fc.constant('add' as const),
    pick: fc.nat(),
    key: hostileKeyArb,
    value: jsonArb,
  }),
);

describe('generated plans', () => {
  test('valid plans (any id, any costs) are accepted and recorded', async ({ task }) => {
    const t = tally(task, 'hostile input');
    const shapes = fc.record({
      planId: planIdArb,
      recommendedCost: fc.integer({ min: 0, max: 10_000_000 }),
      alternateCost: fc.integer({ min: 0, max: 10_000_000 }),
    });
    await fc.assert(
      fc.asyncProperty(shapes, async (shape) => {
        t.tried();
        const plansBefore = snapshot(gw).plans;
        const answer = await submitRaw(gw, submitBody(JSON.stringify(shapedPlan(shape))));
        expect(answer.status).toBe(200);
        const data = (answer.body as { result: { data: { planId: string; state: string } } }).result
          .data;
        expect(data.planId).toBe(shape.planId);
        expect(PLAN_STATES).toContain(data.state);
        expect(snapshot(gw).plans).toBe(plansBefore + 1);
        t.held();
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
    await expectServing(gw);
  });

  test('mutated plans get the contract verdict; refusals are structured and write nothing', async ({
    task,
  }) => {
    const t = tally(task, 'hostile input');
    const fixture = fixturePlan() as unknown as Json;
    await fc.assert(
      fc.asyncProperty(mutationArb, async (mutation) => {
        const plan = mutate(fixture, mutation);
        const valid = safeParseDocument('HandoffPlan', plan).success;
        const body = submitBody(JSON.stringify(plan));
        if (!valid) {
          await expectRefusedUnchanged(gw, t, () => submitRaw(gw, body), {
            codes: ['VALIDATION_FAILED', 'UNSUPPORTED_VERSION'],
            withIssues: true,
            label: JSON.stringify(mutation).slice(0, 200),
          });
          return;
        }
        t.tried();
        const answer = await submitRaw(gw, body);
        expect(answer.status === 200 || (answer.status >= 400 && answer.status < 500)).toBe(true);
        if (answer.status !== 200) expect(answer.envelope).toBeDefined();
        await expectServing(gw);
        t.held();
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the conformance corpus', () => {
  test('every invalid HandoffPlan fixture is refused with its expected issue codes', async ({
    task,
  }) => {
    const t = tally(task, 'hostile input');
    const folder = join(PLAN_CORPUS, 'invalid');
    const files = readdirSync(folder).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const { document, expected } = JSON.parse(readFileSync(join(folder, file), 'utf8')) as {
        document: unknown;
        expected: { code: string }[];
      };
      const answer = await expectRefusedUnchanged(
        gw,
        t,
        () => submitRaw(gw, submitBody(JSON.stringify(document))),
        { label: file },
      );
      const codes = answer.envelope?.issues.map((i) => i.code) ?? [];
      const payloadTooLarge = answer.envelope?.code === 'PAYLOAD_TOO_LARGE';
      if (!payloadTooLarge) {
        for (const { code } of expected) expect(codes, file).toContain(code);
      }
    }
  });
});
