import { generateKeyPairSync, verify } from 'node:crypto';
import {
  type ExecuteContext,
  encodeWebhookPublicKey,
  encodeWebhookSigningKey,
} from '@handoff/automation-adapter';
import type { ActionOf } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { adaptersFromConfig } from '../../src/dispatch/adapters-config.js';
import { GatewayError } from '../../src/errors.js';
import { fixturePolicy } from '../support/harness.js';

/**
 * The webhook adapter's signing schemes in the gateway configuration: Standard Webhooks `v1` (HMAC, `whsec_`
 * from `signingSecretEnv`) and `v1a` (Ed25519, `whsk_` from `signingKeyEnv`), alone or together. Signatures are
 * checked as the spec defines them (node:crypto over `${webhook-id}.${webhook-timestamp}.${body}`), not with our
 * own verifier.
 */

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const NOW_MS = Date.UTC(2026, 11, 7, 12, 0, 0);

const action: ActionOf<'call_webhook'> = {
  type: 'call_webhook',
  actionId: 'notify-crm',
  adapter: 'webhook',
  estimatedCost: { amountMinor: 0, currency: 'EUR' },
  params: {
    url: 'https://hooks.example.test/handoff',
    eventType: 'campaign.approved',
    data: { campaignId: 'spring-sale' },
  },
};

/** Executes the action with the configured adapter; returns the request it sent. */
async function delivered(env: NodeJS.ProcessEnv, config: Record<string, string>) {
  const [adapter] = adaptersFromConfig([{ type: 'webhook', ...config }], env);
  const sent: { headers: Headers; body: string }[] = [];
  const ctx: ExecuteContext = {
    idempotencyKey: 'plan-1:opt-a:0',
    signal: new AbortController().signal,
    fetch: async (_input, init) => {
      sent.push({ headers: new Headers(init?.headers), body: String(init?.body) });
      return new Response(null, { status: 200 });
    },
    now: () => NOW_MS,
    queuedAt: NOW_MS - 1_000,
    attempt: 1,
  };
  await adapter?.execute(action, ctx);
  const [request] = sent;
  if (!request) throw new Error('nothing was sent');
  const entries = (request.headers.get('webhook-signature') ?? '').split(' ');
  const content = Buffer.from(
    `${request.headers.get('webhook-id')}.${request.headers.get('webhook-timestamp')}.${request.body}`,
    'utf8',
  );
  return { entries, content };
}

function configError(adapters: unknown[]): GatewayError {
  try {
    validateConfig(
      {
        gatewayId: 'gw-webhook',
        database: { path: ':memory:' },
        approvals: { keys: [{ type: 'inline', jwks: { keys: [] } }] },
        auth: { apiKeys: [] },
        policy: { inline: fixturePolicy() },
        adapters,
      },
      '.',
    );
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('webhook signing in the gateway configuration', () => {
  test('signingKeyEnv signs v1a: Ed25519 that the whpk_ public key verifies', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const { entries, content } = await delivered(
      { WEBHOOK_KEY: encodeWebhookSigningKey(privateKey) },
      { signingKeyEnv: 'WEBHOOK_KEY' },
    );
    expect(entries.map((e) => e.split(',')[0])).toEqual(['v1a']);
    const signature = Buffer.from(entries[0]?.split(',')[1] ?? '', 'base64');
    expect(verify(null, content, publicKey, signature)).toBe(true);
    expect(encodeWebhookPublicKey(publicKey)).toMatch(/^whpk_/);
  });

  test('both variables sign with both schemes in one header (v1a, then v1)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const { entries, content } = await delivered(
      { WEBHOOK_KEY: encodeWebhookSigningKey(privateKey), WEBHOOK_SECRET: SECRET },
      { signingKeyEnv: 'WEBHOOK_KEY', signingSecretEnv: 'WEBHOOK_SECRET' },
    );
    expect(entries.map((e) => e.split(',')[0])).toEqual(['v1a', 'v1']);
    expect(
      verify(null, content, publicKey, Buffer.from(entries[0]?.split(',')[1] ?? '', 'base64')),
    ).toBe(true);
  });

  test('a webhook with neither variable is CONFIG_INVALID at its entry, naming both', () => {
    const error = configError([{ type: 'webhook' }]);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues).toEqual([
      {
        path: '/adapters/0',
        code: 'CUSTOM',
        message: expect.stringMatching(/signingSecretEnv.*signingKeyEnv/),
      },
    ]);
  });

  test('an unset or malformed signing key is refused at its path, without echoing the value', () => {
    const unset = (() => {
      try {
        adaptersFromConfig([{ type: 'webhook', signingKeyEnv: 'WEBHOOK_KEY' }], {});
      } catch (error) {
        return error as GatewayError;
      }
      throw new Error('expected a refusal');
    })();
    expect(unset.issues).toEqual([
      expect.objectContaining({ path: '/adapters/0/signingKeyEnv', code: 'ENV_MISSING' }),
    ]);
    const bad = 'whsk_c2VjcmV0LXRvby1zaG9ydA==';
    const malformed = (() => {
      try {
        adaptersFromConfig([{ type: 'webhook', signingKeyEnv: 'K' }], { K: bad });
      } catch (error) {
        return error as GatewayError;
      }
      throw new Error('expected a refusal');
    })();
    expect(malformed.code).toBe('CONFIG_INVALID');
    expect(malformed.issues).toEqual([
      expect.objectContaining({ path: '/adapters/0', code: 'ADAPTER_INVALID' }),
    ]);
    expect(JSON.stringify({ m: malformed.message, i: malformed.issues })).not.toContain(bad);
  });
});
