import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  documentDigest,
  type ErrorEnvelope,
  type HandoffPlan,
  LATEST_PROTOCOL_VERSION,
  LIMITS,
  type ProtocolIssue,
  ProtocolValidationError,
  SUPPORTED_PROTOCOL_VERSIONS,
  safeParseDocument,
  safeParseDocumentJson,
  toErrorEnvelope,
  toJsonPointer,
  UnsupportedVersionError,
  UpgradeError,
  UpgradeRegistry,
} from '../src/index.js';

const base: HandoffPlan = JSON.parse(
  readFileSync(
    new URL('../conformance/v1/HandoffPlan/valid/term-deposit-two-options.json', import.meta.url),
    'utf8',
  ),
);

function failureOf(input: unknown, upgrades?: UpgradeRegistry) {
  const result = safeParseDocument('HandoffPlan', input, upgrades ? { upgrades } : {});
  if (result.success) throw new Error('expected the plan to fail');
  return result.error;
}

/** Asserts an envelope validates as an ErrorEnvelope document, as a value and as JSON text. */
function expectValidEnvelope(envelope: ErrorEnvelope): void {
  const result = safeParseDocument('ErrorEnvelope', envelope);
  expect(result.success ? [] : result.error.issues).toEqual([]);
  expect(safeParseDocumentJson('ErrorEnvelope', JSON.stringify(envelope)).success).toBe(true);
}

