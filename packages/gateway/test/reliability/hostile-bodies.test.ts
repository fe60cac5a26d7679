import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type HttpGateway, rawCall, startHttpGateway } from '../http/http-fixture.js';
import { fixturePlan } from '../support/harness.js';
import { expectRefusedUnchanged, submitBody, submitRaw, type WireBody } from './hostile-support.js';
import { tally } from './tally.js';

/**
 * Hand-made hostile bodies against a real gateway over HTTP (127.0.0.1): oversized and deeply nested bodies,
 * prototype-pollution keys, invalid UTF-8 and lone surrogates, float and huge money, wrong protocol versions and
 * transport junk. Each must get a structured 4xx error, write nothing, and leave the gateway serving.
 */

const VALIDATION = ['VALIDATION_FAILED'] as const;
const CONTRACT = ['VALIDATION_FAILED', 'UNSUPPORTED_VERSION'] as const;

let gw: HttpGateway;
beforeAll(async () => {
  gw = await startHttpGateway();
});
afterAll(() => gw?.close());

/** The fixture's JSON text with `"title": "<first option title>"` replaced by `replacement` (raw JSON text). */
function planWithTitle(replacement: string): string {
  const text = JSON.stringify(fixturePlan());
  const title = JSON.stringify(fixturePlan().options[0]?.title);
  expect(text).toContain(title);
  return text.replace(title, replacement);
}

/** The fixture's JSON text with one more member `"key": <valueJson>` in the object at `where` ('' = root). */
function planWithMember(where: 'root' | 'workflow' | 'params', key: string, valueJson: string) {
  const member = `${JSON.stringify(key)}:${valueJson},`;
  const text = JSON.stringify(fixturePlan());
  const anchor = {
    root: '{"protocolVersion"',
    workflow: '"workflow":{',
    params: '"params":{',
  }[where];
  const at =
    text.indexOf(anchor) + anchor.length - (where === 'root' ? '"protocolVersion"'.length : 0);
  return `${text.slice(0, at)}${member}${text.slice(at)}`;
}

/** The fixture's JSON text with the first action's `estimatedCost.amountMinor` written as `numberText`. */
function planWithCost(numberText: string): string {
  const anchor = '"estimatedCost":{"amountMinor":64500';
  const text = JSON.stringify(fixturePlan());
  expect(text).toContain(anchor);
  return text.replace(anchor, `"estimatedCost":{"amountMinor":${numberText}`);
}

describe('oversized and deeply nested bodies', () => {
  test('each is refused structurally, nothing written, the gateway keeps serving', async ({
    task,
  }) => {
    const t = tally(task, 'hostile input');
    const depth = 200_000;
    const bodies: [string, WireBody, readonly string[] | undefined][] = [
      ['2 MiB of valid JSON', submitBody(`"${'x'.repeat(2 * 1_048_576)}"`), ['PAYLOAD_TOO_LARGE']],
      ['nested arrays', submitBody(`${'['.repeat(depth)}${']'.repeat(depth)}`), VALIDATION],
      [
        'nested objects',
        submitBody(`${'{"a":'.repeat(depth / 5)}1${'}'.repeat(depth / 5)}`),
        VALIDATION,
      ],
      [
        'nested arrays inside the plan',
        planWithMember('params', 'data', `${'['.repeat(depth)}${']'.repeat(depth)}`),
        VALIDATION,
      ],
      [
        '60,000 members',
        submitBody(`{${Array.from({ length: 60_000 }, (_, i) => `"k${i}":0`)}}`),
        VALIDATION,
      ],
    ];
    for (const [label, body, codes] of bodies) {
      await expectRefusedUnchanged(gw, t, () => submitRaw(gw, body), {
        label,
        ...(codes ? { codes } : {}),
      });
    }
  });
});

describe('prototype-pollution keys', () => {
  test('__proto__, constructor and prototype keys are refused, Object.prototype untouched', async ({
    task,
  }) => {
    const t = tally(task, 'hostile input');
    const poison = '{"polluted":"yes","isAdmin":true,"roles":["operator"]}';
    const plans = [
      planWithMember('root', '__proto__', poison),
      planWithMember('root', 'constructor', `{"prototype":${poison}}`),
      planWithMember('workflow', '__proto__', poison),
      planWithMember('params', '__proto__', poison),
      planWithMember('params', 'constructor', `{"prototype":${poison}}`),
      planWithMember('params', 'prototype', poison),
    ];
    for (const [index, plan] of plans.entries()) {
      await expectRefusedUnchanged(gw, t, () => submitRaw(gw, submitBody(plan)), {
        label: `plan ${index}`,
        codes: VALIDATION,
        withIssues: true,
      });
    }
    const fixture = JSON.stringify(fixturePlan());
    for (const input of [
      `{"__proto__":${poison},"plan":${fixture}}`,
      `{"plan":${fixture},"constructor":{"prototype":${poison}}}`,
    ]) {
      await expectRefusedUnchanged(gw, t, () => submitRaw(gw, input), { codes: VALIDATION });
    }
  });
});

