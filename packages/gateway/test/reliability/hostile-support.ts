import { expect } from 'vitest';
import { GATEWAY_ERROR_CODES } from '../../src/errors.js';
import { type HttpGateway, type RawAnswer, rawCall } from '../http/http-fixture.js';
import { snapshot } from '../pipeline/helpers.js';
import type { Tally } from './tally.js';

/** A request body as sent on the wire: JSON text, or raw bytes (for invalid UTF-8). */
export type WireBody = string | Uint8Array<ArrayBuffer>;

/** Posts `body` to `plans.submit` as acme's copilot. */
export function submitRaw(
  gw: HttpGateway,
  body: WireBody,
  contentType?: string,
): Promise<RawAnswer> {
  return rawCall(gw.url, 'plans.submit', {
    type: 'mutation',
    body,
    credential: gw.callers.acme.copilot.apiKey,
    ...(contentType ? { contentType } : {}),
  });
}

/** `{"plan": <planJson>}` as JSON text, with the plan given as JSON text (so hostile keys survive verbatim). */
export function submitBody(planJson: string): string {
  return `{"plan":${planJson}}`;
}

/** The gateway answers `health` with 200 and status ok. */
export async function expectServing(gw: HttpGateway): Promise<void> {
  const health = await rawCall(gw.url, 'health', { type: 'query' });
  expect(health.status).toBe(200);
  expect(health.body).toMatchObject({ result: { data: { status: 'ok' } } });
}

/** Nothing on `Object.prototype` that a hostile body may have tried to plant. */
export function expectPrototypeClean(): void {
  const probe: Record<string, unknown> = {};
  for (const key of ['polluted', 'isAdmin', 'roles']) {
    expect(probe[key], `Object.prototype.${key}`).toBeUndefined();
  }
}

/**
 * Sends one hostile body and expects a structured refusal: a 4xx status (never 5xx), a valid `ErrorEnvelope`
 * whose code is a gateway code (one of `codes` when given) with issues when `withIssues`, no row written
 * anywhere (plans, lineage, ledger, payloads, outbox, approvals, caps, controls), and the gateway still serving.
 */
export async function expectRefusedUnchanged(
  gw: HttpGateway,
  t: Tally,
  send: () => Promise<RawAnswer>,
  expected: { codes?: readonly string[]; withIssues?: boolean; label?: string } = {},
): Promise<RawAnswer> {
  t.tried();
  const before = snapshot(gw);
  const answer = await send();
  const label = expected.label ?? 'hostile body';
  expect(answer.status, label).toBeGreaterThanOrEqual(400);
  expect(answer.status, label).toBeLessThan(500);
  expect(answer.envelope, label).toBeDefined();
  const code = answer.envelope?.code ?? '';
  expect(GATEWAY_ERROR_CODES, label).toContain(code);
  if (expected.codes) expect(expected.codes, label).toContain(code);
  if (expected.withIssues) expect(answer.envelope?.issues.length, label).toBeGreaterThan(0);
  expect(snapshot(gw), label).toEqual(before);
  expectPrototypeClean();
  await expectServing(gw);
  t.held();
  return answer;
}
