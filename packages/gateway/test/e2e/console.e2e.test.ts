import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createHubSpotFake, type ServedFake, serveFake } from '@handoff/automation-adapter/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { E2E_HUBSPOT_TOKEN, freshPlan } from '../cli/e2e-setup.js';
import {
  credentialsOf,
  enrolAndSignIn,
  errorShown,
  launchChromium,
  newPerson,
  type Person,
} from './console-browser.js';
import {
  BACKUP_ROLE,
  type ConsoleGateway,
  ESCALATION_SECONDS,
  ensureConsoleBuilt,
  invite,
  SCREENSHOTS,
  startConsoleGateway,
  submitPlan,
} from './console-gateway.js';

/**
 * The console end to end (issue 17, "Done when"): a real `handoff gateway start` process, the console it serves
 * at http://localhost:<port>/console/, headless Chromium with one virtual authenticator per person. Two approvers
 * enrol from invitation links, see the waiting plan, approve it with two passkeys and watch it dispatch; a
 * narrowed approval; a rejection the copilot reads back; an altered view refused; one approver cannot sign with
 * another's passkey. Screenshots of the inbox, the plan page and the operator page go to the gateway's docs.
 */

const PLAN = {
  dispatched: '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6a01',
  narrowed: '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6a02',
  rejected: '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6a03',
  altered: '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6a04',
  impersonated: '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6a05',
  escalated: '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6a06',
};
const TIMEOUT = 90_000;

const hubspot = createHubSpotFake({ accessToken: E2E_HUBSPOT_TOKEN, workflowIds: ['12345678'] });
let served: ServedFake;
let gateway: ConsoleGateway;
let browser: Browser;
let finance: Person;
let marketing: Person;
let operator: Person;

beforeAll(async () => {
  ensureConsoleBuilt();
  mkdirSync(SCREENSHOTS, { recursive: true });
  served = await serveFake(hubspot.handlers, hubspot.baseUrl);
  gateway = await startConsoleGateway(served.url);
  // Submitted first: its gate's deadline (ESCALATION_SECONDS) runs while the other scenarios do.
  await submitPlan(gateway, PLAN.escalated);
  browser = await launchChromium();
}, TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await gateway?.child.stop();
  await served?.close();
  if (gateway) rmSync(gateway.folder.dir, { recursive: true, force: true });
});

/** Opens the plan page and waits until the option's view model is rendered. */
async function openPlan(page: Page, planId: string): Promise<void> {
  await page.goto(`${gateway.origin}/console/plans/${planId}`);
  await page.getByTestId('approval-view').waitFor();
}

/** Signs the decision form as it stands; waits for the console to say it is recorded. */
async function sign(page: Page): Promise<void> {
  await page.getByTestId('sign-decision').click();
  await page.getByTestId('notice').waitFor();
}

async function stateOf(planId: string): Promise<string> {
  return (await gateway.copilot.plans.get.query({ planId })).state;
}

