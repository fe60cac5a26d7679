import { describe, expect, test } from 'vitest';
import { createApiKeyAuthenticator, generateApiKey, hashApiKey } from '../../src/auth/api-keys.js';
import {
  type AuthenticatorOptions,
  createAuthenticator,
  MAX_AUTHORIZATION_HEADER_LENGTH,
} from '../../src/auth/authenticate.js';
import type { JwtAuthenticator } from '../../src/auth/jwt-bearer.js';
import type { Principal } from '../../src/auth/principal.js';
import { GatewayError } from '../../src/errors.js';

const apiKey = generateApiKey();
const apiKeys = createApiKeyAuthenticator([
  { id: 'copilot-1', tenantId: 'tenant-a', roles: ['copilot'], keyHash: hashApiKey(apiKey) },
]);

/** A JWT authenticator stand-in that records what it was asked to verify (verification is tested elsewhere). */
function fakeJwt(): JwtAuthenticator & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    async authenticate(token: string): Promise<Principal> {
      seen.push(token);
      return { id: 'user-ana', tenantId: 'tenant-a', roles: ['approver'], via: 'jwt' };
    },
  };
}

const JWT_SHAPED = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1c2VyLWFuYSJ9.c2lnbmF0dXJl';

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

async function expectUnauthenticated(
  options: AuthenticatorOptions,
  header: string | undefined,
  reason: string,
) {
  const err = await rejection(createAuthenticator(options).authenticate(header));
  expect(err.code).toBe('UNAUTHENTICATED');
  expect(err.details).toEqual({ reason });
  expect(err.message).not.toContain(apiKey);
}

describe('createAuthenticator: routing', () => {
  test('an API key goes to the API key authenticator', async () => {
    const jwt = fakeJwt();
    const auth = createAuthenticator({ apiKeys, jwt });
    await expect(auth.authenticate(`Bearer ${apiKey}`)).resolves.toMatchObject({
      id: 'copilot-1',
      via: 'api_key',
    });
    expect(jwt.seen).toEqual([]);
  });

  test('the scheme is case-insensitive and surrounding whitespace is ignored', async () => {
    const auth = createAuthenticator({ apiKeys });
    for (const header of [`bearer ${apiKey}`, `BEARER ${apiKey}`, ` Bearer  ${apiKey}\t`]) {
      await expect(auth.authenticate(header)).resolves.toMatchObject({ id: 'copilot-1' });
    }
  });

  test('a JWT-shaped credential goes to the JWT authenticator', async () => {
    const jwt = fakeJwt();
    const auth = createAuthenticator({ apiKeys, jwt });
    await expect(auth.authenticate(`Bearer ${JWT_SHAPED}`)).resolves.toMatchObject({ via: 'jwt' });
    expect(jwt.seen).toEqual([JWT_SHAPED]);
  });

  test('an unknown API key', async () => {
    await expectUnauthenticated({ apiKeys }, `Bearer ${generateApiKey()}`, 'unknown_api_key');
  });

  test('a credential kind that is not configured', async () => {
    await expectUnauthenticated({ apiKeys }, `Bearer ${JWT_SHAPED}`, 'method_not_enabled');
    await expectUnauthenticated({ jwt: fakeJwt() }, `Bearer ${apiKey}`, 'method_not_enabled');
  });

  test('a credential that is neither an API key nor a JWT', async () => {
    const options = { apiKeys, jwt: fakeJwt() };
    await expectUnauthenticated(options, 'Bearer opaque-token', 'malformed');
    await expectUnauthenticated(options, 'Bearer a.b', 'malformed');
    await expectUnauthenticated(options, 'Bearer a.b.', 'malformed');
  });

  test('no authentication method configured is CONFIG_INVALID', () => {
    expect(() => createAuthenticator({})).toThrow(GatewayError);
    expect(() => createAuthenticator({})).toThrow(/No authentication method/);
  });
});

describe('createAuthenticator: header parsing (RFC 6750)', () => {
  const options = { apiKeys, jwt: fakeJwt() };

  test('missing or empty header', async () => {
    await expectUnauthenticated(options, undefined, 'missing');
    await expectUnauthenticated(options, '', 'missing');
    await expectUnauthenticated(options, '   ', 'missing');
  });

  test('another scheme', async () => {
    await expectUnauthenticated(options, 'Basic x', 'unsupported_scheme');
    await expectUnauthenticated(options, `Token ${apiKey}`, 'unsupported_scheme');
    await expectUnauthenticated(options, `Bearer:${apiKey}`, 'unsupported_scheme');
    await expectUnauthenticated(options, apiKey, 'unsupported_scheme');
  });

  test("'Bearer' alone", async () => {
    await expectUnauthenticated(options, 'Bearer', 'malformed');
    await expectUnauthenticated(options, 'Bearer   ', 'malformed');
  });

  test('two credentials, or characters outside b64token', async () => {
    await expectUnauthenticated(options, `Bearer ${apiKey} ${apiKey}`, 'malformed');
    await expectUnauthenticated(options, `Bearer ${apiKey},${JWT_SHAPED}`, 'malformed');
    await expectUnauthenticated(options, `Bearer\t${apiKey}`, 'malformed');
  });

  test('an oversize header is refused before parsing', async () => {
    const oversize = `Bearer ${apiKey}${' '.repeat(MAX_AUTHORIZATION_HEADER_LENGTH)}`;
    await expectUnauthenticated(options, oversize, 'too_large');
    const huge = `Bearer ${'a'.repeat(MAX_AUTHORIZATION_HEADER_LENGTH)}`;
    await expectUnauthenticated(options, huge, 'too_large');
  });

  test('a header of exactly the limit is parsed', async () => {
    const padding = MAX_AUTHORIZATION_HEADER_LENGTH - `Bearer ${apiKey}`.length;
    const header = `Bearer ${' '.repeat(padding)}${apiKey}`;
    expect(header).toHaveLength(MAX_AUTHORIZATION_HEADER_LENGTH);
    await expect(createAuthenticator(options).authenticate(header)).resolves.toMatchObject({
      id: 'copilot-1',
    });
  });
});
