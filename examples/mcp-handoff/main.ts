/**
 * An MCP-connected agent hands a plan off through the gateway (`pnpm --filter @handoff/examples run mcp`).
 *
 * A scripted MCP client (the official MCP TypeScript SDK's `Client`, standing in for an LLM agent) starts
 * `handoff-mcp` over stdio. The MCP server holds the copilot's API key and signing key; the agent never sees
 * either. The agent discovers the tools, the prompt, the schema and its budget headroom, then submits a plan with
 * two typical model mistakes. The refusal is a tool result carrying the error envelope and hints. The agent
 * repairs the plan from those hints alone and hands it off. The plan waits for two people, who approve on their
 * own surface, never in the chat, while the agent polls. The lineage records which MCP client and session
 * submitted the plan, and the copilot key that signed it. Exits 0 only if every expectation held.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanView } from '@handoff/gateway';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Expectations, writeStoryReport } from '../shared/expectations.js';
import { SkipClock } from '../shared/skip-clock.js';
import { monthlyEurCap, REPO_ROOT, startStoryGateway } from '../shared/story-gateway.js';
import { detail, formatMoney, heading } from '../shared/terminal.js';
import { draftPlan, type Refusal, repairFromRefusal } from './agent.js';

const TENANT = 'acme-bank';
const started = performance.now();
const checks = new Expectations();
const clock = new SkipClock();

heading('1. A gateway, and the MCP server beside the agent');
const gw = await startStoryGateway({
  story: 'mcp-handoff',
  gatewayId: 'gw-mcp-demo',
  tenantId: TENANT,
  policyFile: join(import.meta.dirname, 'policy.yaml'),
  caps: [monthlyEurCap({ capId: 'tenant-month', tenantId: TENANT, limitMinor: 100_000 })],
  approvers: {
    finance: { sub: 'f.costa@bank.example', role: 'finance' },
    marketing: { sub: 'm.rita@bank.example', role: 'marketing_lead' },
  },
  clock,
  adapters: [],
  fetch,
});
// The copilot's signing key, for the MCP server only (the gateway holds its public half).
const copilotKeyFile = join(gw.dir, 'keys', 'copilot.private.jwk.json');
writeFileSync(copilotKeyFile, JSON.stringify(gw.copilotKey.privateJwk), { mode: 0o600 });
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [
    '--conditions=@handoff/source',
    '--import',
    'tsx',
    join(REPO_ROOT, 'packages', 'mcp', 'bin', 'handoff-mcp.mjs'),
    '--gateway',
    gw.url,
  ],
  cwd: REPO_ROOT,
  env: {
    PATH: process.env.PATH ?? '',
    HANDOFF_API_KEY: gw.apiKeys.copilot,
    HANDOFF_COPILOT_KEY_FILE: copilotKeyFile,
  },
});
const agent = new Client({ name: 'scripted-agent', version: '1.0.0' });
await agent.connect(transport);
detail(`handoff-mcp --gateway ${gw.url} (stdio), as MCP client "scripted-agent"`);

heading('2. The agent discovers what it may do');
const { tools } = await agent.listTools();
const names = tools.map((t) => t.name).sort();
detail(`tools: ${names.join(', ')}`);
checks.check(
  names.join() ===
    'handoff_dry_run_plan,handoff_get_caps,handoff_get_plan,handoff_list_plans,handoff_submit_plan',
  'five tools, each with input and output JSON Schemas; none of them approves',
  names.join(),
);
const prompt = await agent.getPrompt({
  name: 'handoff_write_plan',
  arguments: { goal: 'call clients whose previous campaign succeeded', tenantId: TENANT },
});
const first = prompt.messages[0]?.content;
checks.check(
  first?.type === 'text' && /minor units/.test(first.text),
  'the prompt teaches the contract (money in minor units, RFC 3339 UTC, a new planId per plan)',
);
const caps = (await agent.callTool({ name: 'handoff_get_caps', arguments: {} }))
  .structuredContent as { caps: { capId: string; usage: { headroom: { amountMinor: number } } }[] };
const headroomBefore = caps.caps[0]?.usage.headroom.amountMinor ?? -1;
detail(`headroom on tenant-month: ${formatMoney(headroomBefore, 'EUR')}`);
checks.check(headroomBefore === 100_000, 'the whole EUR 1,000.00 monthly cap is headroom');

heading('3. A first draft, refused with hints');
const draft = draftPlan(clock.now());
const refused = await agent.callTool({ name: 'handoff_submit_plan', arguments: { plan: draft } });
const refusal = refused.structuredContent as Refusal;
for (const issue of refusal.hints.issues) detail(`${issue.path}: ${issue.code}. ${issue.hint}`);
checks.check(
  refused.isError === true && refusal.error.code === 'VALIDATION_FAILED',
  'the refusal is a tool result (isError) with the VALIDATION_FAILED envelope',
);
const codes = refusal.hints.issues.map((i) => `${i.path} ${i.code}`).sort();
checks.check(
  codes.join() ===
    '/createdAt INVALID_FORMAT,/options/0/budget/amount/amountMinor MONEY_NOT_INTEGER',
  'each mistake is named by its JSON Pointer and code, with a hint',
  codes.join(),
);
const draftId = (draft as { planId: string }).planId;
const recorded = await gw.api.auditor.lineage.query.query({ planId: draftId });
checks.check(recorded.items.length === 0, 'nothing of the refused draft was recorded');

heading('4. Repaired from the hints, checked, handed off');
const repair = repairFromRefusal(draft, refusal);
detail(`fixed: ${repair.fixed.join('; ')}`);
checks.check(
  repair.unfixed.length === 0,
  'the hints were enough to fix every issue',
  repair.unfixed.join(),
);
const dry = (
  await agent.callTool({ name: 'handoff_dry_run_plan', arguments: { plan: repair.plan } })
).structuredContent as {
  ok: boolean;
  result?: { evaluation: { options: Record<string, { outcome: string }> } };
};
const outcome = Object.values(dry.result?.evaluation.options ?? {})[0]?.outcome;
detail(`dry run: ${outcome}`);
checks.check(outcome === 'require_approval', 'the dry run says two approvals will be needed');
const submitted = await agent.callTool({
  name: 'handoff_submit_plan',
  arguments: { plan: repair.plan },
});
const view = (submitted.structuredContent as { plan: PlanView }).plan;
detail(`submitted ${view.planId}: ${view.state}`);
checks.check(
  !submitted.isError && view.state === 'awaiting_approval',
  'the submission answers the plan state at once: awaiting_approval',
);

heading('5. What the lineage says about how it came in');
const events = await gw.api.auditor.lineage.query.query({ planId: view.planId });
const received = events.items.find((e) => e.type === 'plan.received');
const via = received?.data.submittedVia as
  | { client: { name: string; version: string }; sessionId: string }
  | undefined;
detail(`submittedVia: ${JSON.stringify(via)}`);
checks.check(
  via?.client.name === 'scripted-agent' && /^[0-9a-f-]{36}$/.test(via.sessionId),
  'plan.received names the MCP client (its own label) and the session',
);
const verified = events.items.find((e) => e.type === 'plan.received')?.data.provenance as
  | { kid?: string }
  | undefined;
checks.check(
  verified?.kid === gw.copilotKey.kid,
  'the plan carries the copilot signature the MCP server made with the key it holds',
);

heading("6. Approved on the approvers' surface while the agent polls");
const poll = async () =>
  (
    (await agent.callTool({ name: 'handoff_get_plan', arguments: { planId: view.planId } }))
      .structuredContent as { plan: PlanView }
  ).plan;
checks.check((await poll()).state === 'awaiting_approval', 'polling: still awaiting approval');
const maxSpend = { amountMinor: 64_500, currency: 'EUR' } as const;
for (const who of ['finance', 'marketing']) {
  const token = await gw.sign(view, who, maxSpend);
  await gw.api.approverDesk.approvals.submit.mutate({ token });
  detail(`${who} approved at the approvals desk`);
}
const decided = await poll();
detail(`polling: ${decided.state}`);
checks.check(decided.state === 'approved', 'polling: approved, by two people outside the chat');
const after = (await agent.callTool({ name: 'handoff_get_caps', arguments: {} }))
  .structuredContent as typeof caps;
const headroomAfter = after.caps[0]?.usage.headroom.amountMinor ?? -1;
detail(`headroom now: ${formatMoney(headroomAfter, 'EUR')}`);
checks.check(headroomAfter === 100_000 - 64_500, 'the plan holds its EUR 645.00 against the cap');

heading('7. The same server at /mcp on the gateway, behind its authentication');
const anonymous = await fetch(`${gw.url}/mcp`, { method: 'POST', body: '{}' });
checks.check(anonymous.status === 401, 'without a credential: 401', String(anonymous.status));
const http = new Client({ name: 'http-agent', version: '1.0.0' });
await http.connect(
  new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${gw.apiKeys.copilot}` } },
  }),
);
const listed = await http.callTool({ name: 'handoff_list_plans', arguments: {} });
const items = (listed.structuredContent as { page: { items: { planId: string }[] } }).page.items;
checks.check(
  items.some((p) => p.planId === view.planId),
  'with the copilot key over Streamable HTTP: the same tools, the same plans',
);
await http.close();

await agent.close();
await gw.stop();
process.exitCode = writeStoryReport({
  story: 'mcp-handoff',
  dir: gw.dir,
  startedAt: started,
  checks,
  facts: { planId: view.planId, submittedVia: via, fixed: repair.fixed },
});
