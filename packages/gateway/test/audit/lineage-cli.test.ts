import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainEvents } from '@handoff/lineage';
import type { LineageEvent } from '@handoff/protocol';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { progressBar } from '../../src/cli/progress.js';
import { POLICY_FILE, runCli } from '../cli/cli-support.js';
import { TENANT } from '../support/harness.js';
import { auditedHarness } from './support.js';
import { insertEvent } from './tamper.js';

const dir = mkdtempSync(join(tmpdir(), 'handoff-lineage-cli-'));
let db: string;
let gatedPlanId: string;
/** `--checkpoint-keys FILE --approver-keys FILE`: the auditor's trust anchors, JWKS files outside the database. */
let anchors: string[];
const checkpointJwks = join(dir, 'checkpoint.jwks.json');

beforeAll(async () => {
  const { h, planIds, jwks } = await auditedHarness();
  gatedPlanId = planIds.gated;
  await h.close();
  db = join(dir, 'gateway.db');
  copyFileSync(join(h.dir, 'gateway.db'), db);
  const approverJwks = join(dir, 'approvers.jwks.json');
  writeFileSync(checkpointJwks, JSON.stringify(jwks.checkpoint));
  writeFileSync(approverJwks, JSON.stringify(jwks.approver));
  anchors = ['--checkpoint-keys', checkpointJwks, '--approver-keys', approverJwks];
});

