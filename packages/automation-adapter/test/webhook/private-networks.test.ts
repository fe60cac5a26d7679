import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  AdapterError,
  createWebhookAdapter,
  type ExecuteContext,
  guardedLookup,
  type WebhookResolver,
} from '../../src/index.js';
import { SECRET, webhookAction } from '../conformance/webhook-subject.js';

const NOW_MS = Date.UTC(2026, 2, 1, 9, 30);
const signing = { scheme: 'v1', secret: SECRET } as const;

/** Every spelling of loopback and private targets the adapter must refuse without the opt-in. */
const SPELLINGS = [
  'https://localhost./hook',
  'https://LOCALHOST/hook',
  'https://app.localhost./hook',
  'https://127.1/hook',
  'https://2130706433/hook',
  'https://0x7f000001/hook',
  'https://0177.0.0.1/hook',
  'https://127.0.0.1./hook',
  'https://[::1]/hook',
  'https://[::ffff:127.0.0.1]/hook',
  'https://[::ffff:a00:1]/hook',
  'https://10.0.0.1/hook',
  'https://192.168.1.1/hook',
  'https://172.16.5.4/hook',
  'https://169.254.169.254/latest/meta-data',
  'https://[fd00::1]/hook',
  'https://[fe80::1]/hook',
  'https://0.0.0.0/hook',
  'https://[::]/hook',
  'https://[0:0:0:0:0:0:0:1]/hook',
  'https://[::ffff:7f00:1]/hook',
  'https://[64:ff9b::a9fe:a9fe]/hook',
  'https://100.64.0.1/hook',
  'https://0xa9.0xfe.0xa9.0xfe/hook',
];

function ctx(fetch: typeof globalThis.fetch): ExecuteContext {
  return {
    idempotencyKey: 'plan-7:opt-a:0',
    signal: new AbortController().signal,
    fetch,
    now: () => NOW_MS,
    queuedAt: NOW_MS,
    attempt: 1,
  };
}

/** A fetch that answers 200 and records each URL it was asked for, without touching the network. */
function recordingFetch(): { fetch: typeof globalThis.fetch; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: async (input) => {
      urls.push(String(input));
      return new Response(null, { status: 200 });
    },
  };
}

const toLoopback: WebhookResolver = async () => [{ address: '127.0.0.1', family: 4 }];

describe('private webhook targets', () => {
  test.each(SPELLINGS)('%s is refused without the opt-in and accepted with it', (url) => {
    const closed = createWebhookAdapter({ signing });
    const refused = closed.validate(webhookAction({ url }));
    expect(refused.ok === false && refused.issues[0]?.code).toBe('PRIVATE_HOST');
    const open = createWebhookAdapter({ signing, allowPrivateNetworks: true });
    expect(open.validate(webhookAction({ url }))).toEqual({ ok: true });
  });

  test('a public literal and a public name stay accepted without the opt-in', () => {
    const closed = createWebhookAdapter({ signing });
    expect(closed.validate(webhookAction({ url: 'https://93.184.216.34/hook' }))).toEqual({
      ok: true,
    });
    expect(closed.validate(webhookAction({ url: 'https://hooks.example.test/hook' }))).toEqual({
      ok: true,
    });
  });

  test('a name resolving to loopback is refused before sending without the opt-in', async () => {
    const sent = recordingFetch();
    const closed = createWebhookAdapter({ signing, resolve: toLoopback });
    const error = await closed
      .execute(webhookAction({ url: 'https://internal.example.test/hook' }), ctx(sent.fetch))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).code).toBe('INVALID_REQUEST');
    expect((error as AdapterError).retryable).toBe(false);
    expect(sent.urls).toEqual([]);
  });

  test('a name resolving to loopback is sent to with the opt-in', async () => {
    const sent = recordingFetch();
    const open = createWebhookAdapter({ signing, resolve: toLoopback, allowPrivateNetworks: true });
    const receipt = await open.execute(
      webhookAction({ url: 'https://internal.example.test/hook' }),
      ctx(sent.fetch),
    );
    expect(receipt.status).toBe('succeeded');
    expect(sent.urls).toEqual(['https://internal.example.test/hook']);
  });

  test('a name with one public and one private answer is refused', async () => {
    const sent = recordingFetch();
    const mixed: WebhookResolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.1.2.3', family: 4 },
    ];
    const closed = createWebhookAdapter({ signing, resolve: mixed });
    await expect(
      closed.execute(webhookAction({ url: 'https://mixed.example.test/hook' }), ctx(sent.fetch)),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(sent.urls).toEqual([]);
  });
});

describe('DNS answers are checked at connect time', () => {
  let server: Server;
  let port: number;
  const received: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(req.url ?? '');
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a rebinding name (public when checked, loopback when connecting) reaches nothing', async () => {
    let calls = 0;
    // The first answer (the pre-send check) is public; every later one (the connection's lookup) is loopback.
    const rebinding: WebhookResolver = async () =>
      calls++ === 0
        ? [{ address: '93.184.216.34', family: 4 }]
        : [{ address: '127.0.0.1', family: 4 }];
    const closed = createWebhookAdapter({ signing, resolve: rebinding });
    const error = await closed
      .execute(
        webhookAction({ url: `https://rebind.example.test:${port}/hook` }),
        ctx((input, init) => globalThis.fetch(input, init)),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).code).toBe('INVALID_REQUEST');
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(received).toEqual([]);
  });

  test('the guarded lookup hands public answers to the connection', async () => {
    const lookup = guardedLookup(async () => [{ address: '93.184.216.34', family: 4 }]);
    const answer = await new Promise<unknown>((resolve, reject) =>
      lookup('public.example.test', { all: true }, (error, addresses) =>
        error ? reject(error) : resolve(addresses),
      ),
    );
    expect(answer).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });
});
