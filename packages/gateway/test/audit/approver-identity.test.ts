import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest } from '@handoff/protocol';
import { decodeJwt } from 'jose';
import { describe, expect, test } from 'vitest';
import { createApprovalToken } from '../../src/approvals/create-approval.js';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { openDatabaseSource } from '../../src/audit/database-source.js';
import { anchorsFromJwks } from '../../src/audit/trust-anchors.js';
import { verifyLineage } from '../../src/audit/verify-lineage.js';
import { trustFromOptions } from '../../src/cli/commands/lineage-trust.js';
import { POLICY_FILE } from '../cli/cli-support.js';
import { approveByBoth, planVariant } from '../pipeline/helpers.js';
import { approverEntry, createHarness, GATEWAY_ID, TENANT } from '../support/harness.js';
import { bodyOf, lastSeq, rewriteAndRechain, tamperableCopy } from './tamper.js';

/**
 * The offline verifier with approver identities from outside the database (`--config`'s `approvals.approvers`):
 * an attacker who holds ONE approver's key and can write the file cannot pass a token of that key, claiming
 * another approver, off as that approver's approval (the live gateway refuses it APPROVAL_SUBJECT_MISMATCH).
 */
describe('lineage verify: approver identities', () => {
  test("an approval signed by a trusted key under another approver's name is refused", async () => {
    const h = await createHarness();
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, planVariant(7));
    await approveByBoth(h, view);
    const { finance, marketing } = h.keys;
    await h.close();
    const { path, db } = tamperableCopy(join(h.dir, 'gateway.db'));

    // The attacker holds the finance key only: mark.lead's approval is replaced by one it signs as mark.lead.
    // Rows by id (insertion order); the failure is located by the event's seq in its plan's chain.
    let id = 0;
    for (let s = 1; s <= lastSeq(db); s += 1) {
      const e = bodyOf(db, s);
      if (e.type === 'approval.accepted' && e.data.approver === 'mark.lead') id = s;
    }
    const genuine = bodyOf(db, id);
    const seq = genuine.seq;
    const forged = await createApprovalToken(
      {
        iss: 'approvals-app',
        sub: 'mark.lead',
        aud: GATEWAY_ID,
        planId: view.planId,
        planDigest: view.digest as `sha256:${string}`,
        optionId: view.recommendedOptionId,
        policyVersion: view.policyVersion,
        decision: 'approve',
        maxSpend: { amountMinor: 100_000, currency: 'EUR' },
        role: 'marketing_lead',
      },
      finance.privateJwk,
      { clock: h.clock },
    );
    const digest = sha256Digest(forged);
    const jti = String(decodeJwt(forged).jti);
    db.prepare(
      "insert into payloads (digest, kind, body, created_at) values (?, 'ApprovalJws', ?, 0)",
    ).run(digest, forged);
    db.prepare(
      'update approvals set token_digest = ?, kid = ?, jti = ? where token_digest = ?',
    ).run(digest, finance.kid, jti, genuine.refs.approval);
    rewriteAndRechain(db, id, (e) => {
      e.refs = { ...e.refs, approval: digest };
      e.data = { ...e.data, kid: finance.kid, jti };
    });
    db.close();

    const anchors = anchorsFromJwks(
      { keys: [] },
      { keys: [finance.publicJwk, marketing.publicJwk] },
    );
    const verify = async (trust: typeof anchors) => {
      const source = await openDatabaseSource(path);
      try {
        return await verifyLineage(source, { trust });
      } finally {
        source.close();
      }
    };
    // Signatures alone: the forged approval verifies with a trusted key.
    expect((await verify(anchors)).ok).toBe(true);
    // With the registrations the config names, it is not mark.lead's key: refused at its seq.
    const identities = new Map([
      [finance.kid, [{ subject: 'fiona.finance', tenantId: TENANT, roles: ['finance'] }]],
      [marketing.kid, [{ subject: 'mark.lead', tenantId: TENANT, roles: ['marketing_lead'] }]],
    ]);
    const report = await verify({ ...anchors, approverIdentities: identities });
    expect(report).toMatchObject({
      ok: false,
      failure: { code: 'APPROVAL_CLAIMS_MISMATCH', field: 'registration.subject', seq },
    });
    // Kids are per tenant: a kid the anchors register in another tenant only is not this tenant's key.
    const elsewhere = new Map([
      [finance.kid, [{ subject: 'fiona.finance', tenantId: 'other-bank', roles: ['finance'] }]],
    ]);
    expect(await verify({ ...anchors, approverIdentities: elsewhere })).toMatchObject({
      ok: false,
      failure: { code: 'APPROVAL_CLAIMS_MISMATCH', field: 'registration.tenantId' },
    });
  });

  test("--config trusts each configured approver key with each tenant's registration of its kid", async () => {
    const finance = await generateSigningKeyPair({ alg: 'EdDSA' });
    const dir = mkdtempSync(join(tmpdir(), 'handoff-identities-'));
    const config = join(dir, 'handoff.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        gatewayId: 'gw-test',
        database: { path: 'unused.db' },
        approvals: {
          approvers: [
            approverEntry(finance, 'fiona.finance', ['finance']),
            approverEntry(finance, 'fred.finance', ['finance'], 'other-bank'),
          ],
        },
        auth: { apiKeys: [] },
        policy: { file: POLICY_FILE },
      }),
    );
    const trust = await trustFromOptions({ config });
    if (trust === undefined || trust === 'unanchored') throw new Error('expected anchors');
    const jwk = finance.publicJwk;
    expect([...(trust.approverIdentities ?? new Map())]).toEqual([
      [
        finance.kid,
        [
          { subject: 'fiona.finance', tenantId: TENANT, roles: ['finance'], jwk },
          { subject: 'fred.finance', tenantId: 'other-bank', roles: ['finance'], jwk },
        ],
      ],
    ]);
  });
});