describe('handoff lineage (offline on a database file)', () => {
  it('query pages in seq order with filters, and says how to get the next page', async () => {
    const first = await runCli(
      'lineage',
      'query',
      '--db',
      db,
      '--tenant',
      TENANT,
      '--limit',
      '2',
      '--json',
    );
    expect(first.code).toBe(0);
    const page = JSON.parse(first.out) as { items: { seq: number }[]; nextCursor: string };
    expect(page.items.map((e) => e.seq)).toEqual([1, 2]);
    const next = await runCli(
      'lineage',
      'query',
      '--db',
      db,
      '--after',
      page.nextCursor,
      '--limit',
      '1',
      '--json',
    );
    expect((JSON.parse(next.out) as { items: { seq: number }[] }).items[0]?.seq).toBe(3);
    const approvals = await runCli(
      'lineage',
      'query',
      '--db',
      db,
      '--type',
      'approval.accepted',
      '--actor-type',
      'approver',
    );
    expect(approvals.out.split('\n').filter((l) => l.includes('approval.accepted'))).toHaveLength(
      2,
    );
    const bad = await runCli('lineage', 'query', '--db', db, '--type', 'no.such.type');
    expect(bad.code).toBe(2);
  });

  it('trace prints the readable report, or JSON; an unknown plan is NOT_FOUND (exit 1)', async () => {
    const text = await runCli('lineage', 'trace', '--db', db, '--plan', gatedPlanId);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`Plan ${gatedPlanId}`);
    expect(text.out).toContain('Approvals');
    const json = await runCli('lineage', 'trace', '--db', db, '--plan', gatedPlanId, '--json');
    expect(JSON.parse(json.out).plan.planId).toBe(gatedPlanId);
    const noSuchAction = await runCli(
      'lineage',
      'trace',
      '--db',
      db,
      '--plan',
      gatedPlanId,
      '--action',
      'x',
    );
    expect(noSuchAction.code).toBe(1);
    expect(noSuchAction.err).toContain('NOT_FOUND');
    const missing = await runCli(
      'lineage',
      'trace',
      '--db',
      db,
      '--plan',
      '019a8f2e-5c4b-7d3e-9a1f-0000000000ff',
    );
    expect(missing.code).toBe(1);
    const two = await runCli(
      'lineage',
      'trace',
      '--db',
      db,
      '--plan',
      gatedPlanId,
      '--idempotency-key',
      'x',
    );
    expect(two.code).toBe(1);
    expect(two.err).toContain('VALIDATION_FAILED');
  });

  it('verify: OK exits 0; a tampered copy exits 1 naming the seq and code', async () => {
    const ok = await runCli('lineage', 'verify', '--db', db, ...anchors, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, checkpoints: 2, anchored: true });
    const tampered = join(dir, 'tampered.db');
    copyFileSync(db, tampered);
    const raw = new Database(tampered);
    // The gated plan's first approval deleted: its chain (plan:<tenant>/<plan>) has a gap at its seq.
    const gone = raw
      .prepare(
        "select seq from lineage_events where type = 'approval.accepted' and plan_id = ? order by id limit 1",
      )
      .pluck()
      .get(gatedPlanId) as number;
    raw
      .prepare(
        "delete from lineage_events where type = 'approval.accepted' and plan_id = ? and seq = ?",
      )
      .run(gatedPlanId, gone);
    raw.close();
    const broken = await runCli('lineage', 'verify', '--db', tampered, ...anchors);
    expect(broken.code).toBe(1);
    expect(broken.out).toBe(
      `BROKEN at seq ${gone} of plan:acme-bank/${gatedPlanId}: SEQ_GAP: Expected seq ${gone} of plan:acme-bank/${gatedPlanId}, found ${gone + 1}`,
    );
  });

  it('verify without trust anchors refuses (exit 2); --unanchored says so loudly', async () => {
    const none = await runCli('lineage', 'verify', '--db', db);
    expect(none.code).toBe(2);
    expect(none.out).toBe('');
    expect(none.err).toContain('NOT VERIFIED: no trust anchors');
    const unanchored = await runCli('lineage', 'verify', '--db', db, '--unanchored');
    expect(unanchored.code).toBe(0);
    expect(unanchored.out).toMatch(/^OK \(UNANCHORED\): /);
    expect(unanchored.err).toContain(
      'UNANCHORED: checked against the keys the file records itself',
    );
    const both = await runCli('lineage', 'verify', '--db', db, ...anchors, '--unanchored');
    expect(both.code).toBe(1);
    expect(both.err).toContain('not both');
    const missing = join(dir, 'no-such.jwks.json');
    const unreadable = await runCli('lineage', 'verify', '--db', db, '--checkpoint-keys', missing);
    expect(unreadable.code).toBe(3);
    expect(unreadable.err).toContain(`Cannot read the --checkpoint-keys file ${missing}`);
  });

  it('export writes a bundle that verify --export accepts, and OpenLineage events', async () => {
    const bundle = join(dir, 'bundle.jsonl');
    const exported = await runCli('lineage', 'export', '--db', db, '--out', bundle, '--json');
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.out)).toMatchObject({ format: 'jsonl', mode: 'complete' });
    const verified = await runCli('lineage', 'verify', '--export', bundle, ...anchors, '--json');
    expect(JSON.parse(verified.out)).toMatchObject({ ok: true, mode: 'complete' });
    const ol = join(dir, 'ol.jsonl');
    const openlineage = await runCli(
      'lineage',
      'export',
      '--db',
      db,
      '--out',
      ol,
      '--format',
      'openlineage',
      '--json',
    );
    expect(JSON.parse(openlineage.out)).toMatchObject({ plans: 3, events: 6 });
  });

  it('checkpoint signs with a key file, then nothing new; jwks lists every checkpoint kid', async () => {
    const pair = await generateSigningKeyPair({ alg: 'EdDSA', kid: 'cp-cli' });
    const keyFile = join(dir, 'cp.private.jwk.json');
    writeFileSync(keyFile, JSON.stringify(pair.privateJwk), { mode: 0o600 });
    const copy = join(dir, 'checkpointed.db');
    const witness = join(dir, 'checkpointed.witness.jsonl');
    copyFileSync(db, copy);
    // Every event of the audited lineage is sequenced: one more of the tenant's chain, not yet sequenced, is what
    // the CLI's batch signs.
    const raw = new Database(copy);
    const head = raw
      .prepare(
        "select seq, hash from lineage_events where chain = 'tenant' and tenant_id = ? order by seq desc limit 1",
      )
      .get(TENANT) as { seq: number; hash: string };
    const [pending] = chainEvents(head, [
      {
        protocolVersion: '1.0',
        kind: 'LineageEvent',
        occurredAt: '2026-11-30T09:00:00.000Z',
        tenantId: TENANT,
        type: 'control.resumed',
        actor: { type: 'operator', id: 'olga.ops' },
        refs: {},
        data: {},
      },
    ]);
    insertEvent(raw, pending as LineageEvent);
    raw.close();
    // A database whose latest event is not sequenced yet (log_index NULL at the end) verifies: its chain holds.
    const unsequenced = await runCli('lineage', 'verify', '--db', copy, ...anchors, '--json');
    expect(unsequenced.code).toBe(0);
    expect(JSON.parse(unsequenced.out)).toMatchObject({ ok: true, events: 15, checkpoints: 2 });
    const args = [
      'lineage',
      'checkpoint',
      '--db',
      copy,
      '--key',
      keyFile,
      '--gateway-id',
      'gw-test',
      '--witness',
      witness,
      '--json',
    ];
    const first = await runCli(...args);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ signed: true, kid: 'cp-cli' });
    const witnessed = readFileSync(witness, 'utf8').trim().split('\n');
    // The sequencer first brings the witness up to the heads already stored, then appends the new one.
    expect(witnessed.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ kid: 'cp-2026-11' }),
      expect.objectContaining({ kid: 'cp-2026-12' }),
      expect.objectContaining({ treeSize: JSON.parse(first.out).treeSize, kid: 'cp-cli' }),
    ]);
    expect(first.out).not.toContain(String(pair.privateJwk.d));
    const jwks = JSON.parse((await runCli('lineage', 'jwks', '--db', copy)).out) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual(['cp-2026-11', 'cp-2026-12', 'cp-cli']);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    // The new key signed a checkpoint: trusted once it is among the anchors, untrusted before.
    const untrusted = await runCli('lineage', 'verify', '--db', copy, ...anchors);
    expect(untrusted.code).toBe(1);
    expect(untrusted.out).toContain('CHECKPOINT_KEY_UNTRUSTED');
    const cliJwks = join(dir, 'cp-cli.jwks.json');
    writeFileSync(cliJwks, JSON.stringify({ keys: [jwks.keys.find((k) => k.kid === 'cp-cli')] }));
    const trusted = await runCli(
      'lineage',
      'verify',
      '--db',
      copy,
      ...anchors,
      '--checkpoint-keys',
      cliJwks,
    );
    expect(trusted.code).toBe(0);
    // Against the witness file the checkpoint also went to: it still holds that tree head.
    const against = [...anchors, '--checkpoint-keys', cliJwks, '--against'];
    const witnessOk = await runCli('lineage', 'verify', '--db', copy, ...against, witness);
    expect(witnessOk.code).toBe(0);
    expect(witnessOk.out).toContain('witness: 3 signed tree heads checked');
    const noWitness = await runCli('lineage', 'verify', '--db', copy, ...against, `${witness}.x`);
    expect(noWitness.code).not.toBe(0);
    expect(noWitness.err).toContain(`Cannot read the witness file ${witness}.x`);
    // Or from the gateway config: the public half of checkpoints.keyFile, and approvals.keys.
    const config = join(dir, 'handoff.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: 'gw-test',
        database: { path: 'unused.db' },
        approvals: { keys: [{ type: 'file', path: anchors[3] }] },
        auth: { apiKeys: [] },
        policy: { file: POLICY_FILE },
        checkpoints: { keyFile },
      }),
    );
    const viaConfig = await runCli(
      'lineage',
      'verify',
      '--db',
      copy,
      '--config',
      config,
      '--checkpoint-keys',
      checkpointJwks,
    );
    expect(viaConfig.out).toMatch(/^OK: /);
    expect(viaConfig.code).toBe(0);
  });
});

describe('progress bar', () => {
  const sink = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, stream: { isTTY, write: (t: string) => written.push(t) } };
  };

  it('draws counts, share and rate on a TTY, throttled to every 100 ms', () => {
    const { written, stream } = sink(true);
    let t = 0;
    const bar = progressBar('verifying', { json: false, stream, env: {}, now: () => t });
    t = 1000;
    bar.update(500, 1000);
    t = 1050;
    bar.update(600, 1000);
    t = 2000;
    bar.update(1000, 1000);
    bar.finish();
    expect(written).toEqual([
      `\rverifying [${'#'.repeat(12)}${'.'.repeat(12)}] 50% 500/1,000 500/s`,
      `\rverifying [${'#'.repeat(24)}] 100% 1,000/1,000 500/s`,
      '\n',
    ]);
  });

  it('stays quiet with --json, off a TTY, and when CI is set', () => {
    for (const [json, isTTY, env] of [
      [true, true, {}],
      [false, false, {}],
      [false, true, { CI: 'true' }],
    ] as const) {
      const { written, stream } = sink(isTTY);
      const bar = progressBar('x', { json, stream, env, now: () => 0 });
      bar.update(1, 2);
      bar.finish();
      expect(written).toEqual([]);
    }
  });
});
