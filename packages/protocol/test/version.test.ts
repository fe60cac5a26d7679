import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  DOCUMENT_KINDS,
  HANDOFF_PROTOCOL_VERSION,
  type HandoffPlan,
  isSupportedVersion,
  LATEST_PROTOCOL_VERSION,
  negotiateVersion,
  ProtocolError,
  parseDocument,
  SUPPORTED_PROTOCOL_VERSIONS,
  safeParseDocument,
  safeParseDocumentJson,
  UnsupportedVersionError,
} from '../src/index.js';

const base: HandoffPlan = JSON.parse(
  readFileSync(
    new URL('../conformance/v1/HandoffPlan/valid/term-deposit-two-options.json', import.meta.url),
    'utf8',
  ),
);

describe('version constants', () => {
  test('the latest version is supported and is the one documents carry', () => {
    expect(LATEST_PROTOCOL_VERSION).toBe('1.1');
    expect(HANDOFF_PROTOCOL_VERSION).toBe(LATEST_PROTOCOL_VERSION);
    expect(SUPPORTED_PROTOCOL_VERSIONS).toContain(LATEST_PROTOCOL_VERSION);
    expect(SUPPORTED_PROTOCOL_VERSIONS[0]).toBe(LATEST_PROTOCOL_VERSION);
    // Every older minor of the major stays supported: a 1.0 plan of the corpus is accepted as it is.
    expect(SUPPORTED_PROTOCOL_VERSIONS).toContain('1.0');
    expect(base.protocolVersion).toBe('1.0');
    expect(safeParseDocument('HandoffPlan', base)).toEqual({ success: true, data: base });
  });

  test('every supported version is MAJOR.MINOR', () => {
    for (const version of SUPPORTED_PROTOCOL_VERSIONS) expect(version).toMatch(/^\d+\.\d+$/);
  });
});

describe('isSupportedVersion', () => {
  test('accepts exactly the supported strings', () => {
    expect(isSupportedVersion('1.0')).toBe(true);
    expect(isSupportedVersion('1.1')).toBe(true);
    for (const value of ['1', '1.0.0', ' 1.0', '1.0 ', 'v1.0', '0.9', '2.0', '', 1, 1.0, null]) {
      expect(isSupportedVersion(value), JSON.stringify(value)).toBe(false);
    }
    expect(isSupportedVersion(undefined)).toBe(false);
    expect(isSupportedVersion(['1.0'])).toBe(false);
  });
});

describe('negotiateVersion', () => {
  test('a single supported version', () => {
    expect(negotiateVersion('1.0')).toEqual({ ok: true, version: '1.0' });
    expect(negotiateVersion('1.1')).toEqual({ ok: true, version: '1.1' });
  });

  test('a list that holds the supported version', () => {
    expect(negotiateVersion(['1.0'])).toEqual({ ok: true, version: '1.0' });
    // A 1.1 peer and this package speak 1.1; a 1.0-only peer is answered in 1.0.
    expect(negotiateVersion(['1.0', '1.1'])).toEqual({ ok: true, version: '1.1' });
  });

  test('an unordered list with unknown versions picks the one both speak', () => {
    expect(negotiateVersion(['3.1', '0.9', '1.0', '2.0'])).toEqual({ ok: true, version: '1.0' });
    expect(negotiateVersion(['3.1', '1.0', '1.1', '2.0'])).toEqual({ ok: true, version: '1.1' });
    expect(negotiateVersion(['1.0', 'banana', '1.0'])).toEqual({ ok: true, version: '1.0' });
  });

  test('no common version: UNSUPPORTED_VERSION with both lists', () => {
    expect(negotiateVersion('2.0')).toEqual({
      ok: false,
      code: 'UNSUPPORTED_VERSION',
      requested: ['2.0'],
      supported: ['1.1', '1.0'],
    });
    expect(negotiateVersion(['0.9', '2.0', '1'])).toEqual({
      ok: false,
      code: 'UNSUPPORTED_VERSION',
      requested: ['0.9', '2.0', '1'],
      supported: [...SUPPORTED_PROTOCOL_VERSIONS],
    });
  });

  test('an empty offer is not ok', () => {
    const result = negotiateVersion([]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.requested).toEqual([]);
  });

  test('the reported request is a copy, not the caller array', () => {
    const offered = ['9.9'];
    const result = negotiateVersion(offered);
    if (result.ok) throw new Error('expected no common version');
    expect(result.requested).not.toBe(offered);
    offered.push('1.0');
    expect(result.requested).toEqual(['9.9']);
  });
});

