/**
 * Turns an HTTP.md example into a real request against the test gateway: fills in the placeholders a reader
 * supplies (API keys by role, the plan shown for `plans.submit`, a signed approval token) and first brings the
 * gateway to the state the example's prose describes (a second plan to cancel; the first plan approved and its
 * actions dispatched to adapters this gateway does not have, so they are dead letters; the lineage sequenced into
 * its transparency log, a first signed tree head of 1 event and then one of everything; a console session of
 * fiona.finance for the `session.*` examples).
 */
import { generateSigningKeyPair, importCheckpointKey, Sequencer } from '@handoff/gateway';
import { parseDocument } from '@handoff/protocol';
import type { JWK } from 'jose';
import type { ServedGateway } from './gateway.js';
import type { HttpDocExample } from './http-doc.js';

/** The served gateway and every example of HTTP.md (the plan of `plans.submit` is read from them). */
export interface Scenario {
  gw: ServedGateway;
  examples: readonly HttpDocExample[];
  /** fiona.finance's console session, opened in process for `session.get` and `session.signOut`. */
  session?: { id: string; csrfToken: string };
}

/** The planId of the second plan, the one `plans.cancel` cancels. */
export const SECOND_PLAN_ID = '01a1fd51-16d9-7c3a-9b2e-0000000000cc';

const CALLER_PLACEHOLDER = /^Bearer <(copilot|approver|operator|auditor) API key>$/;

/**
 * The console session of the examples: the gateway opens one when a passkey signs in (`session.signIn`, a
 * WebAuthn ceremony HTTP.md cannot show); here it is opened in process, as a sign-in of fiona.finance would.
 */
async function consoleSession(scenario: Scenario): Promise<{ id: string; csrfToken: string }> {
  if (!scenario.session) {
    const { id, session } = await scenario.gw.harness.gateway.console.context.sessions.open({
      tenantId: 'acme-bank',
      subject: 'fiona.finance',
      access: ['approver'],
      approvalRoles: ['finance'],
    });
    scenario.session = { id, csrfToken: session.csrfToken };
  }
  return scenario.session;
}

/** A header value with the console session's placeholders (`<session id>`, `<CSRF token>`) filled in. */
async function sessionHeader(scenario: Scenario, value: string): Promise<string> {
  if (!value.includes('<session id>') && !value.includes('<CSRF token>')) return value;
  const { id, csrfToken } = await consoleSession(scenario);
  return value.replaceAll('<session id>', id).replaceAll('<CSRF token>', csrfToken);
}

/** The plan the `plans.submit` example sends (the `"<the plan above>"` of later examples). */
function documentedPlan(scenario: Scenario): Record<string, unknown> {
  const submit = scenario.examples.find((e) => e.procedure === 'plans.submit');
  if (!submit?.body) throw new Error('HTTP.md has no plans.submit example with a body');
  return (JSON.parse(submit.body) as { plan: Record<string, unknown> }).plan;
}

async function planView(scenario: Scenario, planId: string) {
  const { harness } = scenario.gw;
  return harness.gateway.getPlan(harness.callers.copilot.principal, planId);
}

/** An approval of the documented plan, signed by the harness key of `who`. */
async function approvalToken(scenario: Scenario, who: 'finance' | 'marketing'): Promise<string> {
  const { harness } = scenario.gw;
  const view = await planView(scenario, String(documentedPlan(scenario).planId));
  return who === 'finance'
    ? harness.sign(view, { key: harness.keys.finance, sub: 'fiona.finance', role: 'finance' })
    : harness.sign(view, { key: harness.keys.marketing, sub: 'mark.lead', role: 'marketing_lead' });
}

/** What the prose before an example says has happened, done in process. */
const GIVEN: Partial<Record<string, (scenario: Scenario) => Promise<void>>> = {
  'plans.cancel': async (scenario) => {
    const plan = parseDocument('HandoffPlan', {
      ...documentedPlan(scenario),
      planId: SECOND_PLAN_ID,
    });
    const { harness } = scenario.gw;
    await harness.gateway.submitPlan(harness.callers.copilot.principal, plan);
  },
  'lineage.treeHead': async (scenario) => {
    const { harness } = scenario.gw;
    const pair = await generateSigningKeyPair({ alg: 'EdDSA', kid: 'checkpoint-2026-11' });
    const key = await importCheckpointKey(pair.privateJwk as JWK);
    const options = { key, gatewayId: 'gw-docs', clock: harness.clock };
    await new Sequencer(harness.runtime.store, { ...options, maxBatch: 1 }).sequence();
    await new Sequencer(harness.runtime.store, options).sequenceAll();
  },
  'dispatch.list': async (scenario) => {
    const { harness } = scenario.gw;
    const token = await approvalToken(scenario, 'marketing');
    await harness.gateway.submitApproval(harness.callers.approver.principal, token);
    await harness.runtime.dispatcher.runDue();
  },
};

/** Replaces the placeholders of a request body by the values they stand for. */
async function filledBody(scenario: Scenario, body: string): Promise<string> {
  let filled = body.replaceAll('"<the plan above>"', JSON.stringify(documentedPlan(scenario)));
  if (filled.includes('"<approval token>"')) {
    filled = filled.replaceAll(
      '"<approval token>"',
      JSON.stringify(await approvalToken(scenario, 'finance')),
    );
  }
  const left = /<[^>]+>/.exec(filled);
  if (left) throw new Error(`unknown placeholder ${left[0]} in an HTTP.md example`);
  return filled;
}

/** The `fetch` arguments of `example`, once the state it assumes holds. */
export async function prepareExample(
  scenario: Scenario,
  example: HttpDocExample,
): Promise<{ url: string; init: RequestInit }> {
  await GIVEN[example.procedure]?.(scenario);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(example.headers)) {
    const caller = CALLER_PLACEHOLDER.exec(value)?.[1] as keyof ServedGateway['harness']['callers'];
    headers[name] = caller
      ? `Bearer ${scenario.gw.harness.callers[caller].apiKey}`
      : await sessionHeader(scenario, value);
  }
  const init: RequestInit = { method: example.method, headers };
  if (example.body !== undefined) init.body = await filledBody(scenario, example.body);
  return { url: `${scenario.gw.url}${example.target}`, init };
}
