import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HandoffPlan } from '@handoff/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { openDatabaseSource } from '../../../src/audit/database-source.js';
import { verifyLineage } from '../../../src/audit/verify-lineage.js';
import { contactKey, sha256Hex } from '../../../src/policy/recipients.js';
import { eventTypes, outboxOf } from '../../dispatch/dispatch-support.js';
import { scriptedAdapter } from '../../dispatch/scripted-adapter.js';
import { createHarness, fixturePlan, type Harness, TENANT } from '../../support/harness.js';
import { policyWith } from '../helpers.js';

let h: Harness;
afterEach(async () => h?.close());

const frequency = {
  id: 'messaging-pressure',
  type: 'frequency_cap',
  enforcement: 'hard_mandatory',
  maxSends: 1,
  windowHours: 72,
  channels: ['email', 'sms'],
};
const suppression = {
  id: 'do-not-contact',
  type: 'suppression',
  enforcement: 'hard_mandatory',
  lists: ['unsubscribed'],
};

/** EUR 10,000.00 a month for the tenant: budget never decides here. */
const bigCap = {
  capId: 'tenant-month',
  tenantId: TENANT,
  scope: { type: 'tenant', value: TENANT },
  period: 'month',
  limit: { amountMinor: 1_000_000, currency: 'EUR' },
};

/** The fixture plan under another plan id (same contacts, same option). */
function wave(planId: string): HandoffPlan {
  const plan = fixturePlan();
  plan.planId = planId;
  return plan;
}

/** A harness whose policy is `rules`, with the suppression list file `unsubscribed` holding `hashes`. */
async function packHarness(rules: unknown[], hashes: string[] = [], config = {}) {
  const hubspot = scriptedAdapter('hubspot');
  const listDir = mkdtempSync(join(tmpdir(), 'handoff-sl-'));
  const listFile = join(listDir, 'unsubscribed.txt');
  writeFileSync(listFile, `# unsubscribes\n${hashes.join('\n')}\n`);
  h = await createHarness({
    policy: policyWith(...rules),
    caps: [bigCap],
    adapters: [hubspot.adapter],
    config: { suppressionLists: [{ id: 'unsubscribed', file: listFile }], ...config },
  });
  return { hubspot, listFile };
}

describe('the policy pack in the pipeline', () => {
  test('a second wave within the window breaches the frequency cap counted from what was dispatched', async () => {
    await packHarness([frequency]);
    const { copilot } = h.callers;
    const first = await h.gateway.submitPlan(copilot.principal, wave(fixturePlan().planId));
    expect(first.state).toBe('approved');
    // Before the first wave is dispatched nothing counts: the cap counts sends this gateway made.
    await h.runtime.dispatcher.runDue();
    const sends = await h.runtime.store.transaction((tx) =>
      tx.listSends(TENANT, [contactKey({ email: 'client-0007@example.com' })], 0),
    );
    expect(sends.map((s) => s.channel).sort()).toEqual(['email', 'phone']);
    expect(sends.every((s) => s.recipientKey.startsWith('contact:'))).toBe(true);

    h.clock.advance(3_600_000);
    const second = await h.gateway.submitPlan(
      copilot.principal,
      wave('019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f71'),
    );
    expect(second).toMatchObject({ state: 'rejected', reasonCode: 'POLICY_DENIED' });
    expect(second.decisions.find((d) => d.ruleId === 'messaging-pressure')).toMatchObject({
      decision: 'deny',
      reasonCode: 'FREQUENCY_CAP_EXCEEDED',
    });

    // Once the window has passed, the same wave goes through.
    h.clock.advance(72 * 3_600_000);
    const third = await h.gateway.submitPlan(
      copilot.principal,
      wave('019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f72'),
    );
    expect(third.state).toBe('approved');
  });

  test('a suppressed contact is refused at submission', async () => {
    await packHarness([suppression], [sha256Hex('client-0042@example.com')]);
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan());
    expect(view).toMatchObject({ state: 'rejected', reasonCode: 'POLICY_DENIED' });
    expect(view.decisions[0]).toMatchObject({
      reasonCode: 'CONTACT_SUPPRESSED',
      path: '/options/0/actions/0/params/contacts/1',
    });
  });

  test('a contact suppressed after approval is not sent: the action fails with CONTACT_SUPPRESSED', async () => {
    const { hubspot, listFile } = await packHarness([suppression]);
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan());
    expect(view.state).toBe('approved');
    writeFileSync(listFile, `${sha256Hex('client-0007@example.com')}\n`);

    const summary = await h.runtime.dispatcher.runDue();
    expect(summary).toMatchObject({ attempted: 0, abandoned: 1 });
    expect(hubspot.calls).toHaveLength(0);
    const [row] = await outboxOf(h, view.planId);
    expect(row).toMatchObject({ status: 'dead', lastError: 'CONTACT_SUPPRESSED', attempts: 0 });
    const types = await eventTypes(h, view.planId);
    // No attempt recorded the move to dispatching, so the claim records it with its own plan.state_changed.
    expect(types.filter((t) => t.startsWith('dispatch.')).slice(-2)).toEqual([
      'dispatch.failed',
      'dispatch.dead_lettered',
    ]);
    expect(types.at(-1)).toBe('plan.state_changed');
    const page = await h.gateway.queryLineage(h.callers.auditor.principal, {
      planId: view.planId,
      types: ['dispatch.failed'],
      limit: 10,
    });
    expect(page.items[0]?.data).toMatchObject({
      code: 'CONTACT_SUPPRESSED',
      suppressedContacts: 1,
      lists: ['unsubscribed'],
    });
    expect(JSON.stringify(page.items)).not.toContain('client-0007');
  });

  test('a shadow policy set records what it would decide and gates nothing; the verifier accepts it', async () => {
    const shadowRule = {
      id: 'strict-brand',
      type: 'brand_safety',
      enforcement: 'hard_mandatory',
      blockedTerms: ['call'],
    };
    await packHarness([suppression], [], {
      shadowPolicy: { inline: policyWith(shadowRule) },
    });
    const view = await h.gateway.submitPlan(h.callers.copilot.principal, fixturePlan());
    expect(view.state).toBe('approved');
    const page = await h.gateway.queryLineage(h.callers.auditor.principal, {
      planId: view.planId,
      types: ['policy.shadow_evaluated'],
      limit: 10,
    });
    expect(page.items).toHaveLength(2);
    expect(page.items[0]?.data).toMatchObject({
      optionId: 'call-prior-successes',
      outcome: 'deny',
      activeOutcome: 'allow',
      changed: true,
      policySetId: 'test-policy',
    });
    await h.close();
    const source = await openDatabaseSource(join(h.dir, 'gateway.db'));
    try {
      expect(await verifyLineage(source, { trust: 'unanchored' })).toMatchObject({ ok: true });
    } finally {
      source.close();
    }
  });
});
