/**
 * Generates a valid gateway database with a lineage of N events (default 1,000,000) for benchmarks and manual
 * audits: `tsx scripts/generate-lineage.ts --out /tmp/lineage.db [--events N] [--checkpoint-every N]`.
 *
 * Each plan is the protocol's two-option conformance plan under a new id, tenant and workflow, going through what
 * the pipeline records (13 events): received, two policy evaluations, a budget reservation, awaiting approval, two
 * approvals signed for real (EdDSA and ES256 JWS, keys made here), approved, an action queued, attempted and
 * succeeded (with a stored receipt), the budget committed, dispatched. The plan documents, approval tokens,
 * receipts, `plans`, `approvals`, `used_tokens`, `budget_ledger`, `dispatches` and `keys` rows are written as the
 * gateway writes them, and events are chained by the store's own `chainEvents`, inserted in batched
 * transactions. Every `--checkpoint-every` events the store's `Sequencer` sequences them and signs a tree head (the checkpoint
 * key is rotated half way), so `handoff lineage verify --db OUT --checkpoint-keys OUT.checkpoint.jwks.json
 * --approver-keys OUT.approvers.jwks.json` must report OK on the result: the public keys, the auditor's trust
 * anchors, are written beside the database, never read from it.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  canonicalJson,
  documentDigest,
  type HandoffPlan,
  type LineageEvent,
  planDigest,
  sha256Digest,
} from '@handoff/protocol';
import { Command } from 'commander';
import { importJWK, type JWK, SignJWT } from 'jose';
import { APPROVAL_TOKEN_TYPE, generateSigningKeyPair } from '../src/approvals/signing-keys.js';
import { importCheckpointKey } from '../src/audit/checkpoint-key.js';
import { Sequencer } from '../src/audit/sequencer.js';
import { positiveInt } from '../src/cli/options.js';
import { ManualClock } from '../src/clock.js';
import { actionIdempotencyKey } from '../src/pipeline/idempotency-key.js';
import { type ChainHead, chainEvents, chainKey, EMPTY_HEAD } from '../src/store/lineage-chain.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { LineageDraft } from '../src/store/store.js';

const here = dirname(fileURLToPath(import.meta.url));
const PLAN = join(
  here,
  '../../protocol/conformance/v1/HandoffPlan/valid/term-deposit-two-options.json',
);
const GATEWAY_ID = 'gw-bench';
const TENANTS = ['acme-bank', 'globex', 'initech'];
const WORKFLOWS = ['term-deposit-q4', 'card-upsell', 'savings-winback', 'mortgage-nurture'];
const POLICY = documentDigest({ generated: 'policy' });
const EVENTS_PER_PLAN = 13;

const program = new Command('generate-lineage')
  .requiredOption('--out <file>', 'the SQLite file to create (replaced if it exists)')
  .option('--events <n>', 'at least this many lineage events', positiveInt, 1_000_000)
  .option('--checkpoint-every <n>', 'sign a checkpoint every n events', positiveInt, 100_000)
  .parse();
const opts = program.opts<{ out: string; events: number; checkpointEvery: number }>();

const started = performance.now();
for (const suffix of ['', '-wal', '-shm']) rmSync(`${opts.out}${suffix}`, { force: true });
const clock = new ManualClock('2026-01-05T08:00:00Z');
const store = openSqliteStore({ path: opts.out });
const db = store.sqlite;
db.pragma('synchronous = OFF');
const template = JSON.parse(await readFile(PLAN, 'utf8')) as HandoffPlan;
/** An approver key pair, with its private key imported once for signing. */
async function approverKey(alg: 'EdDSA' | 'ES256', kid: string) {
  const pair = await generateSigningKeyPair({ alg, kid });
  return { ...pair, key: await importJWK(pair.privateJwk, alg) };
}
const finance = await approverKey('EdDSA', 'finance-2026');
const marketing = await approverKey('ES256', 'marketing-2026');
const checkpointKeys = [
  await importCheckpointKey(
    (await generateSigningKeyPair({ alg: 'EdDSA', kid: 'cp-a' })).privateJwk as JWK,
  ),
  await importCheckpointKey(
    (await generateSigningKeyPair({ alg: 'EdDSA', kid: 'cp-b' })).privateJwk as JWK,
  ),
];
// The trust anchors an auditor is given, outside the database.
writeFileSync(
  `${opts.out}.checkpoint.jwks.json`,
  JSON.stringify({ keys: checkpointKeys.map((k) => k.publicJwk) }),
);
writeFileSync(
  `${opts.out}.approvers.jwks.json`,
  JSON.stringify({ keys: [finance.publicJwk, marketing.publicJwk] }),
);
// One sequencer per key: each keeps its Merkle accumulator, so a batch hashes only the new events.
const sequencers = checkpointKeys.map(
  (key) =>
    new Sequencer(store, { key, gatewayId: GATEWAY_ID, clock, maxBatch: opts.checkpointEvery }),
);

