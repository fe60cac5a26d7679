import { encodeSubmittedVia, SUBMITTED_VIA_HEADER } from '@handoff/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixturePlan } from '../support/harness.js';
import { type HttpGateway, startHttpGateway } from './http-fixture.js';

let gw: HttpGateway;
beforeAll(async () => {
  gw = await startHttpGateway();
});
afterAll(async () => gw.close());

const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** An MCP `initialize` request body (JSON-RPC 2.0). */
const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'raw-test', version: '0.0.1' },
  },
});

function post(body: string, headers: Record<string, string>) {
  return fetch(`${gw.url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body });
}

async function receivedData(planId: string) {
  const [event] = await gw.store.queryLineage({
    tenantId: 'acme-bank',
    planId,
    types: ['plan.received'],
    limit: 1,
  });
  return event?.data;
}

describe('/mcp on the gateway', () => {
  test('without a credential: 401 with the UNAUTHENTICATED envelope, and no session is opened', async () => {
    const answer = await post(INITIALIZE, {});
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    expect(answer.headers.get('mcp-session-id')).toBeNull();
    expect(await answer.json()).toMatchObject({ kind: 'ErrorEnvelope', code: 'UNAUTHENTICATED' });
  });

  test('with a key of the gateway: a session opens; another caller cannot use it', async () => {
    const copilot = `Bearer ${gw.callers.acme.copilot.apiKey}`;
    const opened = await post(INITIALIZE, { authorization: copilot });
    expect(opened.status).toBe(200);
    const session = opened.headers.get('mcp-session-id');
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    const version = { 'mcp-protocol-version': '2025-06-18', 'mcp-session-id': session ?? '' };
    await post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), {
      authorization: copilot,
      ...version,
    });
    const own = await post(list, { authorization: copilot, ...version });
    expect(own.status).toBe(200);
    expect(JSON.stringify(await own.json())).toContain('handoff_submit_plan');
    const stranger = await post(list, {
      authorization: `Bearer ${gw.callers.globex.copilot.apiKey}`,
      ...version,
    });
    expect(stranger.status).toBe(404);
  });

  test('GET (a server-to-client stream) is refused with 405', async () => {
    const answer = await fetch(`${gw.url}/mcp`, {
      headers: {
        authorization: `Bearer ${gw.callers.acme.copilot.apiKey}`,
        accept: 'text/event-stream',
      },
    });
    expect(answer.status).toBe(405);
  });
});

describe(`the ${SUBMITTED_VIA_HEADER} header of plans.submit`, () => {
  const submit = (plan: unknown, headers: Record<string, string>) =>
    fetch(`${gw.url}/plans.submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ plan }),
    });

  test('a malformed value is VALIDATION_FAILED naming the accepted form, and nothing is recorded', async () => {
    const plan = { ...fixturePlan(), planId: '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e0001' };
    const answer = await submit(plan, {
      authorization: `Bearer ${gw.callers.acme.copilot.apiKey}`,
      [SUBMITTED_VIA_HEADER]: '{"channel":"mcp"}',
    });
    expect(answer.status).toBe(400);
    const body = (await answer.json()) as {
      error: { data: { handoff: { code: string; issues: { message: string }[] } } };
    };
    expect(body.error.data.handoff.code).toBe('VALIDATION_FAILED');
    expect(body.error.data.handoff.issues[0]?.message).toContain('sessionId');
    expect(await receivedData(plan.planId)).toBeUndefined();
  });

  test('a well-formed value is recorded as data.submittedVia of plan.received; without it, nothing is', async () => {
    const via = {
      channel: 'mcp' as const,
      client: { name: 'Agent “Ü”', version: '2.0' },
      sessionId: 's-1',
    };
    const labelled = { ...fixturePlan(), planId: '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e0002' };
    const answer = await submit(labelled, {
      authorization: `Bearer ${gw.callers.acme.copilot.apiKey}`,
      [SUBMITTED_VIA_HEADER]: encodeSubmittedVia(via),
    });
    expect(answer.status).toBe(200);
    expect((await receivedData(labelled.planId))?.submittedVia).toEqual(via);

    const plain = { ...fixturePlan(), planId: '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e0003' };
    expect(
      (await submit(plain, { authorization: `Bearer ${gw.callers.acme.copilot.apiKey}` })).status,
    ).toBe(200);
    expect(await receivedData(plain.planId)).not.toHaveProperty('submittedVia');
  });

  test('an unauthenticated request is refused as such whatever the header says', async () => {
    const answer = await submit(fixturePlan(), { [SUBMITTED_VIA_HEADER]: 'not json' });
    expect(answer.status).toBe(401);
  });
});
