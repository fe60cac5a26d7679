import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Action, ActionType, HandoffPlan, LineageEvent } from '@handoff/protocol';
import { canonicalJson } from '@handoff/protocol';
import type { JWK } from 'jose';
import { afterEach, describe, expect, test } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { importCheckpointKey } from '../../src/audit/checkpoint-key.js';
import { Sequencer } from '../../src/audit/sequencer.js';
import { bodyOf, forgeHistory, tamperableCopy } from '../audit/tamper.js';
import { runBin } from '../cli/cli-support.js';
import { scriptedAdapter, throttled } from '../dispatch/scripted-adapter.js';
import { GATEWAY_ID, type HttpGateway, startHttpGateway } from '../http/http-fixture.js';
import { sqlitePathOf } from '../support/sqlite-of.js';
import { tally } from './tally.js';
import { approvedPlan } from './trust-support.js';

/**
 * Issue 13, observations 7 and 8, as an attacker who can write the gateway's SQLite file: the offline verifier
 * (`handoff lineage verify`, run as a process) trusts only keys given from outside the file, and every stored
 * document is checked against the digest its events name, by the verifier, by `lineage trace` and by the live
 * gateway before it dispatches. Approvals: the finance key as `fiona.finance` (finance), the marketing key as
 * `mark.lead` (marketing_lead).
 */

const AREA = 'trust: verifier';
const dir = mkdtempSync(join(tmpdir(), 'handoff-trust-verifier-'));
let gw: HttpGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

/** Writes a JWKS file of `keys` and returns its path. */
function jwksFile(name: string, keys: JWK[]): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ keys }));
  return file;
}

