import { afterEach, describe, expect, test } from 'vitest';
import type { GatewayLogger } from '../../src/logger.js';
import { type RunningGateway, startGateway } from '../../src/runtime.js';
import { createHarness, fixturePlan, type Harness } from '../support/harness.js';
import { httpClient, refusal } from './http-fixture.js';

let h: Harness;
let running: RunningGateway | undefined;
afterEach(async () => {
  // Stopping the running gateway also closes its runtime (the harness's).
  if (running) await running.stop();
  else await h?.close();
  running = undefined;
});

/** A logger that keeps every entry, to assert what a gateway logs and what it never logs. */
function capture() {
  const entries: { level: string; facts: Record<string, unknown>; message: string }[] = [];
  const at =
    (level: string) =>
    (facts: Record<string, unknown>, message: string): void => {
      entries.push({ level, facts, message });
    };
  const logger: GatewayLogger = { info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, entries };
}

describe('what a running gateway logs', () => {
  test('refused requests are logged with procedure and code, never the credential or the plan', async () => {
    h = await createHarness();
    const { logger, entries } = capture();
    running = await startGateway(h.runtime, { logger });
    const secret = 'hk_this-is-not-a-valid-key-0123456789';
    const stranger = httpClient(running.server.url, secret);
    expect(await refusal(stranger.plans.list.query({}))).toMatchObject({ status: 401 });
    const copilot = httpClient(running.server.url, h.callers.copilot.apiKey);
    const plan = fixturePlan();
    plan.tenantId = 'globex';
    expect(await refusal(copilot.plans.submit.mutate({ plan }))).toMatchObject({ status: 403 });

    // The refused submission is also a decision-log line (`event`), before tRPC reports the request refused.
    expect(entries.map((e) => [e.level, e.facts.path ?? e.facts.event, e.facts.code])).toEqual([
      ['warn', 'plans.list', 'UNAUTHORIZED'],
      ['warn', 'plan.submission_refused', 'FORBIDDEN'],
      ['warn', 'plans.submit', 'FORBIDDEN'],
    ]);
    expect(entries.every((e) => typeof e.facts.requestId === 'string')).toBe(true);
    const logged = JSON.stringify(entries);
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain(h.callers.copilot.apiKey);
    expect(logged).not.toContain(plan.planId);
  });
});
