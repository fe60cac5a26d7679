/**
 * What a copilot in any language does: validate the plan with a JSON Schema validator against the committed
 * `HandoffPlan.schema.json`, then call the gateway with plain HTTP and JSON. Only `fetch` and Ajv here, no
 * `@handoff/*` code on the client side; HTTP.md documents exactly these calls.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HANDOFF_PROTOCOL_VERSION } from '@handoff/protocol';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ServedGateway, serveGateway } from './support/gateway.js';

const here = new URL('.', import.meta.url).pathname;
const schemaDir = join(here, '../../protocol/schema/v1');
const planJson = readFileSync(join(here, 'fixtures/plans/card-reactivation.json'), 'utf8');

const ajv = new Ajv2020.default({
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  allErrors: true,
});
addFormats.default(ajv);
const validatePlan = ajv.compile(
  JSON.parse(readFileSync(join(schemaDir, 'HandoffPlan.schema.json'), 'utf8')),
);
const validateEnvelope = ajv.compile(
  JSON.parse(readFileSync(join(schemaDir, 'ErrorEnvelope.schema.json'), 'utf8')),
);

let gw: ServedGateway;
let apiKey: string;
beforeAll(async () => {
  gw = await serveGateway();
  apiKey = gw.harness.callers.copilot.apiKey;
});
afterAll(() => gw?.close());

/** A mutation: `POST <url>/<procedure>` with the JSON input as body; `credential` null sends none. */
function post(procedure: string, input: unknown, credential: string | null = apiKey) {
  return fetch(`${gw.url}/${procedure}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(credential ? { authorization: `Bearer ${credential}` } : {}),
    },
    body: JSON.stringify(input),
  });
}

/** A query: `GET <url>/<procedure>?input=<url-encoded JSON>`; `credential` null sends none. */
function get(procedure: string, input: unknown, credential: string | null = apiKey) {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return fetch(`${gw.url}/${procedure}${query}`, {
    headers: credential ? { authorization: `Bearer ${credential}` } : {},
  });
}

/** Reads an error answer and checks its envelope against ErrorEnvelope.schema.json. */
async function errorOf(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as {
    error: {
      message: string;
      code: number;
      data: { code: string; httpStatus: number; path: string; handoff: unknown };
    };
  };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.data.httpStatus).toBe(response.status);
  expect(validateEnvelope(body.error.data.handoff)).toBe(true);
  return body.error;
}

describe('a plain HTTP/JSON copilot', () => {
  test('validates the plan with Ajv against the committed JSON Schema', () => {
    const plan = JSON.parse(planJson);
    expect(validatePlan(plan)).toBe(true);
    plan.options[0].budget.amount.amountMinor = 560.5;
    expect(validatePlan(plan)).toBe(false);
    expect(validatePlan.errors?.[0]?.instancePath).toBe('/options/0/budget/amount/amountMinor');
  });

  test('submits, reads, dry-runs and cancels with POST and GET', async () => {
    const plan = JSON.parse(planJson);
    expect(validatePlan(plan)).toBe(true);

    const submitted = await post('plans.submit', { plan });
    expect(submitted.status).toBe(200);
    expect(submitted.headers.get('content-type')).toMatch(/^application\/json/);
    const { result } = (await submitted.json()) as { result: { data: Record<string, unknown> } };
    expect(result.data).toMatchObject({
      planId: plan.planId,
      state: 'awaiting_approval',
      created: true,
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });

    const read = await get('plans.get', { planId: plan.planId });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({
      result: { data: { planId: plan.planId, state: 'awaiting_approval' } },
    });

    const dry = await post('plans.dryRun', {
      plan: { ...plan, planId: '01a1fd51-16d9-7c3a-9b2e-0000000000aa' },
    });
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({
      result: { data: { evaluation: expect.any(Object) } },
    });

    const cancelled = await post('plans.cancel', { planId: plan.planId, reason: 'Superseded' });
    expect(await cancelled.json()).toMatchObject({ result: { data: { state: 'cancelled' } } });

    const health = await get('health', undefined, null);
    expect(await health.json()).toMatchObject({ result: { data: { status: 'ok' } } });
  });

  test('gets the error envelope with the HTTP status of its code', async () => {
    const plan = JSON.parse(planJson);
    plan.planId = '01a1fd51-16d9-7c3a-9b2e-0000000000bb';
    plan.options[0].actions[0].estimatedCost.amountMinor = 50_000;
    // Valid for the JSON Schema: the cross-field rule "actions within budget" is the gateway's (and zod's) alone.
    expect(validatePlan(plan)).toBe(true);
    const refused = await post('plans.submit', { plan });
    expect(refused.status).toBe(400);
    expect(await errorOf(refused)).toEqual({
      message: expect.any(String),
      code: -32600,
      data: {
        code: 'BAD_REQUEST',
        httpStatus: 400,
        path: 'plans.submit',
        handoff: {
          protocolVersion: HANDOFF_PROTOCOL_VERSION,
          kind: 'ErrorEnvelope',
          code: 'VALIDATION_FAILED',
          message: expect.any(String),
          issues: [
            {
              path: '/options/0/budget/amount/amountMinor',
              code: 'ACTIONS_EXCEED_BUDGET',
              message: expect.any(String),
            },
          ],
        },
      },
    });

    const anonymous = await get('plans.get', { planId: plan.planId }, null);
    expect(anonymous.status).toBe(401);
    expect((await errorOf(anonymous)).data.handoff).toMatchObject({ code: 'UNAUTHENTICATED' });

    const unknown = await get('plans.get', { planId: plan.planId });
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).data.handoff).toMatchObject({ code: 'NOT_FOUND' });

    const badInput = await post('plans.cancel', { planId: 'not-an-id', reason: 'x' });
    expect(badInput.status).toBe(400);
    expect((await errorOf(badInput)).data.handoff).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: '/planId', code: 'INVALID_FORMAT' }],
    });

    const wrongMethod = await get('plans.submit', { plan });
    expect(wrongMethod.status).toBe(405);
    expect((await errorOf(wrongMethod)).data.handoff).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