const insert = {
  payload: db.prepare(
    'insert or ignore into payloads (digest, kind, body, created_at) values (?, ?, ?, ?)',
  ),
  plan: db.prepare(`insert into plans (plan_id, tenant_id, workflow_id, copilot_model, digest, state, paused_from,
    recommended_option_id, selected_option_id, submitted_by, policy_version, evaluation, reason_code, received_at,
    updated_at, approval_deadline, expires_at) values (?, ?, ?, ?, ?, 'dispatched', null, ?, ?, 'copilot-1', ?, '{}',
    null, ?, ?, ?, ?)`),
  approval:
    db.prepare(`insert into approvals (jti, plan_id, option_id, approver, role, decision, kid, token_digest,
    max_spend_minor, currency, received_at) values (?, ?, ?, ?, ?, 'approve', ?, ?, 100000, 'EUR', ?)`),
  token: db.prepare('insert into used_tokens (jti, plan_id, used_at) values (?, ?, ?)'),
  ledger:
    db.prepare(`insert into budget_ledger (plan_id, tenant_id, cap_id, period_key, currency, amount_minor,
    status, expires_at, created_at, updated_at) values (?, ?, 'tenant-month', ?, 'EUR', ?, 'committed', null, ?, ?)`),
  dispatch:
    db.prepare(`insert into dispatches (idempotency_key, plan_id, tenant_id, option_id, action_index,
    action_id, adapter, status, attempts, next_attempt_at, last_error, receipt_digest, created_at, updated_at)
    values (?, ?, ?, ?, 0, ?, ?, 'succeeded', 1, ?, null, ?, ?, ?)`),
  event:
    db.prepare(`insert into lineage_events (seq, chain, tenant_id, plan_id, type, actor_type, actor_id,
    occurred_at, body, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
  key: db.prepare(
    "insert or ignore into keys (purpose, kid, jwk, first_seen_at) values ('approver', ?, ?, ?)",
  ),
};
/** The head of every chain written so far, by `chainKey` (this script is the database's only writer). */
const heads = new Map<string, ChainHead>();
const count = db.prepare('select count(*) from lineage_events').pluck();

/** One plan's documents, rows and event drafts (13 events). */
async function planOf(n: number): Promise<LineageDraft[]> {
  const now = clock.now();
  const tenantId = TENANTS[n % TENANTS.length] as string;
  const workflowId = WORKFLOWS[n % WORKFLOWS.length] as string;
  const plan: HandoffPlan = structuredClone(template);
  plan.planId = `019b0000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
  plan.tenantId = tenantId;
  plan.workflow.workflowId = workflowId;
  plan.createdAt = new Date(now).toISOString();
  plan.expiresAt = new Date(now + 7 * 86_400_000).toISOString();
  const digest = planDigest(plan);
  const optionId = plan.recommendedOptionId;
  const action = plan.options[0]?.actions[0];
  const cost = action?.estimatedCost.amountMinor ?? 0;
  const adapter = action?.adapter ?? 'hubspot';
  const actionId = action?.actionId ?? 'action';
  const key = actionIdempotencyKey(digest, optionId, 0);
  const copilotModel = `${plan.copilot.vendor}/${plan.copilot.model}@${plan.copilot.modelVersion}`;
  insert.payload.run(digest, 'HandoffPlan', canonicalJson(plan), now);
  insert.plan.run(
    plan.planId,
    tenantId,
    workflowId,
    copilotModel,
    digest,
    optionId,
    optionId,
    POLICY,
    now,
    now,
    now + 172_800_000,
    Date.parse(plan.expiresAt),
  );
  const period = new Date(now).toISOString().slice(0, 7);
  insert.ledger.run(plan.planId, tenantId, period, cost, now, now);
  const base = { tenantId, planId: plan.planId, occurredAt: now, refs: { plan: digest } };
  const copilot = { type: 'copilot', id: 'copilot-1' } as const;
  const system = { type: 'system', id: 'gateway' } as const;
  const drafts: LineageDraft[] = [
    {
      ...base,
      actor: copilot,
      type: 'plan.received',
      data: {
        workflowId,
        copilotModel,
        recommendedOptionId: optionId,
        costMinor: cost,
        currency: 'EUR',
        inputs: plan.inputs.map((i) => ({
          inputId: i.inputId,
          sha256: i.sha256 ?? null,
          version: i.version ?? null,
        })),
      },
    },
    ...plan.options.map((o) => ({
      ...base,
      actor: { type: 'system', id: 'policy' } as const,
      type: 'policy.evaluated' as const,
      refs: { plan: digest, policy: POLICY },
      data: {
        optionId: o.optionId,
        outcome: 'require_approval',
        rules: [
          { ruleId: 'approval-threshold', decision: 'require_approval', enforcement: 'enforce' },
        ],
      },
    })),
    {
      ...base,
      actor: copilot,
      type: 'budget.reserved',
      data: {
        optionId,
        currency: 'EUR',
        lines: [{ capId: 'tenant-month', periodKey: period, amountMinor: cost }],
      },
    },
    {
      ...base,
      actor: copilot,
      type: 'plan.state_changed',
      data: { from: 'received', to: 'awaiting_approval' },
    },
  ];
  const signers = [
    { pair: finance, sub: 'ana.finance', role: 'finance' },
    { pair: marketing, sub: 'bruno.marketing', role: 'marketing_lead' },
  ];
  for (const { pair, sub, role } of signers) {
    const jti = `jti-${role}-${n.toString().padStart(12, '0')}`;
    const iat = Math.floor(now / 1000);
    // Signed with jose as `createApprovalToken` does, with the private key imported once (not per token).
    const token = await new SignJWT({
      protocolVersion: '1.0',
      kind: 'ApprovalClaims',
      iss: 'approvals-app',
      sub,
      aud: GATEWAY_ID,
      planId: plan.planId,
      planDigest: digest,
      optionId,
      policyVersion: POLICY,
      decision: 'approve',
      maxSpend: { amountMinor: 100_000, currency: 'EUR' },
      role,
      iat,
      nbf: iat,
      exp: iat + 900,
      jti,
    })
      .setProtectedHeader({ alg: pair.alg, kid: pair.kid, typ: APPROVAL_TOKEN_TYPE })
      .sign(pair.key);
    const tokenDigest = sha256Digest(token);
    insert.payload.run(tokenDigest, 'ApprovalJws', token, now);
    insert.approval.run(jti, plan.planId, optionId, sub, role, pair.kid, tokenDigest, now);
    insert.token.run(jti, plan.planId, now);
    drafts.push({
      ...base,
      actor: { type: 'approver', id: sub },
      type: 'approval.accepted',
      refs: { plan: digest, approval: tokenDigest },
      data: {
        approver: sub,
        role,
        decision: 'approve',
        optionId,
        kid: pair.kid,
        jti: jti,
        maxSpend: { amountMinor: 100_000, currency: 'EUR' },
      },
    });
  }
  const receipt = {
    kind: 'DispatchReceipt',
    planId: plan.planId,
    planDigest: digest,
    optionId,
    actionId,
    actionIndex: 0,
    adapter,
    idempotencyKey: key,
    attempt: 1,
    status: 'accepted',
    platformRef: `ref-${n}`,
  };
  const receiptDigest = documentDigest(receipt);
  insert.payload.run(receiptDigest, 'DispatchReceipt', canonicalJson(receipt), now);
  insert.dispatch.run(
    key,
    plan.planId,
    tenantId,
    optionId,
    actionId,
    adapter,
    now,
    receiptDigest,
    now,
    now,
  );
  const facts = { idempotencyKey: key, actionIndex: 0, actionId, adapter };
  drafts.push(
    {
      ...base,
      actor: { type: 'approver', id: 'bruno.marketing' },
      type: 'plan.state_changed',
      data: { from: 'awaiting_approval', to: 'approved', optionId },
    },
    { ...base, actor: system, type: 'dispatch.queued', data: { optionId, ...facts } },
    { ...base, actor: system, type: 'dispatch.attempted', data: { ...facts, attempt: 1 } },
    {
      ...base,
      actor: system,
      type: 'dispatch.succeeded',
      refs: { plan: digest, receipt: receiptDigest },
      data: { ...facts, attempt: 1, status: 'accepted', platformRef: `ref-${n}` },
    },
    {
      ...base,
      actor: system,
      type: 'budget.committed',
      data: { optionId, lines: [{ capId: 'tenant-month', amountMinor: cost }] },
    },
    {
      ...base,
      actor: system,
      type: 'plan.state_changed',
      data: { from: 'approved', to: 'dispatched' },
    },
  );
  clock.advance(1000);
  return drafts;
}

/** Chains each draft after its chain's head and inserts it, in the caller's transaction. */
function append(drafts: readonly LineageDraft[]): LineageEvent[] {
  return drafts.map((draft) => {
    const key = chainKey(draft);
    const [e] = chainEvents(heads.get(key) ?? EMPTY_HEAD, [draft]);
    if (e === undefined) throw new Error('no event');
    heads.set(key, { seq: e.seq, hash: e.hash });
    insert.event.run(
      e.seq,
      e.chain ?? null,
      e.tenantId,
      e.planId ?? null,
      e.type,
      e.actor.type,
      e.actor.id,
      Date.parse(e.occurredAt),
      canonicalJson(e),
      e.prevHash,
      e.hash,
    );
    return e;
  });
}

insert.key.run(finance.kid, JSON.stringify(finance.publicJwk), clock.now());
insert.key.run(marketing.kid, JSON.stringify(marketing.publicJwk), clock.now());
let total = 0;
let plans = 0;
let nextCheckpoint = opts.checkpointEvery;
const BATCH = 200;
while (total < opts.events) {
  const drafts: LineageDraft[] = [];
  const batch = Math.min(BATCH, Math.ceil((opts.events - total) / EVENTS_PER_PLAN));
  db.exec('BEGIN');
  for (let i = 0; i < batch; i += 1) drafts.push(...(await planOf(plans++)));
  total += append(drafts).length;
  db.exec('COMMIT');
  if (total >= nextCheckpoint || total >= opts.events) {
    // The checkpoint key is rotated half way: both kids stay in `keys`, both heads verify.
    const rotated = total > opts.events / 2 ? 1 : 0;
    const record = await sequencers[rotated]?.sequenceAll();
    // The first head of a key also records `control.key_registered`.
    total = count.get() as number;
    while (nextCheckpoint <= total) nextCheckpoint += opts.checkpointEvery;
    process.stderr.write(
      `${total.toLocaleString('en-US')} events, checkpoint ${record?.treeSize} (${record?.kid})\n`,
    );
  }
}
await store.close();
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({ out: opts.out, events: total, plans, seconds: Number(seconds.toFixed(1)) }),
);
