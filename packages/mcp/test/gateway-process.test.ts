import { planId, signPlan } from '@handoff/copilot-adapter';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  freshPlan,
  type GatewayProcess,
  HANDOFF_BIN,
  MCP_BIN,
  REPO_ROOT,
  SOURCE_NODE_ARGS,
  startGatewayProcess,
} from './support/gateway-process.js';

const TIMEOUT = 90_000;
let proc: GatewayProcess;
beforeAll(async () => {
  proc = await startGatewayProcess();
}, TIMEOUT);
afterAll(async () => {
  expect(await proc?.stop()).toBe(0);
}, TIMEOUT);

/** The environment of a stdio server: the API key, and the copilot key file when `signing`. */
function stdioEnv(signing: boolean): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    HANDOFF_API_KEY: proc.folder.apiKey.copilot,
    ...(signing ? { HANDOFF_COPILOT_KEY_FILE: proc.copilotKeyFile } : {}),
  };
}

async function stdioClient(bin: string, args: string[], signing: boolean) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...SOURCE_NODE_ARGS, bin, ...args, '--gateway', proc.gw.url],
    env: stdioEnv(signing),
    cwd: REPO_ROOT,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'stdio-agent', version: '3.1.4' });
  await client.connect(transport);
  return client;
}

type Structured = { ok: boolean; plan?: { state: string; planId: string }; hints?: unknown };

describe('against a real gateway process (provenance required)', () => {
  test(
    'stdio (handoff-mcp): the server signs with the copilot key file; the lineage names the MCP client',
    async () => {
      const client = await stdioClient(MCP_BIN, [], true);
      try {
        const plan = { ...freshPlan(), planId: planId() };
        const result = await client.callTool({ name: 'handoff_submit_plan', arguments: { plan } });
        expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
        expect((result.structuredContent as Structured).plan?.state).toBe('awaiting_approval');
        const [received] = (await proc.eventData(plan.planId, 'plan.received')) as {
          provenance: { kid: string };
          submittedVia: { client: unknown; sessionId: string };
        }[];
        // The arrival records the verified signature's key (`data.provenance`).
        expect(received?.provenance.kid).toBe(proc.copilotKey.kid);
        expect(received?.submittedVia.client).toEqual({ name: 'stdio-agent', version: '3.1.4' });
        expect(received?.submittedVia.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      } finally {
        await client.close();
      }
    },
    TIMEOUT,
  );

  test(
    'stdio without a signing key: the refusal says a signature is required, as a tool result',
    async () => {
      const client = await stdioClient(MCP_BIN, [], false);
      try {
        const plan = { ...freshPlan(), planId: planId() };
        const result = await client.callTool({ name: 'handoff_submit_plan', arguments: { plan } });
        expect(result.isError).toBe(true);
        expect(JSON.stringify(result.structuredContent)).toContain('PROVENANCE_REQUIRED');
        expect(await proc.eventData(plan.planId, 'plan.received')).toEqual([]);
      } finally {
        await client.close();
      }
    },
    TIMEOUT,
  );

  test(
    '`handoff mcp --gateway` (the gateway CLI) serves the same tools',
    async () => {
      const client = await stdioClient(HANDOFF_BIN, ['mcp'], true);
      try {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toContain('handoff_get_caps');
        const caps = await client.callTool({ name: 'handoff_get_caps', arguments: {} });
        const [cap] = (caps.structuredContent as { caps: { usage: { headroom: unknown } }[] }).caps;
        expect(cap?.usage.headroom).toMatchObject({ currency: 'EUR' });
      } finally {
        await client.close();
      }
    },
    TIMEOUT,
  );

  test(
    "Streamable HTTP at /mcp: a plan the model signed itself is handed off under the API key's identity",
    async () => {
      const transport = new StreamableHTTPClientTransport(new URL(`${proc.gw.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${proc.folder.apiKey.copilot}` } },
      });
      const client = new Client({ name: 'http-agent', version: '1.0.0' });
      await client.connect(transport);
      try {
        const plan = { ...freshPlan(), planId: planId() };
        const signature = await signPlan(plan, proc.copilotKey.privateJwk);
        const result = await client.callTool({
          name: 'handoff_submit_plan',
          arguments: { plan, signature },
        });
        expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
        expect((result.structuredContent as Structured).plan).toMatchObject({
          planId: plan.planId,
          state: 'awaiting_approval',
        });
        const [received] = (await proc.eventData(plan.planId, 'plan.received')) as {
          submittedVia: { sessionId: string };
        }[];
        expect(received?.submittedVia.sessionId).toBe(transport.sessionId);
      } finally {
        await client.close();
      }
    },
    TIMEOUT,
  );
});