describe('documents with an unsupported protocolVersion', () => {
  test.each([
    ['"2.0"', '2.0'],
    ['"0.9"', '0.9'],
    ['"1.0.0"', '1.0.0'],
    ['1 (a number)', 1],
    ['1.0 (a number)', 1.0],
    ['null', null],
    ['an object', { major: 1 }],
  ])('protocolVersion %s -> UnsupportedVersionError', (_label, version) => {
    const result = safeParseDocument('HandoffPlan', { ...base, protocolVersion: version });
    expect(result.success).toBe(false);
    if (result.success) return;
    const error = result.error;
    expect(error).toBeInstanceOf(UnsupportedVersionError);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.code).toBe('UNSUPPORTED_VERSION');
    if (error.code !== 'UNSUPPORTED_VERSION') return;
    expect(error.requested).toEqual(version);
    expect(error.supported).toEqual(['1.1', '1.0']);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({
      path: '/protocolVersion',
      code: 'UNSUPPORTED_VERSION',
    });
    expect(error.message).toContain('1.0');
  });

  test('the version is checked before the shape: nothing else is reported', () => {
    const result = safeParseDocument('HandoffPlan', {
      protocolVersion: '2.0',
      kind: 'HandoffPlan',
      renamedField: true,
    });
    expect(result.success).toBe(false);
    if (!result.success)
      expect(result.error.issues.map((i) => i.code)).toEqual(['UNSUPPORTED_VERSION']);
  });

  test.each(DOCUMENT_KINDS)('%s: protocolVersion "2.0" is unsupported', (kind) => {
    const result = safeParseDocument(kind, { protocolVersion: '2.0', kind });
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error).toBeInstanceOf(UnsupportedVersionError);
  });

  test('from JSON text too, and parseDocument throws it', () => {
    const text = JSON.stringify({ ...base, protocolVersion: '2.0' });
    const result = safeParseDocumentJson('HandoffPlan', text);
    expect(!result.success && result.error instanceof UnsupportedVersionError).toBe(true);
    expect(() => parseDocument('HandoffPlan', JSON.parse(text))).toThrow(UnsupportedVersionError);
  });

  test('a missing protocolVersion is a validation issue at /protocolVersion, not a version error', () => {
    const { protocolVersion: _dropped, ...plan } = base;
    const result = safeParseDocument('HandoffPlan', plan);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error).not.toBeInstanceOf(UnsupportedVersionError);
    expect(result.error.code).toBe('VALIDATION_FAILED');
    expect(result.error.issues.map((i) => i.path)).toEqual(['/protocolVersion']);
  });

  test('a missing protocolVersion is REQUIRED, as any missing member is', () => {
    const { protocolVersion: _dropped, ...plan } = base;
    const result = safeParseDocument('HandoffPlan', plan);
    expect(!result.success && result.error.issues).toEqual([
      expect.objectContaining({ path: '/protocolVersion', code: 'REQUIRED' }),
    ]);
  });

  test('a missing kind is REQUIRED', () => {
    const { kind: _dropped, ...plan } = base;
    const result = safeParseDocument('HandoffPlan', plan);
    expect(!result.success && result.error.issues).toEqual([
      expect.objectContaining({ path: '/kind', code: 'REQUIRED' }),
    ]);
  });

  test.each(DOCUMENT_KINDS)(
    '%s: an empty object reports protocolVersion and kind as REQUIRED',
    (kind) => {
      const result = safeParseDocument(kind, {});
      expect(result.success).toBe(false);
      if (result.success) return;
      expect(result.error).not.toBeInstanceOf(UnsupportedVersionError);
      const codes = result.error.issues.map((i) => `${i.code} ${i.path}`);
      expect(codes).toContain('REQUIRED /protocolVersion');
      expect(codes).toContain('REQUIRED /kind');
    },
  );

  test('a wrong kind is INVALID_VALUE, not REQUIRED', () => {
    const result = safeParseDocument('HandoffPlan', { ...base, kind: 'PolicyDecision' });
    expect(!result.success && result.error.issues).toEqual([
      expect.objectContaining({ path: '/kind', code: 'INVALID_VALUE' }),
    ]);
  });

  test('kind set to undefined is REQUIRED, as a missing kind is', () => {
    const result = safeParseDocument('HandoffPlan', { ...base, kind: undefined });
    expect(!result.success && result.error.issues).toEqual([
      expect.objectContaining({ path: '/kind', code: 'REQUIRED' }),
    ]);
  });

  test('protocolVersion set to undefined, sent as JSON text (where it vanishes), is REQUIRED', () => {
    const text = JSON.stringify({ ...base, protocolVersion: undefined });
    const result = safeParseDocumentJson('HandoffPlan', text);
    expect(!result.success && result.error.issues).toEqual([
      expect.objectContaining({ path: '/protocolVersion', code: 'REQUIRED' }),
    ]);
  });

  test('protocolVersion set to undefined is REQUIRED like a missing key', () => {
    const result = safeParseDocument('HandoffPlan', { ...base, protocolVersion: undefined });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error).not.toBeInstanceOf(UnsupportedVersionError);
    expect(result.error.issues).toEqual([
      expect.objectContaining({ path: '/protocolVersion', code: 'REQUIRED' }),
    ]);
  });

  test('for comparison, a missing tenantId is REQUIRED', () => {
    const { tenantId: _dropped, ...plan } = base;
    const result = safeParseDocument('HandoffPlan', plan);
    expect(!result.success && result.error.issues).toEqual([
      expect.objectContaining({ path: '/tenantId', code: 'REQUIRED' }),
    ]);
  });
});
