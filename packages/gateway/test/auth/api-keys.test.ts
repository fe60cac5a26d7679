import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  type ApiKeyEntry,
  ApiKeyEntrySchema,
  createApiKeyAuthenticator,
  generateApiKey,
  hashApiKey,
} from '../../src/auth/api-keys.js';
import { GatewayError } from '../../src/errors.js';

const copilotKey = generateApiKey();
const operatorKey = generateApiKey();

const entries: ApiKeyEntry[] = [
  { id: 'copilot-1', tenantId: 'tenant-a', roles: ['copilot'], keyHash: hashApiKey(copilotKey) },
  {
    id: 'ops-1',
    tenantId: 'tenant-b',
    roles: ['operator', 'auditor'],
    keyHash: hashApiKey(operatorKey),
  },
];

function configError(config: unknown): GatewayError {
  try {
    createApiKeyAuthenticator(config as ApiKeyEntry[]);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}

/** The same key with one character changed, keeping length and alphabet. */
function oneCharOff(key: string): string {
  const last = key.slice(-1);
  return `${key.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
}

describe('generateApiKey and hashApiKey', () => {
  test('keys are hk_ + base64url of 32 random bytes', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^hk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice(3), 'base64url')).toHaveLength(32);
    expect(generateApiKey()).not.toBe(key);
  });

  test('the hash is sha256: + hex SHA-256 of the UTF-8 key', () => {
    const expected = createHash('sha256').update('hk_example', 'utf8').digest('hex');
    expect(hashApiKey('hk_example')).toBe(`sha256:${expected}`);
    expect(hashApiKey(copilotKey)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('createApiKeyAuthenticator', () => {
  const auth = createApiKeyAuthenticator(entries);

  test('a configured key yields its principal', () => {
    expect(auth.authenticate(copilotKey)).toEqual({
      id: 'copilot-1',
      tenantId: 'tenant-a',
      roles: ['copilot'],
      via: 'api_key',
    });
    expect(auth.authenticate(operatorKey)).toMatchObject({ id: 'ops-1', tenantId: 'tenant-b' });
  });

  test('the principal cannot be altered by a caller', () => {
    const principal = auth.authenticate(copilotKey);
    expect(Object.isFrozen(principal)).toBe(true);
    expect(Object.isFrozen(principal?.roles)).toBe(true);
  });

  test('an unknown key yields undefined', () => {
    expect(auth.authenticate(generateApiKey())).toBeUndefined();
    expect(auth.authenticate('')).toBeUndefined();
    expect(auth.authenticate(hashApiKey(copilotKey))).toBeUndefined();
  });

  test('a key of the right length but one character off yields undefined', () => {
    const near = oneCharOff(copilotKey);
    expect(near).toHaveLength(copilotKey.length);
    expect(near).not.toBe(copilotKey);
    expect(auth.authenticate(near)).toBeUndefined();
  });

  test('no entries authenticate nothing', () => {
    expect(createApiKeyAuthenticator([]).authenticate(copilotKey)).toBeUndefined();
  });
});

describe('API key configuration', () => {
  test('duplicate ids are rejected', () => {
    const copy = { ...entries[1], id: 'copilot-1' };
    const err = configError([...entries, copy]);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.issues).toEqual([
      expect.objectContaining({ path: '/2/id', code: 'DUPLICATE_ITEM' }),
      expect.objectContaining({ path: '/2/keyHash', code: 'DUPLICATE_ITEM' }),
    ]);
  });

  test('duplicate key hashes are rejected without echoing the hash', () => {
    const keyHash = hashApiKey(copilotKey);
    const err = configError([
      ...entries,
      { id: 'other', tenantId: 'tenant-c', roles: ['auditor'], keyHash },
    ]);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.issues).toEqual([expect.objectContaining({ path: '/2/keyHash' })]);
    expect(JSON.stringify(err.issues)).not.toContain(keyHash.slice(7));
  });

  test('invalid entries are rejected with paths, never echoing values', () => {
    const err = configError([
      { id: 'a', tenantId: 't', roles: [], keyHash: copilotKey },
      { id: 'b', tenantId: 't', roles: ['copilot', 'copilot'], keyHash: hashApiKey('x') },
      { id: 'c', tenantId: 't', roles: ['admin'], keyHash: hashApiKey('y') },
      { id: 'd', tenantId: 't', roles: ['auditor'], keyHash: hashApiKey('z'), key: operatorKey },
    ]);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.issues.map((issue) => issue.path)).toEqual([
      '/0/roles',
      '/0/keyHash',
      '/1/roles',
      '/2/roles/0',
      '/3/key',
    ]);
    const text = `${err.message} ${JSON.stringify(err.issues)}`;
    expect(text).not.toContain(copilotKey);
    expect(text).not.toContain(operatorKey);
  });

  test('the schema accepts a valid entry and refuses upper-case hex', () => {
    expect(ApiKeyEntrySchema.safeParse(entries[0]).success).toBe(true);
    const upper = { ...entries[0], keyHash: hashApiKey(copilotKey).toUpperCase() };
    expect(ApiKeyEntrySchema.safeParse(upper).success).toBe(false);
  });
});
