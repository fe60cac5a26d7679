// A consumer's program in plain ESM JavaScript, run by the install test in a scratch project that installed the
// packed tarballs with npm: it uses each package only through its published entry points. Exits non-zero (an
// uncaught error) when anything does not hold; prints one line per step.
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ADAPTER_ERROR_CODES, createWebhookAdapter } from '@handoff/automation-adapter';
import {
  HandoffClient,
  planId,
  planTimestamps,
  signPlan,
  validatePlan,
} from '@handoff/copilot-adapter';
import { GATEWAY_ERROR_TABLE } from '@handoff/gateway';
import { safeParseDocumentJson } from '@handoff/protocol';
import { startTestGateway } from './test-gateway.mjs';

function check(condition, what) {
  if (!condition) throw new Error(`install test: ${what}`);
  console.log(`  ok  ${what}`);
}

// 1. @handoff/protocol: the conformance corpus it ships validates, and an invalid plan is refused with issues.
const corpus = (name) =>
  new URL(import.meta.resolve(`@handoff/protocol/conformance/v1/HandoffPlan/${name}`));
const valid = safeParseDocumentJson(
  'HandoffPlan',
  await readFile(corpus('valid/retention-winback.json')),
);
check(valid.success, 'protocol: the corpus plan retention-winback.json validates');
const corpusPlan = valid.data;
const broken = safeParseDocumentJson('HandoffPlan', JSON.stringify({ ...corpusPlan, planId: '' }));
check(
  !broken.success && broken.error.issues.length > 0,
  'protocol: a plan with an empty planId is refused',
);

// The OpenAPI document of the HTTP API ships with the protocol, and names every procedure of its wire API.
const openapi = JSON.parse(
  await readFile(new URL(import.meta.resolve('@handoff/protocol/openapi/handoff.openapi.json'))),
);
const { WIRE_PROCEDURES } = await import('@handoff/protocol');
check(
  openapi.openapi.startsWith('3.1') &&
    Object.keys(WIRE_PROCEDURES).every((path) => `/${path}` in openapi.paths),
  'protocol: the shipped OpenAPI 3.1 document has a path for every wire procedure',
);

// 2. @handoff/copilot-adapter: a fresh plan from the corpus one (new id and window), validated and signed.
const copilotKey = generateKeyPairSync('ed25519');
const privateJwk = { ...copilotKey.privateKey.export({ format: 'jwk' }), kid: 'copilot-1' };
const { d: _private, ...publicJwk } = privateJwk;
const plan = { ...corpusPlan, planId: planId(), ...planTimestamps({ ttlMs: 24 * 3600_000 }) };
const validation = validatePlan(plan);
check(validation.ok, 'copilot-adapter: validatePlan accepts the built plan');
const signature = await signPlan(validation.plan, privateJwk);
check(signature.split('.').length === 3, 'copilot-adapter: signPlan returns a compact JWS');

// 3. @handoff/gateway: a gateway on an in-memory database, HTTP on a free port, provenance required.
const { running, apiKey } = await startTestGateway(plan, publicJwk);
try {
  // 4. The copilot client submits the signed plan over HTTP.
  const client = new HandoffClient({ url: running.server.url, credential: apiKey, retry: false });
  check(
    (await client.health()).gatewayId === 'gw-install-test',
    'gateway: health answers over HTTP',
  );
  const submitted = await client.submit(validation.plan, { signature });
  // The policy asks for no approval: the signed plan passes validation, provenance, policy and budget at once.
  check(
    submitted.planId === plan.planId && submitted.state === 'approved',
    `copilot client: plans.submit answered ${submitted.state}`,
  );
  const status = await client.status(plan.planId);
  check(
    status.planId === plan.planId && status.digest === submitted.digest,
    `copilot client: plans.get reads the plan back (${status.state})`,
  );
  const unsigned = await client.submit({ ...validation.plan, planId: planId() }).then(
    () => undefined,
    (error) => error,
  );
  check(
    unsigned?.code === 'UNAUTHENTICATED' && GATEWAY_ERROR_TABLE.UNAUTHENTICATED.http === 401,
    'gateway: an unsigned plan is refused UNAUTHENTICATED (provenance required)',
  );
} finally {
  await running.stop();
}

// 5. @handoff/automation-adapter: the main entry loads without the optional peers (msw, vitest).
const webhook = createWebhookAdapter({
  signing: { scheme: 'v1', secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` },
});
check(
  webhook.manifest.id === 'webhook' && ADAPTER_ERROR_CODES.length > 0,
  'automation-adapter: a webhook adapter',
);
console.log('smoke: every step held');