describe('trust: verifier', () => {
  test('observation 7: the offline verifier trusts keys from outside the file, not the file it verifies', async ({
    task,
  }) => {
    const t = tally(task, AREA);
    gw = await startHttpGateway();
    await approvedPlan(gw);
    // The gateway's checkpoint key, as its config holds it; the auditor is given its public half.
    const pair = await generateSigningKeyPair({ alg: 'EdDSA', kid: 'cp-gw-http' });
    const key = await importCheckpointKey(pair.privateJwk as JWK);
    const checkpointer = new Sequencer(gw.store, {
      key,
      gatewayId: GATEWAY_ID,
      clock: gw.clock,
    });
    expect(await checkpointer.sequenceAll()).toBeDefined();
    const database = join(dir, 'observation-7.db');
    await gw.store.sqlite.backup(database);
    const anchors = [
      '--checkpoint-keys',
      jwksFile('checkpoint.jwks.json', [key.publicJwk]),
      '--approver-keys',
      jwksFile('approvers.jwks.json', [gw.keys.finance.publicJwk, gw.keys.marketing.publicJwk]),
    ];

    // The attack: edit an event, re-chain, re-sign every checkpoint with a fresh key under the same kid, and
    // record that key in `keys`.
    const { path: forged, db } = tamperableCopy(database);
    // The first arrival, which records its plan's reservation (lineage format 2).
    const reserved = db
      .prepare("select min(id) from lineage_events where type = 'plan.received'")
      .pluck()
      .get() as number;
    expect(bodyOf(db, reserved).type).toBe('plan.received');
    await forgeHistory(
      db,
      reserved,
      (event: LineageEvent) => {
        event.data = { ...event.data, amountMinor: 645 };
      },
      GATEWAY_ID,
    );
    db.close();

    // 1. No trust anchor: no "OK" (before, the file vouched for itself and this said OK).
    t.tried();
    const bare = await runBin(['lineage', 'verify', '--db', forged]);
    expect(bare.out).not.toMatch(/^OK/);
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('NOT VERIFIED: no trust anchors');
    t.held();

    // 2. With the auditor's anchors: refused, the re-signed checkpoint named by its own code.
    t.tried();
    const anchored = await runBin(['lineage', 'verify', '--db', forged, ...anchors, '--json']);
    expect(anchored.code).toBe(1);
    const report = JSON.parse(anchored.out) as { ok: boolean; failure: Record<string, unknown> };
    expect(report).toMatchObject({
      ok: false,
      failure: { code: 'CHECKPOINT_KEY_UNTRUSTED', kid: 'cp-gw-http' },
    });
    t.held();

    // 3. The honest file verifies against the same anchors; unanchored, the forgery passes, and says it is
    //    unanchored.
    t.tried();
    const honest = await runBin(['lineage', 'verify', '--db', database, ...anchors, '--json']);
    expect(honest.code).toBe(0);
    expect(JSON.parse(honest.out)).toMatchObject({ ok: true, anchored: true, checkpoints: 1 });
    const unanchored = await runBin(['lineage', 'verify', '--db', forged, '--unanchored']);
    expect(unanchored.out).toMatch(/^OK \(UNANCHORED\)/);
    expect(unanchored.err).toContain('UNANCHORED');
    t.held();
  });

  test('observation 8: a stored plan edited after approval is refused by verify, trace and dispatch', async ({
    task,
  }) => {
    const t = tally(task, AREA);
    const hubspot = scriptedAdapter('hubspot', { steps: [throttled(30_000)] });
    const sent: Action[] = [];
    const adapter = {
      ...hubspot.adapter,
      execute: (action: Action, ctx: Parameters<typeof hubspot.adapter.execute>[1]) => {
        sent.push(action);
        return hubspot.adapter.execute(action, ctx);
      },
    };
    gw = await startHttpGateway({ adapters: [adapter] });
    const view = await approvedPlan(gw);
    // The first attempt (the genuine plan) was throttled: a retry is due in 30 s.
    await gw.runtime.dispatcher.runDue();
    expect(sent).toHaveLength(1);
    const database = sqlitePathOf(gw.runtime.loaded.config.database);

    // The attack: the stored plan document edited in place, still RFC 8785 text (contact and cost changed).
    const sqlite = gw.store.sqlite;
    const stored = sqlite
      .prepare('select body from payloads where digest = ?')
      .pluck()
      .get(view.digest) as string;
    const plan = JSON.parse(stored) as HandoffPlan;
    const option = plan.options.find((o) => o.optionId === view.recommendedOptionId);
    const action = option?.actions[0] as { estimatedCost: { amountMinor: number } } & {
      type: ActionType;
      params: { contacts: { email: string }[] };
    };
    expect(action.estimatedCost.amountMinor).toBe(64_500);
    action.estimatedCost.amountMinor = 645;
    action.params.contacts = [{ email: 'mallory@example.com' }];
    sqlite
      .prepare('update payloads set body = ? where digest = ?')
      .run(canonicalJson(plan), view.digest);

    // 1. The live gateway does not dispatch the forged action: the claim is refused, nothing is sent.
    t.tried();
    gw.clock.advance(30_000);
    const failure = await gw.runtime.dispatcher.runDue().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent)).not.toContain('mallory@example.com');
    expect(failure).toMatchObject({ code: 'INTERNAL' });
    const row = sqlite
      .prepare('select status, attempts from dispatches where plan_id = ?')
      .get(view.planId) as { status: string; attempts: number };
    expect(row).toEqual({ status: 'pending', attempts: 1 });
    t.held();

    // 2. `lineage trace` does not show the forged plan as genuine: it refuses.
    t.tried();
    const trace = await runBin(['lineage', 'trace', '--db', database, '--plan', view.planId]);
    expect(trace.out).not.toContain('mallory@example.com');
    expect(trace.out).not.toMatch(/\b645\b/);
    expect(trace.code).toBe(4);
    expect(trace.err).toContain('does not hash to its digest');
    t.held();

    // 3. `lineage verify` refuses, naming the plan.received event and the digest.
    t.tried();
    const received = sqlite
      .prepare("select min(seq) from lineage_events where type = 'plan.received' and plan_id = ?")
      .pluck()
      .get(view.planId) as number;
    const approvers = jwksFile('approvers-8.jwks.json', [
      gw.keys.finance.publicJwk,
      gw.keys.marketing.publicJwk,
    ]);
    const verified = await runBin([
      'lineage',
      'verify',
      '--db',
      database,
      '--approver-keys',
      approvers,
      '--json',
    ]);
    expect(verified.code).toBe(1);
    expect(JSON.parse(verified.out)).toMatchObject({
      ok: false,
      failure: {
        code: 'DOCUMENT_DIGEST_MISMATCH',
        seq: received,
        digest: view.digest,
        kind: 'HandoffPlan',
      },
    });
    t.held();
  });
});
