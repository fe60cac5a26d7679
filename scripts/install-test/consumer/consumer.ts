// A TypeScript consumer, compiled by the install test with `strict` and no `skipLibCheck` against the `.d.ts`
// the tarballs ship (and those of their dependencies): every public entry point, and types flowing across them.
import {
  type AutomationAdapter,
  createWebhookAdapter,
  type ExecuteReceipt,
} from '@handoff/automation-adapter';
import {
  type ConformanceSubject,
  createWebhookFake,
  runAdapterConformance,
} from '@handoff/automation-adapter/testing';
import {
  HandoffClient,
  type HandoffClientError,
  planId,
  signPlan,
  validatePlan,
} from '@handoff/copilot-adapter';
import {
  createGatewayRuntime,
  type GatewayErrorCode,
  type PlanState,
  type PlanView,
  startGateway,
  validateConfig,
} from '@handoff/gateway';
import { createHandoffMcpServer, jwkSigner, type Refusal } from '@handoff/mcp';
import { type HandoffPlan, planDigest, safeParseDocumentJson } from '@handoff/protocol';
import type { HandoffPlan as GeneratedHandoffPlan } from '@handoff/protocol/types/v1';

export async function submitCorpusPlan(
  json: string,
  url: string,
  key: Parameters<typeof signPlan>[1],
): Promise<PlanState> {
  const parsed = safeParseDocumentJson('HandoffPlan', json);
  if (!parsed.success) throw parsed.error;
  const plan: HandoffPlan = { ...parsed.data, planId: planId() };
  const generated: GeneratedHandoffPlan = plan;
  const checked = validatePlan(generated);
  if (!checked.ok) return 'rejected';
  const digest: `sha256:${string}` = planDigest(checked.plan);
  const client = new HandoffClient({ url, credential: () => 'api-key' });
  const view = await client.submit(checked.plan, { signature: await signPlan(checked.plan, key) });
  const state: PlanState = view.state;
  return view.digest === digest ? state : 'rejected';
}

export function codeOf(error: HandoffClientError): GatewayErrorCode | string {
  return error.code;
}

export async function startInMemory(): Promise<() => Promise<void>> {
  const loaded = validateConfig({ gatewayId: 'gw', database: { path: ':memory:' } }, process.cwd());
  const running = await startGateway(await createGatewayRuntime(loaded));
  return () => running.stop();
}

export function registerConformance(subject: ConformanceSubject): void {
  runAdapterConformance(subject);
}

export const adapter: AutomationAdapter = createWebhookAdapter({
  signing: { scheme: 'v1', secret: 'whsec_' },
});
export const fake = createWebhookFake({ baseUrl: 'https://hooks.example.test', secret: 'whsec_' });
export type Receipt = ExecuteReceipt;
export type View = PlanView;

/** @handoff/mcp: one connection's MCP server, signing with a private JWK; its refusal shape. */
export async function mcpServer(url: string, key: Parameters<typeof jwkSigner>[0]): Promise<void> {
  const server = createHandoffMcpServer({
    gatewayUrl: url,
    credential: 'api-key',
    sessionId: () => 'session-1',
    signer: jwkSigner(key),
  });
  await server.close();
}
export type McpRefusal = Refusal;
