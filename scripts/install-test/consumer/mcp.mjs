// The MCP step of the install test, in a scratch project that installed the packed tarballs and the official MCP
// SDK from the npm registry: an MCP client of the SDK lists the tools of @handoff/mcp and hands off a plan over
// stdio (the installed `handoff-mcp` bin, holding the copilot's API key and signing key) and over Streamable HTTP
// (the gateway's `/mcp`, the model signing itself). Prints one line per step; exits non-zero when one fails.
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { planId, planTimestamps, signPlan } from '@handoff/copilot-adapter';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestGateway } from './test-gateway.mjs';

function check(condition, what) {
  if (!condition) throw new Error(`install test (mcp): ${what}`);
  console.log(`  ok  ${what}`);
}

const TOOLS = [
  'handoff_dry_run_plan',
  'handoff_get_caps',
  'handoff_get_plan',
  'handoff_list_plans',
  'handoff_submit_plan',
];

const corpus = new URL(
  import.meta.resolve('@handoff/protocol/conformance/v1/HandoffPlan/valid/retention-winback.json'),
);
const corpusPlan = JSON.parse(await readFile(corpus, 'utf8'));
const freshPlan = () => ({
  ...corpusPlan,
  planId: planId(),
  ...planTimestamps({ ttlMs: 24 * 3600_000 }),
});
const copilotKey = generateKeyPairSync('ed25519');
const privateJwk = { ...copilotKey.privateKey.export({ format: 'jwk' }), kid: 'copilot-1' };
const { d: _private, ...publicJwk } = privateJwk;

/** Lists the tools and hands off `plan` (with `signature` when given); returns the plan view. */
async function handOff(client, transport, plan, signature) {
  const { tools } = await client.listTools();
  check(
    tools
      .map((t) => t.name)
      .sort()
      .join() === TOOLS.join(),
    `${transport}: tools/list names the five handoff tools`,
  );
  const args = signature ? { plan, signature } : { plan };
  const result = await client.callTool({ name: 'handoff_submit_plan', arguments: args });
  const view = result.structuredContent?.plan;
  check(
    !result.isError && view?.planId === plan.planId && view.state === 'approved',
    `${transport}: handoff_submit_plan handed the plan off (${view?.state ?? JSON.stringify(result.structuredContent)})`,
  );
  const read = await client.callTool({
    name: 'handoff_get_plan',
    arguments: { planId: plan.planId },
  });
  check(
    read.structuredContent?.plan?.digest === view.digest,
    `${transport}: handoff_get_plan reads it back`,
  );
}

const { running, apiKey } = await startTestGateway(corpusPlan, publicJwk);
try {
  // stdio: the installed bin, as an MCP host starts it; it signs with the key from its environment.
  const stdio = new StdioClientTransport({
    command: join(process.cwd(), 'node_modules', '.bin', 'handoff-mcp'),
    args: ['--gateway', running.server.url],
    env: {
      PATH: process.env.PATH ?? '',
      HANDOFF_API_KEY: apiKey,
      HANDOFF_COPILOT_PRIVATE_JWK: JSON.stringify(privateJwk),
    },
  });
  const overStdio = new Client({ name: 'install-test-stdio', version: '1.0.0' });
  await overStdio.connect(stdio);
  try {
    await handOff(overStdio, 'stdio', freshPlan());
  } finally {
    await overStdio.close();
  }

  // Streamable HTTP: the gateway's /mcp, behind its API key; the client signs the plan itself.
  const url = new URL(`${running.server.url}/mcp`);
  const refused = await fetch(url, { method: 'POST', body: '{}' });
  check(refused.status === 401, 'Streamable HTTP: /mcp without a credential is 401');
  const http = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: { authorization: `Bearer ${apiKey}` } },
  });
  const overHttp = new Client({ name: 'install-test-http', version: '1.0.0' });
  await overHttp.connect(http);
  try {
    const plan = freshPlan();
    await handOff(overHttp, 'Streamable HTTP', plan, await signPlan(plan, privateJwk));
  } finally {
    await overHttp.close();
  }
} finally {
  await running.stop();
}
console.log('mcp: every step held');
