import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { ConsoleBrowser } from '../console/console-browser.js';
import { type HttpGateway, startHttpGateway } from '../http/http-fixture.js';
import { OTHER_TENANT, TENANT } from '../support/harness.js';
import { runCli } from './cli-support.js';

let gw: HttpGateway;
beforeAll(async () => {
  gw = await startHttpGateway();
});
afterAll(() => gw?.close());

function remote(who: 'operator' | 'approver', json = true) {
  return ['--url', gw.url, '--api-key', gw.callers.acme[who].apiKey, ...(json ? ['--json'] : [])];
}

describe('handoff approvers invite', () => {
  test('prints a one-time enrolment link that opens the enrolment of that person', async () => {
    const invited = await runCli(
      'approvers',
      'invite',
      '--tenant',
      TENANT,
      '--subject',
      'nora.finance',
      '--roles',
      'finance',
      '--access',
      'approver,auditor',
      ...remote('operator', false),
    );
    expect(invited.code, invited.err).toBe(EXIT.OK);
    const link = /http:\/\/localhost\/console\/enrol#([A-Za-z0-9_-]{43})/.exec(invited.out);
    expect(invited.out).toContain('enrolment link for nora.finance (acme-bank)');
    const token = link?.[1] ?? '';
    const browser = new ConsoleBrowser(gw.url);
    const options = await browser.ok('passkeys.enrolOptions', 'mutation', { token });
    expect(options).toMatchObject({ tenantId: TENANT, subject: 'nora.finance' });
  });

  test('another tenant, an unknown access and a non-operator are refused', async () => {
    const base = ['approvers', 'invite', '--subject', 'x.y', '--roles', 'finance'];
    const foreign = await runCli(...base, '--tenant', OTHER_TENANT, ...remote('operator'));
    expect(foreign.code).toBe(EXIT.REFUSED);
    expect(foreign.out + foreign.err).toContain('FORBIDDEN');
    const badAccess = await runCli(...base, '--access', 'root', ...remote('operator'));
    expect(badAccess.code).toBe(EXIT.USAGE);
    const approver = await runCli(...base, ...remote('approver'));
    expect(approver.code).toBe(EXIT.REFUSED);
  });
});