describe('text encoding', () => {
  test('lone surrogates (escaped in JSON) are refused, naming the string', async ({ task }) => {
    const t = tally(task, 'hostile input');
    for (const title of ['"\\ud800"', '"a\\udc00b"', '"\\udbff\\u0041"', '"ok \\ud83d"']) {
      const answer = await expectRefusedUnchanged(
        gw,
        t,
        () => submitRaw(gw, submitBody(planWithTitle(title))),
        { label: title, codes: VALIDATION, withIssues: true },
      );
      expect(answer.envelope?.issues[0]?.path).toBe('/options/0/title');
    }
    // A well-formed pair (an emoji, escaped) is text, and is accepted.
    const emoji = await submitRaw(gw, submitBody(planWithTitle('"ok \\ud83d\\ude80"')));
    expect(emoji.status).toBe(200);
  });

  // Found as a gap by this suite: tRPC decodes bodies leniently (bad bytes become U+FFFD). The gateway's HTTP
  // server now watches each body with a fatal UTF-8 decoder and refuses it before any procedure runs.
  test('invalid UTF-8 byte sequences are refused', async ({ task }) => {
    const t = tally(task, 'hostile input');
    const [head, tail] = submitBody(planWithTitle('"@@"')).split('@@');
    const sequences = [[0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80]];
    for (const bytes of sequences) {
      const body = new Uint8Array(
        Buffer.concat([Buffer.from(head ?? ''), Buffer.from(bytes), Buffer.from(tail ?? '')]),
      );
      await expectRefusedUnchanged(gw, t, () => submitRaw(gw, body), {
        label: bytes.map((b) => b.toString(16)).join(' '),
        codes: VALIDATION,
      });
    }
  });
});

describe('money', () => {
  test('float, huge, negative and string amounts, and bad currencies are refused with issues', async ({
    task,
  }) => {
    const t = tally(task, 'hostile input');
    const amounts = ['645.5', '1e21', '9007199254740993', '-64500', '"64500"', '1e400', 'null'];
    for (const amount of amounts) {
      const answer = await expectRefusedUnchanged(
        gw,
        t,
        () => submitRaw(gw, submitBody(planWithCost(amount))),
        { label: amount, codes: VALIDATION, withIssues: true },
      );
      expect(
        answer.envelope?.issues.map((i) => i.path),
        amount,
      ).toContain('/options/0/actions/0/estimatedCost/amountMinor');
    }
    for (const currency of ['eur', 'XAU', 'EURO', '']) {
      const plan = JSON.stringify(fixturePlan()).replace(
        '"currency":"EUR"',
        `"currency":"${currency}"`,
      );
      await expectRefusedUnchanged(gw, t, () => submitRaw(gw, submitBody(plan)), {
        label: currency,
        codes: VALIDATION,
        withIssues: true,
      });
    }
  });
});

describe('versions', () => {
  test('unknown, malformed and missing protocol versions are refused', async ({ task }) => {
    const t = tally(task, 'hostile input');
    for (const version of ['"2.0"', '"0.9"', '"1.0.0"', '1', '1.0', 'null', '"v1"']) {
      const plan = JSON.stringify(fixturePlan()).replace(
        '"protocolVersion":"1.0"',
        `"protocolVersion":${version}`,
      );
      const answer = await expectRefusedUnchanged(gw, t, () => submitRaw(gw, submitBody(plan)), {
        label: version,
        codes: CONTRACT,
        withIssues: true,
      });
      if (answer.envelope?.code === 'UNSUPPORTED_VERSION') {
        expect(answer.envelope.supportedVersions).toContain('1.0');
      }
    }
    const { protocolVersion: _dropped, ...unversioned } = fixturePlan();
    await expectRefusedUnchanged(
      gw,
      t,
      () => submitRaw(gw, submitBody(JSON.stringify(unversioned))),
      { codes: CONTRACT, withIssues: true },
    );
  });
});

describe('transport junk', () => {
  test('non-JSON, empty, wrongly typed and wrongly sent bodies are refused', async ({ task }) => {
    const t = tally(task, 'hostile input');
    const fixture = JSON.stringify(fixturePlan());
    const bodies = ['', 'not json', '{"plan":', 'null', '[]', '"plan"', '{"plan":null}', '{}'];
    for (const body of bodies) {
      await expectRefusedUnchanged(gw, t, () => submitRaw(gw, body), { label: body });
    }
    await expectRefusedUnchanged(gw, t, () => submitRaw(gw, submitBody(fixture), 'text/plain'), {
      label: 'text/plain',
    });
    await expectRefusedUnchanged(
      gw,
      t,
      () =>
        rawCall(gw.url, 'plans.submit', {
          type: 'query',
          input: { plan: fixturePlan() },
          credential: gw.callers.acme.copilot.apiKey,
        }),
      { label: 'GET of a mutation' },
    );
  });
});