describe('the approval console in headless Chromium', () => {
  test(
    'two approvers and an operator enrol from one-time links and sign in with their passkeys',
    async () => {
      finance = await newPerson(browser, 'finance');
      marketing = await newPerson(browser, 'marketing');
      operator = await newPerson(browser, 'operator');
      await enrolAndSignIn(
        finance,
        await invite(gateway, 'fran.finance', ['finance']),
        'fran.finance',
      );
      await enrolAndSignIn(
        marketing,
        await invite(gateway, 'mona.marketing', ['marketing_lead']),
        'mona.marketing',
      );
      await enrolAndSignIn(
        operator,
        await invite(gateway, 'olga.ops', [], ['operator']),
        'olga.ops',
      );
      // A link works once.
      const link = await invite(gateway, 'once.only', ['finance']);
      const other = await newPerson(browser, 'other');
      await enrolAndSignIn(other, link, 'once.only');
      const again = await other.context.newPage();
      await again.goto(link);
      expect(await errorShown(again)).toContain('ENROLMENT_TOKEN_INVALID');
      await other.context.close();
    },
    TIMEOUT,
  );

  test(
    'the waiting plan is in the inbox with a countdown; two passkey approvals dispatch it',
    async () => {
      await submitPlan(gateway, PLAN.dispatched);
      const { page } = finance;
      await page.goto(`${gateway.origin}/console/`);
      const row = page.locator(`tr[data-plan="${PLAN.dispatched}"]`);
      await row.waitFor();
      expect(await row.locator('time').textContent()).toMatch(/left$/);
      await page.screenshot({ path: join(SCREENSHOTS, 'console-inbox.png'), fullPage: true });
      await row.locator('a').click();
      await page.getByTestId('approval-view').waitFor();
      expect(await page.getByTestId('action').count()).toBe(1);
      expect(await page.getByTestId('action').textContent()).toContain('12345678');
      expect(await page.getByTestId('forecast').locator('svg text').count()).toBe(3);
      // Approvers read the caps (budget.getCaps): the budget is shown against each cap's headroom.
      expect(await page.getByTestId('cap-headroom').textContent()).toContain('tenant-month');
      expect(await page.getByTestId('policy-rules').locator('tbody tr').count()).toBeGreaterThan(1);
      await page.screenshot({ path: join(SCREENSHOTS, 'console-plan.png'), fullPage: true });
      await sign(page);
      expect(await page.getByTestId('decided').textContent()).toContain('fran.finance');
      expect(await stateOf(PLAN.dispatched)).toBe('awaiting_approval');

      await openPlan(marketing.page, PLAN.dispatched);
      expect(await marketing.page.getByTestId('decided').textContent()).toContain('fran.finance');
      await sign(marketing.page);
      await expect
        .poll(
          async () => {
            await marketing.page.reload();
            return marketing.page.getByTestId('plan-state').textContent();
          },
          { timeout: 30_000, interval: 250 },
        )
        .toBe('dispatched');
      expect(hubspot.enrollments.length).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  test(
    'a narrowed approval authorises less than the plan asked for, never more',
    async () => {
      const plan = freshPlan(PLAN.narrowed);
      const [option] = plan.options;
      if (!option) throw new Error('fixture shape');
      option.budget = { ...option.budget, amount: { amountMinor: 80_000, currency: 'EUR' } };
      expect((await gateway.copilot.plans.submit.mutate({ plan })).state).toBe('awaiting_approval');
      const { page } = finance;
      await openPlan(page, PLAN.narrowed);
      await page.getByTestId('max-spend-input').fill('900.00');
      expect(await page.getByTestId('sign-decision').isDisabled()).toBe(true);
      await page.getByTestId('max-spend-input').fill('700.00');
      await sign(page);
      const view = await gateway.copilot.plans.get.query({ planId: PLAN.narrowed });
      expect(view.approvals).toEqual([
        expect.objectContaining({
          approver: 'fran.finance',
          decision: 'approve',
          maxSpend: { amountMinor: 70_000, currency: 'EUR' },
        }),
      ]);
    },
    TIMEOUT,
  );

  test(
    'a rejection with a reason ends the plan, the copilot reads the reason back, a stale page cannot decide',
    async () => {
      await submitPlan(gateway, PLAN.rejected);
      // Finance has the plan page open while marketing rejects the plan.
      await openPlan(finance.page, PLAN.rejected);
      const { page } = marketing;
      await openPlan(page, PLAN.rejected);
      await page.getByTestId('choose-reject').check();
      await page.getByTestId('reason').fill('Call lists need the Q4 consent refresh first');
      await sign(page);
      const view = await gateway.copilot.plans.get.query({ planId: PLAN.rejected });
      expect(view.state).toBe('rejected');
      expect(view.approvals).toEqual([
        expect.objectContaining({
          approver: 'mona.marketing',
          decision: 'reject',
          reason: 'Call lists need the Q4 consent refresh first',
        }),
      ]);
      // Finance's page is stale now: deciding from it is refused, and says so.
      await finance.page.getByTestId('sign-decision').click();
      expect(await errorShown(finance.page)).toContain('out of date');
      expect(await stateOf(PLAN.rejected)).toBe('rejected');
    },
    TIMEOUT,
  );

  test(
    'an approval over a view that differs from what the gateway holds is refused and changes nothing',
    async () => {
      await submitPlan(gateway, PLAN.altered);
      const { page } = finance;
      await page.route('**/approvals.view?*', async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as {
          result: { data: { view: { option: { audience: { estimatedSize: number } } } } };
        };
        body.result.data.view.option.audience.estimatedSize = 12;
        await route.fulfill({ response, json: body });
      });
      try {
        await openPlan(page, PLAN.altered);
        expect(await page.getByTestId('audience-size').textContent()).toBe('12');
        await page.getByTestId('sign-decision').click();
        expect(await errorShown(page)).toContain('APPROVAL_VIEW_MISMATCH');
      } finally {
        await page.unroute('**/approvals.view?*');
      }
      const view = await gateway.copilot.plans.get.query({ planId: PLAN.altered });
      expect(view).toMatchObject({ state: 'awaiting_approval', approvals: [] });
    },
    TIMEOUT,
  );

  test(
    "one approver cannot sign with another's passkey",
    async () => {
      await submitPlan(gateway, PLAN.impersonated);
      // Finance's authenticator now holds marketing's credential (private key included) instead of its own.
      const [own] = await credentialsOf(finance);
      const [stolen] = await credentialsOf(marketing);
      if (!own || !stolen) throw new Error('both approvers enrolled a passkey');
      await finance.cdp.send('WebAuthn.removeCredential', {
        authenticatorId: finance.authenticatorId,
        credentialId: own.credentialId,
      });
      await finance.cdp.send('WebAuthn.addCredential', {
        authenticatorId: finance.authenticatorId,
        credential: stolen,
      });
      const { page } = finance;
      // Without the allow list the browser would refuse on its own: the gateway must refuse.
      await page.route('**/approvals.passkeyOptions', async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as {
          result: { data: { options: Record<string, unknown> } };
        };
        delete body.result.data.options.allowCredentials;
        await route.fulfill({ response, json: body });
      });
      try {
        await openPlan(page, PLAN.impersonated);
        await page.getByTestId('sign-decision').click();
        expect(await errorShown(page)).toContain('APPROVAL_SUBJECT_MISMATCH');
      } finally {
        await page.unroute('**/approvals.passkeyOptions');
        await finance.cdp.send('WebAuthn.removeCredential', {
          authenticatorId: finance.authenticatorId,
          credentialId: stolen.credentialId,
        });
        await finance.cdp.send('WebAuthn.addCredential', {
          authenticatorId: finance.authenticatorId,
          credential: own,
        });
      }
      const view = await gateway.copilot.plans.get.query({ planId: PLAN.impersonated });
      expect(view).toMatchObject({ state: 'awaiting_approval', approvals: [] });
    },
    TIMEOUT,
  );

  test(
    'the operator pauses and resumes a workflow, sees caps with usage, and an approver may not open the page',
    async () => {
      const { page } = operator;
      await page.goto(`${gateway.origin}/console/operator`);
      await page.getByTestId('caps').waitFor();
      expect(await page.getByTestId('caps').textContent()).toContain('tenant-month');
      await page.getByTestId('pause-scope').selectOption('workflow');
      await page.getByTestId('pause-value').fill('term-deposit-q4');
      await page.getByTestId('pause-reason').fill('Call centre closed for the audit');
      await page.getByTestId('pause').click();
      await expect
        .poll(() => page.getByTestId('pauses').textContent())
        .toContain('Call centre closed');
      await page.screenshot({ path: join(SCREENSHOTS, 'console-operator.png'), fullPage: true });
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.getByTestId('no-pauses').waitFor();
      expect(await stateOf(PLAN.altered)).toBe('awaiting_approval');
      // The trace of the dispatched plan: the two passkey approvals and the dispatch to HubSpot.
      await page.goto(`${gateway.origin}/console/auditor`);
      await page.getByTestId('trace-target').fill(PLAN.dispatched);
      await page.getByTestId('trace-run').click();
      await page.getByTestId('trace').waitFor();
      const trace = (await page.getByTestId('trace').textContent()) ?? '';
      expect(trace).toContain('fran.finance');
      expect(trace).toContain('mona.marketing');
      expect(trace).toContain('via hubspot: succeeded');
      // The log's verification status: the latest signed tree head, and every event of the plan included in it,
      // each inclusion proof verified in the browser against the head's root.
      const head = page.getByTestId('tree-head');
      await head.waitFor();
      expect(await head.textContent()).toMatch(/\d+ events, root sha256:[0-9a-f]{64}, signed at /);
      const inclusions = page.getByTestId('inclusions').locator('li');
      const events = await inclusions.count();
      expect(events).toBeGreaterThan(0);
      await expect
        .poll(() =>
          page.locator('[data-testid="inclusions"] li[data-inclusion="included"]').count(),
        )
        .toBe(events);
      await finance.page.goto(`${gateway.origin}/console/operator`);
      expect(await errorShown(finance.page)).toContain('FORBIDDEN');
    },
    TIMEOUT,
  );

  test(
    'at the gate deadline the plan escalates: it reaches the backup role, who approves it with a passkey',
    async () => {
      const risk = await newPerson(browser, 'risk');
      await enrolAndSignIn(risk, await invite(gateway, 'rick.risk', [BACKUP_ROLE]), 'rick.risk');
      const before = await gateway.copilot.plans.get.query({ planId: PLAN.escalated });
      const deadline = before.gates[0]?.deadline;
      expect(deadline).toMatchObject({ action: 'escalate', backupRoles: [BACKUP_ROLE] });
      const { page } = risk;
      await page.goto(`${gateway.origin}/console/`);
      // The inbox refreshes itself; the plan shows up once the sweep has escalated the gate.
      const row = page.locator(`tr[data-plan="${PLAN.escalated}"]`);
      await row.waitFor({ timeout: (ESCALATION_SECONDS + 30) * 1000 });
      const after = await gateway.copilot.plans.get.query({ planId: PLAN.escalated });
      expect(after.gates[0]?.roles).toContain(BACKUP_ROLE);
      expect(after.gates[0]?.deadline?.escalated).toBe(true);
      await row.locator('a').click();
      await page.getByTestId('approval-view').waitFor();
      expect(await page.getByTestId('gate-deadline').first().textContent()).toContain(
        `escalates to ${BACKUP_ROLE} (escalated)`,
      );
      await sign(page);
      expect(await page.getByTestId('decided').textContent()).toContain('rick.risk');
      await risk.context.close();
    },
    (ESCALATION_SECONDS + 90) * 1000,
  );
});
