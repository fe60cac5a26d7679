import { readFileSync } from 'node:fs';
import { handoffPlanJsonSchema, planId } from '@handoff/copilot-adapter';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serveGateway } from '../../copilot-adapter/test/support/gateway.js';
import { fixturePlan, fixturePolicy } from '../../gateway/test/support/harness.js';
import { EXAMPLE_URI_PREFIX, PLAN_SCHEMA_URI, POLICY_SUMMARY_URI } from '../src/resources.js';
import { createHandoffMcpServer } from '../src/server.js';

let gw: Awaited<ReturnType<typeof serveGateway>>;
let client: Client;
beforeAll(async () => {
  gw = await serveGateway();
  const server = createHandoffMcpServer({
    gatewayUrl: gw.url,
    credential: gw.harness.callers.copilot.apiKey,
    sessionId: () => 'resources-session',
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  client = new Client({ name: 'reader', version: '1.0.0' });
  await client.connect(clientSide);
});
afterAll(async () => {
  await client.close();
  await gw.close();
});

function textOf(result: { contents: object[] }): string {
  const [first] = result.contents;
  if (!first || !('text' in first) || typeof first.text !== 'string') {
    throw new Error('not a text resource');
  }
  return first.text;
}

describe('resources', () => {
  test("the HandoffPlan JSON Schema is the contract's", async () => {
    const read = await client.readResource({ uri: PLAN_SCHEMA_URI });
    expect(JSON.parse(textOf(read))).toEqual(handoffPlanJsonSchema());
  });

  test('every valid conformance example is listed and reads as the shipped file', async () => {
    const { resources } = await client.listResources();
    const examples = resources.filter((r) => r.uri.startsWith(EXAMPLE_URI_PREFIX));
    expect(examples.map((r) => r.uri)).toContain(`${EXAMPLE_URI_PREFIX}minimal-single-option.json`);
    const uri = `${EXAMPLE_URI_PREFIX}retention-winback.json`;
    const file = new URL(
      '../../protocol/conformance/v1/HandoffPlan/valid/retention-winback.json',
      import.meta.url,
    );
    expect(textOf(await client.readResource({ uri }))).toBe(readFileSync(file, 'utf8'));
  });

  test("the policy summary is the gateway's policy.get: each rule's type, enforcement and settings", async () => {
    const summary = JSON.parse(textOf(await client.readResource({ uri: POLICY_SUMMARY_URI }))) as {
      policySetId: string;
      policyVersion: string;
      rules: { id: string; type: string; enforcement: string; settings: Record<string, unknown> }[];
      shadow: unknown;
    };
    const health = (await (await fetch(`${gw.url}/health`)).json()) as {
      result: { data: { policyVersion: string } };
    };
    expect(summary.policyVersion).toBe(health.result.data.policyVersion);
    expect(summary.policySetId).toBe(fixturePolicy().id);
    expect(summary.rules.map((r) => [r.id, r.type])).toEqual(
      fixturePolicy().rules.map((r) => [r.id, r.type]),
    );
    const threshold = summary.rules.find((r) => r.type === 'approval_threshold');
    expect(threshold?.settings).toMatchObject({ spendAtLeast: expect.any(Array) });
    expect(threshold?.settings).not.toHaveProperty('id');
    expect(summary.shadow).toBeNull();
  });

  test('an unknown resource, or an example name outside the folder, is a protocol error', async () => {
    await expect(client.readResource({ uri: 'handoff://nope' })).rejects.toThrow(
      /Unknown resource/,
    );
    await expect(
      client.readResource({ uri: `${EXAMPLE_URI_PREFIX}../invalid/money-negative.json` }),
    ).rejects.toThrow(/Unknown resource/);
  });
});

describe('the write-plan prompt', () => {
  test('teaches the contract and the handoff steps, with the goal and tenant given', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['handoff_write_plan']);
    const prompt = await client.getPrompt({
      name: 'handoff_write_plan',
      arguments: { goal: 'win back lapsed savers', tenantId: 'acme-bank' },
    });
    const [first] = prompt.messages;
    const text = first?.content.type === 'text' ? first.content.text : '';
    expect(text).toContain('win back lapsed savers');
    expect(text).toContain('"acme-bank"');
    expect(text).toMatch(/minor units/);
    expect(text).toMatch(/never in this conversation/);
    expect(text).toContain('handoff_get_plan');
  });
});

describe('tools without a plan to hand off', () => {
  test('handoff_get_caps answers each cap with its headroom', async () => {
    const result = await client.callTool({ name: 'handoff_get_caps', arguments: {} });
    const caps = (
      result.structuredContent as { caps: { capId: string; usage: { headroom: unknown } }[] }
    ).caps;
    expect(caps.find((c) => c.capId === 'tenant-month')?.usage.headroom).toEqual({
      amountMinor: 100_000_000,
      currency: 'EUR',
    });
  });

  test('handoff_dry_run_plan evaluates without recording', async () => {
    const plan = { ...fixturePlan(), planId: planId() };
    const result = await client.callTool({ name: 'handoff_dry_run_plan', arguments: { plan } });
    const dry = result.structuredContent as {
      ok: boolean;
      result: { planId: string; evaluation: unknown };
    };
    expect(dry.ok).toBe(true);
    expect(dry.result.planId).toBe(plan.planId);
    const get = await client.callTool({
      name: 'handoff_get_plan',
      arguments: { planId: plan.planId },
    });
    expect(get.isError).toBe(true);
    expect((get.structuredContent as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  test('arguments that miss the plan or carry a bad planId are refused before the gateway, with paths', async () => {
    const missing = await client.callTool({ name: 'handoff_submit_plan', arguments: {} });
    expect(missing.isError).toBe(true);
    expect(missing.structuredContent).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', issues: [{ path: '/plan', code: 'REQUIRED' }] },
    });
    const bad = await client.callTool({ name: 'handoff_get_plan', arguments: { planId: 'nope' } });
    expect(bad.structuredContent).toMatchObject({ error: { issues: [{ path: '/planId' }] } });
  });

  test('an unknown tool is a protocol error, not a tool result', async () => {
    await expect(client.callTool({ name: 'handoff_approve', arguments: {} })).rejects.toThrow(
      /Unknown tool/,
    );
  });
});