describe('toErrorEnvelope', () => {
  test('a validation error', () => {
    const error = failureOf({ ...base, tenantId: '', recommendedOptionId: 'nope' });
    const envelope = toErrorEnvelope(error);
    expect(envelope).toEqual({
      protocolVersion: LATEST_PROTOCOL_VERSION,
      kind: 'ErrorEnvelope',
      code: 'VALIDATION_FAILED',
      message: error.message,
      issues: error.issues.map(({ path, code, message }) => ({ path, code, message })),
    });
    // A field-level defect hides the cross-field rules, so the unknown recommended option is not reported.
    expect(envelope.issues.map(({ path, code }) => ({ path, code }))).toEqual([
      { path: '/tenantId', code: 'INVALID_FORMAT' },
    ]);
    expect(envelope).not.toHaveProperty('supportedVersions');
    expect(envelope).not.toHaveProperty('requestId');
    expectValidEnvelope(envelope);
  });

  test('a cross-field rule of an otherwise valid plan', () => {
    const envelope = toErrorEnvelope(failureOf({ ...base, recommendedOptionId: 'nope' }));
    expect(envelope).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: '/recommendedOptionId', code: 'RECOMMENDED_OPTION_NOT_FOUND' }],
    });
    expect(envelope.issues).toHaveLength(1);
    expectValidEnvelope(envelope);
  });

  test('an unsupported version carries the supported versions', () => {
    const error = failureOf({ ...base, protocolVersion: '2.0' });
    expect(error).toBeInstanceOf(UnsupportedVersionError);
    const envelope = toErrorEnvelope(error, 'req-123');
    expect(envelope).toMatchObject({
      code: 'UNSUPPORTED_VERSION',
      supportedVersions: [...SUPPORTED_PROTOCOL_VERSIONS],
      requestId: 'req-123',
      issues: [{ path: '/protocolVersion', code: 'UNSUPPORTED_VERSION' }],
    });
    expectValidEnvelope(envelope);
  });

  test('supportedVersions is a copy of the error list', () => {
    const error = new UnsupportedVersionError('0.1', ['1.0', '0.9']);
    const envelope = toErrorEnvelope(error);
    expect(envelope.supportedVersions).toEqual(['1.0', '0.9']);
    expect(envelope.supportedVersions).not.toBe(error.supported);
  });

  test('an upgrade error with no issues', () => {
    const envelope = toErrorEnvelope(new UpgradeError('No upgrade path for HandoffPlan from 0.1'));
    expect(envelope).toMatchObject({ code: 'UPGRADE_FAILED', issues: [] });
    expectValidEnvelope(envelope);
  });

  test(`keeps the first ${LIMITS.MAX_ISSUES} of 150 issues, in order`, () => {
    const issues: ProtocolIssue[] = Array.from({ length: 150 }, (_, i) => ({
      path: `/options/0/actions/${i}/actionId`,
      code: 'DUPLICATE_ACTION_ID',
      message: `Duplicate action id a${i}`,
    }));
    const error = new ProtocolValidationError('HandoffPlan', issues);
    expect(error.message).toMatch(/\(\+147 more\)$/);
    const envelope = toErrorEnvelope(error);
    expect(envelope.issues).toHaveLength(LIMITS.MAX_ISSUES);
    expect(envelope.issues).toEqual(issues.slice(0, LIMITS.MAX_ISSUES));
    expect(error.issues).toHaveLength(150);
    expectValidEnvelope(envelope);
  });

  test(`cuts messages to ${LIMITS.MAX_TEXT_LENGTH} characters`, () => {
    const long = 'x'.repeat(LIMITS.MAX_TEXT_LENGTH * 3);
    const error = new UnsupportedVersionError(long, ['1.0']);
    expect(error.message.length).toBeGreaterThan(LIMITS.MAX_TEXT_LENGTH);
    const envelope = toErrorEnvelope(error);
    expect(envelope.message).toHaveLength(LIMITS.MAX_TEXT_LENGTH);
    expect(error.message.startsWith(envelope.message)).toBe(true);
    expect(envelope.issues[0]?.message).toHaveLength(LIMITS.MAX_TEXT_LENGTH);
    expectValidEnvelope(envelope);
  });

  test('a message at exactly the limit is kept whole', () => {
    const message = 'y'.repeat(LIMITS.MAX_TEXT_LENGTH);
    const error = new ProtocolValidationError('HandoffPlan', [
      { path: '', code: 'INVALID_JSON', message },
    ]);
    expect(toErrorEnvelope(error).issues[0]?.message).toBe(message);
  });

  test('an empty issue message falls back to the code, so the envelope validates', () => {
    const error = new ProtocolValidationError('HandoffPlan', [
      { path: '/tenantId', code: 'REQUIRED', message: '' },
    ]);
    const envelope = toErrorEnvelope(error);
    expect(envelope.issues[0]?.message).toBe('REQUIRED');
    expectValidEnvelope(envelope);
  });

  test('an envelope that breaks its schema is rejected (the check is real)', () => {
    const envelope = toErrorEnvelope(failureOf({ ...base, tenantId: '' }));
    const bad = [
      { ...envelope, code: 'lower_case' },
      { ...envelope, message: '' },
      { ...envelope, kind: 'Error' },
      { ...envelope, issues: [{ path: 'no-slash', code: 'REQUIRED', message: 'm' }] },
      { ...envelope, supportedVersions: [] },
    ];
    for (const value of bad) expect(safeParseDocument('ErrorEnvelope', value).success).toBe(false);
  });

  test('an issue path holding a newline (any member name a client sends) still gives a valid envelope', () => {
    const error = failureOf({ ...base, 'evil\nkey': 1 });
    expect(error.issues).toEqual([expect.objectContaining({ path: '/evil\nkey' })]);
    const envelope = toErrorEnvelope(error);
    expect(envelope.issues[0]?.path).toBe('/evil\nkey');
    expectValidEnvelope(envelope);
  });

  test.each([
    ['a carriage return', '/a\rb'],
    ['a line separator', '/a\u2028b'],
    ['a paragraph separator', '/a\u2029b'],
    ['a trailing newline', '/a\n'],
    ['only a newline', '/\n'],
    ['a NUL', '/a\u0000b'],
  ])('an issue path holding %s round-trips through JSON and validates', (_label, path) => {
    const error = new ProtocolValidationError('HandoffPlan', [
      { path, code: 'UNRECOGNIZED_KEY', message: 'm' },
    ]);
    const envelope = toErrorEnvelope(error);
    expectValidEnvelope(envelope);
    const parsed = safeParseDocumentJson('ErrorEnvelope', JSON.stringify(envelope));
    expect(parsed.success && parsed.data.issues[0]?.path).toBe(path);
  });

  test('a path still has to start with "/": a newline does not open a way around that', () => {
    const envelope = toErrorEnvelope(new UpgradeError('x'));
    for (const path of ['\n/a', 'a\n/b', ' /a']) {
      const bad = { ...envelope, issues: [{ path, code: 'REQUIRED', message: 'm' }] };
      expect(safeParseDocument('ErrorEnvelope', bad).success, JSON.stringify(path)).toBe(false);
    }
  });

  test('a 200-character requestId is cut to 128', () => {
    const requestId = 'r'.repeat(200);
    const envelope = toErrorEnvelope(new UpgradeError('no path'), requestId);
    expect(envelope.requestId).toBe(requestId.slice(0, 128));
    expectValidEnvelope(envelope);
  });

  test('a requestId of exactly 128 characters is kept whole; an empty one is kept', () => {
    const requestId = 'q'.repeat(128);
    expect(toErrorEnvelope(new UpgradeError('x'), requestId).requestId).toBe(requestId);
    expect(toErrorEnvelope(new UpgradeError('x'), '')).toHaveProperty('requestId', '');
  });

  test('an emoji across the requestId cut is dropped whole: no lone surrogate, so the envelope has a digest', () => {
    const requestId = `${'a'.repeat(127)}\u{1F600}tail`; // the emoji takes units 127 and 128
    const envelope = toErrorEnvelope(new UpgradeError('x'), requestId);
    expect(envelope.requestId).toBe('a'.repeat(127));
    expect(() => documentDigest(envelope)).not.toThrow();
    expect(documentDigest(envelope)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expectValidEnvelope(envelope);
  });

  test('an emoji that ends exactly at the requestId cut is kept', () => {
    const requestId = `${'a'.repeat(126)}\u{1F600}tail`; // the emoji takes units 126 and 127
    const envelope = toErrorEnvelope(new UpgradeError('x'), requestId);
    expect(envelope.requestId).toBe(`${'a'.repeat(126)}\u{1F600}`);
    expect(envelope.requestId).toHaveLength(128);
    expect(() => documentDigest(envelope)).not.toThrow();
  });

  test('an emoji across the message and path cuts is dropped whole too', () => {
    const max = LIMITS.MAX_TEXT_LENGTH;
    const message = `${'m'.repeat(max - 1)}\u{1F600}`;
    const path = `/${'p'.repeat(1022)}\u{1F600}`; // the emoji takes units 1023 and 1024
    const error = new ProtocolValidationError('HandoffPlan', [
      { path, code: 'UNRECOGNIZED_KEY', message },
    ]);
    const envelope = toErrorEnvelope(error);
    expect(envelope.issues[0]?.message).toBe('m'.repeat(max - 1));
    expect(envelope.issues[0]?.path).toBe(`/${'p'.repeat(1022)}`);
    expect(envelope.message.length).toBeLessThanOrEqual(max);
    expect(() => documentDigest(envelope)).not.toThrow();
    expectValidEnvelope(envelope);
  });

  test('an envelope for a registry with a long version name validates', () => {
    const upgrades = new UpgradeRegistry([
      { kind: 'HandoffPlan', from: '0.9.0-release-candidate', to: '1.0', upgrade: (d) => d },
    ]);
    const error = failureOf({ ...base, protocolVersion: '7.0' }, upgrades);
    expectValidEnvelope(toErrorEnvelope(error));
  });

  test('an envelope for an empty supported list validates', () => {
    expectValidEnvelope(toErrorEnvelope(new UnsupportedVersionError('7.0', [])));
  });
});

