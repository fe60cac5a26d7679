import { planId } from '@handoff/copilot-adapter';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serveGateway } from '../../copilot-adapter/test/support/gateway.js';
import { fixturePlan } from '../../gateway/test/support/harness.js';
import { createHandoffMcpServer } from '../src/server.js';

type Served = Awaited<ReturnType<typeof serveGateway>>;
let gw: Served;

/** An official MCP client linked in memory to a server for the copilot caller, as client `name`. */
async function inMemoryClient(name: string, sessionId = 'mem-session-1') {
  const server = createHandoffMcpServer({
    gatewayUrl: gw.url,
    credential: gw.harness.callers.copilot.apiKey,
    sessionId: () => sessionId,
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name, version: '9.9.9' });
  await client.connect(clientSide);
  return { client, sessionId: () => sessionId };
}

/** An official MCP client over Streamable HTTP to the gateway's `/mcp`, with `apiKey`. */
async function httpClient(apiKey: string) {
  const transport = new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${apiKey}` } },
  });
  const client = new Client({ name: 'http-agent', version: '1.0.0' });
  await client.connect(transport);
  return { client, sessionId: () => transport.sessionId };
}

async function receivedEvent(planId: string) {
  const events = await gw.harness.runtime.store.queryLineage({
    tenantId: 'acme-bank',
    planId,
    types: ['plan.received'],
    limit: 1,
  });
  return events[0];
}

describe.each([
  ['in memory', 'mem-agent', () => inMemoryClient('mem-agent')],
  ['Streamable HTTP at /mcp', 'http-agent', () => httpClient(gw.harness.callers.copilot.apiKey)],
])('the MCP server over %s', (_name, clientName, connect) => {
  // A gateway per transport, so each starts from an empty lineage.
  beforeAll(async () => {
    gw = await serveGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  test('lists the five tools with object input and output schemas', async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'handoff_dry_run_plan',
      'handoff_get_caps',
      'handoff_get_plan',
      'handoff_list_plans',
      'handoff_submit_plan',
    ]);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
    }
    const submit = tools.find((t) => t.name === 'handoff_submit_plan');
    expect(submit?.inputSchema.required).toEqual(['plan']);
    await client.close();
  });

  test('a refused plan is a tool result with the envelope and hints; the repaired plan is handed off', async () => {
    const { client, sessionId } = await connect();
    const plan = { ...fixturePlan(), planId: planId() };
    const broken = structuredClone(plan) as unknown as {
      options: { budget: { amount: { amountMinor: number } } }[];
    };
    (
      broken.options[0] as { budget: { amount: { amountMinor: number } } }
    ).budget.amount.amountMinor = 645.5;
    const refused = await client.callTool({
      name: 'handoff_submit_plan',
      arguments: { plan: broken },
    });
    expect(refused.isError).toBe(true);
    const refusal = refused.structuredContent as {
      ok: boolean;
      error: { code: string };
      hints: { issues: { path: string; code: string; hint: string }[] };
      repairPrompt: string;
    };
    expect(refusal.ok).toBe(false);
    expect(refusal.error.code).toBe('VALIDATION_FAILED');
    const issue = refusal.hints.issues.find((i) => i.code === 'MONEY_NOT_INTEGER');
    expect(issue?.path).toBe('/options/0/budget/amount/amountMinor');
    expect(issue?.hint).toMatch(/minor units/);
    expect(refusal.repairPrompt).toContain('/options/0/budget/amount/amountMinor');
    // Nothing was recorded for the refused plan.
    expect(await receivedEvent(plan.planId)).toBeUndefined();

    const accepted = await client.callTool({ name: 'handoff_submit_plan', arguments: { plan } });
    expect(accepted.isError).toBeFalsy();
    const view = (
      accepted.structuredContent as { plan: { planId: string; state: string; created: boolean } }
    ).plan;
    expect(view).toMatchObject({ planId: plan.planId, state: 'awaiting_approval' });

    const polled = await client.callTool({
      name: 'handoff_get_plan',
      arguments: { planId: plan.planId },
    });
    expect((polled.structuredContent as { plan: { state: string } }).plan.state).toBe(
      'awaiting_approval',
    );
    // The lineage names the MCP client (its own label) and the session that submitted.
    const received = await receivedEvent(plan.planId);
    expect(received?.data.submittedVia).toEqual({
      channel: 'mcp',
      client: { name: clientName, version: clientName === 'mem-agent' ? '9.9.9' : '1.0.0' },
      sessionId: sessionId(),
    });
    expect(sessionId()).toMatch(/\S/);
    const listed = await client.callTool({ name: 'handoff_list_plans', arguments: {} });
    const items = (listed.structuredContent as { page: { items: { planId: string }[] } }).page
      .items;
    expect(items.map((i) => i.planId)).toContain(plan.planId);
    await client.close();
  });
});
