import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { type HttpGateway, startHttpGateway } from '../http/http-fixture.js';
import { defaultCaps, fixturePlan } from '../support/harness.js';
import { runCli, tempDir, writeJson } from './cli-support.js';

/*
 * The operator's commands against a real gateway over HTTP: `handoff plan list`, `handoff control
 * pause|resume|list` and `handoff caps get|set` (issue 17), each as the role the procedure allows, with refusals.
 */

let gw: HttpGateway;
let planId: string;
const WORKFLOW = fixturePlan().workflow.workflowId;
beforeAll(async () => {
  gw = await startHttpGateway();
  const view = await gw.gateway.submitPlan(gw.callers.acme.copilot.principal, fixturePlan());
  planId = view.planId;
  expect(view.state).toBe('awaiting_approval');
});
afterAll(() => gw?.close());

const as = (role: 'operator' | 'auditor' | 'copilot') => [
  '--url',
  gw.url,
  '--api-key',
  gw.callers.acme[role].apiKey,
];

describe('handoff plan list', () => {
  test("lists the tenant's plans, filtered by state; an unknown state is a usage error", async () => {
    const text = await runCli('plan', 'list', ...as('auditor'));
    expect(text.code, text.err).toBe(EXIT.OK);
    expect(text.out).toContain(
      `${planId} awaiting_approval ${WORKFLOW} option call-prior-successes`,
    );
    const json = await runCli(
      'plan',
      'list',
      '--state',
      'awaiting_approval,paused',
      '--json',
      ...as('operator'),
    );
    expect(JSON.parse(json.out).items.map((p: { planId: string }) => p.planId)).toEqual([planId]);
    const none = await runCli('plan', 'list', '--state', 'dispatched', ...as('operator'));
    expect(none.out).toBe('no plans');
    const bad = await runCli('plan', 'list', '--state', 'sleeping', ...as('operator'));
    expect(bad.code).toBe(EXIT.USAGE);
    expect(bad.err).toContain('Unknown state sleeping');
  });
});

describe('handoff plan get', () => {
  test('prints every option with its actions and their parameters', async () => {
    const got = await runCli('plan', 'get', planId, ...as('auditor'));
    expect(got.code, got.err).toBe(EXIT.OK);
    const [first, ...rest] = got.out.split('\n');
    expect(first).toContain(`plan ${planId}: awaiting_approval`);
    for (const option of fixturePlan().options) {
      expect(rest).toContain(
        `  option ${option.optionId}${option.optionId === fixturePlan().recommendedOptionId ? ' (recommended)' : ''}: ${option.title}`,
      );
      for (const a of option.actions) {
        const prefix = `    ${a.actionId} ${a.type} on ${a.adapter}: `;
        const line = rest.find((l) => l.startsWith(prefix));
        expect(JSON.parse(line?.slice(prefix.length) ?? 'null')).toEqual(a.params);
      }
    }
  });
});

describe('handoff control', () => {
  test('pause, list with what it holds, resume; a resume of nothing is refused', async () => {
    const paused = await runCli(
      'control',
      'pause',
      'workflow',
      WORKFLOW,
      '--reason',
      'incident 7',
      ...as('operator'),
    );
    expect(paused.code, paused.err).toBe(EXIT.OK);
    expect(paused.out).toContain(`paused workflow:${WORKFLOW}: 1 plan(s)`);
    const listed = await runCli('control', 'list', ...as('auditor'));
    expect(listed.out).toContain(`workflow:${WORKFLOW} paused by acme-operator`);
    expect(listed.out).toContain(`holds 1 plan(s): ${planId} (from awaiting_approval)`);
    const json = JSON.parse((await runCli('control', 'list', '--json', ...as('operator'))).out);
    expect(json).toEqual([
      expect.objectContaining({
        reason: 'incident 7',
        holding: [{ planId, pausedFrom: 'awaiting_approval' }],
      }),
    ]);
    const resumed = await runCli('control', 'resume', 'workflow', WORKFLOW, ...as('operator'));
    expect(resumed.out).toContain(`resumed workflow:${WORKFLOW}: 1 plan(s)`);
    expect((await runCli('control', 'list', ...as('operator'))).out).toBe('no pause in force');

    const again = await runCli(
      'control',
      'resume',
      'workflow',
      WORKFLOW,
      '--json',
      ...as('operator'),
    );
    expect(again.code).toBe(EXIT.REFUSED);
    expect(JSON.parse(again.out).error.code).toBe('NOT_FOUND');
    const copilot = await runCli(
      'control',
      'pause',
      'tenant',
      'acme-bank',
      '--reason',
      'x',
      ...as('copilot'),
    );
    expect(copilot.code).toBe(EXIT.REFUSED);
    expect(copilot.err).toContain('FORBIDDEN');
    const badScope = await runCli(
      'control',
      'pause',
      'galaxy',
      'x',
      '--reason',
      'x',
      ...as('operator'),
    );
    expect(badScope.code).toBe(EXIT.USAGE);
  });
});

describe('handoff caps', () => {
  test('get shows limit, reserved, committed and headroom; set replaces; an empty set needs --force', async () => {
    const got = await runCli('caps', 'get', ...as('auditor'));
    expect(got.code, got.err).toBe(EXIT.OK);
    expect(got.out).toMatch(
      /^tenant-month \(tenant acme-bank, month month:\d{4}-\d{2}\): limit EUR 1000\.00, reserved EUR 645\.00, committed EUR 0\.00, headroom EUR 355\.00$/m,
    );
    const dir = tempDir();
    const one = writeJson(dir, 'caps.json', { caps: defaultCaps().slice(0, 1) });
    const set = await runCli('caps', 'set', one, ...as('operator'));
    expect(set.out).toBe('set 1 cap(s): tenant-month');
    expect(JSON.parse((await runCli('caps', 'get', '--json', ...as('operator'))).out)).toHaveLength(
      1,
    );

    const empty = writeJson(dir, 'empty.json', []);
    const refused = await runCli('caps', 'set', empty, '--json', ...as('operator'));
    expect(refused.code).toBe(EXIT.REFUSED);
    expect(JSON.parse(refused.out).error.code).toBe('BUDGET_CAPS_EMPTY');
    expect(JSON.parse((await runCli('caps', 'get', '--json', ...as('operator'))).out)).toHaveLength(
      1,
    );
    const forced = await runCli('caps', 'set', empty, '--force', ...as('operator'));
    expect(forced.out).toBe('removed every cap');
    expect((await runCli('caps', 'get', ...as('operator'))).out).toBe(
      'no caps: spending is not limited',
    );

    const bad = await runCli(
      'caps',
      'set',
      writeJson(dir, 'bad.json', [{ capId: 'x' }]),
      ...as('operator'),
    );
    expect(bad.code).toBe(EXIT.REFUSED);
    expect(bad.err).toContain('BUDGET_CAP_INVALID');
  });
});