describe('toJsonPointer (RFC 6901)', () => {
  test.each([
    [[], ''],
    [['options'], '/options'],
    [['options', 0, 'actionId'], '/options/0/actionId'],
    [[''], '/'],
    [['a/b'], '/a~1b'],
    [['m~n'], '/m~0n'],
    [['~1'], '/~01'],
    [['/~'], '/~1~0'],
    [['~/~/'], '/~0~1~0~1'],
    [[' ', 'c%d', 'e^f', 'g|h', 'i\\j', 'k"l'], '/ /c%d/e^f/g|h/i\\j/k"l'],
    [[10, -1, 1.5], '/10/-1/1.5'],
  ] as [PropertyKey[], string][])('%j -> %j', (segments, pointer) => {
    expect(toJsonPointer(segments)).toBe(pointer);
  });

  test('decoding the pointer gives back the segments', () => {
    const segments = ['a~b/c', '~~', '//', '~01', 'plain', '0'];
    const decoded = toJsonPointer(segments)
      .split('/')
      .slice(1)
      .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
    expect(decoded).toEqual(segments);
  });

  test('issue paths from validation are escaped pointers', () => {
    const error = failureOf({ ...base, 'a/b': 1, 'c~d': 2 });
    expect(error.issues.map((i) => i.path).sort()).toEqual(['/a~1b', '/c~0d']);
  });
});
