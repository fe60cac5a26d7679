import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { type HttpGateway, rawCall, startHttpGateway } from '../http/http-fixture.js';
import { runCli } from './cli-support.js';
import { extractCommands, handoffOptions, handoffPaths } from './readme-commands.js';

/**
 * docs/deployment.md is not a README, so the README command test does not read it: here every `handoff …` command
 * it shows (fenced shell lines and inline code) must name commands and options the CLI has, and the gateway
 * README must link to it. Its host commands (systemctl, curl) are shown for a deployed host, not run.
 */

const gatewayRoot = join(new URL('.', import.meta.url).pathname, '../..');
const doc = readFileSync(join(gatewayRoot, 'docs/deployment.md'), 'utf8');
const shown = extractCommands('packages/gateway/docs/deployment.md', doc).map((c) => c.text);
const handoffCommands = shown.filter((text) => /^handoff\s/.test(text));

/** A `curl` line of the runbook as a tRPC call: `-X POST` is a mutation, the path follows the host, `-d` the input. */
function curlCall(line: string): { path: string; type: 'query' | 'mutation'; input?: unknown } {
  const path = /http:\/\/127\.0\.0\.1:8787\/([\w.]+)/.exec(line)?.[1];
  if (path === undefined) throw new Error(`no gateway path in ${line}`);
  const data = / -d '([^']*)'/.exec(line)?.[1];
  return {
    path,
    type: line.includes('-X POST') ? 'mutation' : 'query',
    ...(data === undefined ? {} : { input: JSON.parse(data) as unknown }),
  };
}

describe('docs/deployment.md', () => {
  test('shows the backup, dispatch, approvers and lineage commands an operator needs', () => {
    const paths = new Set(handoffCommands.flatMap(handoffPaths).map((p) => p.join(' ')));
    for (const needed of [
      'db backup',
      'dispatch list',
      'dispatch retry',
      'dispatch confirm',
      'dispatch abandon',
      'approvers rotate',
      'approvers revoke',
      'lineage verify',
      'lineage jwks',
    ]) {
      expect(paths).toContain(needed);
    }
  });

  test('every `handoff …` command names a command, and options, the CLI has', async () => {
    const problems: string[] = [];
    for (const command of handoffCommands) {
      const helps = await Promise.all(handoffPaths(command).map((p) => runCli(...p, '--help')));
      const text = helps.map((h) => h.out).join('\n');
      if (helps.some((h) => h.code !== EXIT.OK)) problems.push(`${command}: no such command`);
      for (const option of handoffOptions(command)) {
        if (!text.includes(option)) problems.push(`${command}: no option ${option}`);
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);

  test('the gateway README links to it', () => {
    expect(readFileSync(join(gatewayRoot, 'README.md'), 'utf8')).toContain('(docs/deployment.md)');
  });

  test('the systemd unit runs `gateway start` and does not restart on configuration or lock errors', () => {
    expect(doc).toMatch(/^ExecStart=.*handoff\.mjs gateway start --config \S+/m);
    expect(doc).toMatch(
      new RegExp(`^RestartPreventExitStatus=${EXIT.USAGE} ${EXIT.CONFIG} ${EXIT.IN_USE}$`, 'm'),
    );
  });
});

describe('the kill-switch calls of the runbook, as written, against a gateway', () => {
  let gw: HttpGateway;
  beforeAll(async () => {
    gw = await startHttpGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  test('pause, list and resume the tenant answer 200, and list shows the pause', async () => {
    const calls = shown.filter((text) => text.startsWith('curl ')).map(curlCall);
    expect(calls.map((c) => `${c.type} ${c.path}`)).toEqual([
      'mutation control.pause',
      'query control.list',
      'mutation control.resume',
    ]);
    const credential = gw.callers.acme.operator.apiKey;
    const answers = [];
    for (const call of calls)
      answers.push(await rawCall(gw.url, call.path, { ...call, credential }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(JSON.stringify(answers[1]?.body)).toContain('"scopeValue":"acme-bank"');
    const after = await rawCall(gw.url, 'control.list', { type: 'query', credential });
    expect(JSON.stringify(after.body)).not.toContain('"scopeValue":"acme-bank"');
  }, 60_000);
});
