import type { Action } from '@handoff/protocol';
import { describe, expect, it } from 'vitest';
import { isAdapterError } from '../../src/adapter-error.js';
import {
  adapterFor,
  broadcastAction,
  context,
  sent,
  serve,
  trackEventAction,
  transactionalAction,
  unsupportedAction,
  upsertAction,
  useServer,
} from './helpers.js';

useServer();

function codes(action: Action): string[] {
  const result = adapterFor().validate(action);
  return result.ok ? [] : result.issues.map((i) => `${i.path} ${i.code}`);
}

function contactWith(properties: Record<string, unknown>, email = 'ada@example.com'): Action {
  return { ...upsertAction, params: { contacts: [{ email, properties }] } };
}

describe('validate: Customer.io documented limits', () => {
  it('accepts the samples', () => {
    for (const action of [trackEventAction, upsertAction, broadcastAction, transactionalAction]) {
      expect(adapterFor().validate(action)).toEqual({ ok: true });
    }
  });

  it('refuses unsupported action types and actions for another adapter', () => {
    expect(codes(unsupportedAction)).toEqual(['/type UNSUPPORTED_ACTION']);
    expect(codes({ ...trackEventAction, adapter: 'braze' })).toEqual(['/adapter WRONG_ADAPTER']);
  });

  it('bounds event names (100 bytes, not blank) and event data (100,000 bytes)', () => {
    const named = (name: string) => ({
      ...trackEventAction,
      params: { ...trackEventAction.params, name },
    });
    expect(codes(named('é'.repeat(50)))).toEqual([]);
    expect(codes(named('é'.repeat(51)))).toEqual(['/params/name EVENT_NAME_TOO_LONG']);
    expect(codes(named('   '))).toEqual(['/params/name BLANK_EVENT_NAME']);
    const data = { blob: 'x'.repeat(100_000) };
    const big = { ...trackEventAction, params: { ...trackEventAction.params, properties: data } };
    expect(codes(big)).toEqual(['/params/properties EVENT_DATA_TOO_LARGE']);
  });

  it('bounds identifiers to 150 bytes', () => {
    const email = `${'a'.repeat(140)}@example.com`;
    expect(codes(contactWith({}, email))).toEqual(['/params/contacts/0 IDENTIFIER_TOO_LONG']);
  });

  it('bounds identify attributes: count, name and value sizes, reserved names', () => {
    expect(codes(contactWith({ id: 'x' }))).toEqual([
      '/params/contacts/0/properties/id RESERVED_ATTRIBUTE',
    ]);
    expect(codes(contactWith({ ['n'.repeat(151)]: 1 }))[0]).toMatch(/ATTRIBUTE_NAME_TOO_LONG$/);
    expect(codes(contactWith({ 'a/b': 'v'.repeat(1_001) }))).toEqual([
      '/params/contacts/0/properties/a~1b ATTRIBUTE_VALUE_TOO_LONG',
    ]);
    expect(codes(contactWith({ ok: 'v'.repeat(1_000) }))).toEqual([]);
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    expect(codes(contactWith(many))).toEqual(['/params/contacts/0/properties TOO_MANY_ATTRIBUTES']);
  });

  it('requires numeric broadcast and segment ids and bounds trigger data to 50,000 bytes', () => {
    const with_ = (params: Record<string, unknown>) => ({
      ...broadcastAction,
      params: { ...broadcastAction.params, ...params },
    });
    expect(codes(with_({ broadcastId: 'spring' }))).toEqual([
      '/params/broadcastId INVALID_PLATFORM_ID',
    ]);
    expect(codes(with_({ segmentId: '0' }))).toEqual(['/params/segmentId INVALID_PLATFORM_ID']);
    expect(codes(with_({ data: { x: 'y'.repeat(50_000) } }))).toEqual([
      '/params/data TRIGGER_DATA_TOO_LARGE',
    ]);
  });

  it('requires a recipient address for transactional email', () => {
    const action = {
      ...transactionalAction,
      params: { messageId: '44', to: { externalId: 'user-1' } },
    };
    expect(codes(action)).toEqual(['/params/to/email MISSING_EMAIL']);
  });

  it('execute refuses an invalid action with UNSUPPORTED_ACTION before sending anything', async () => {
    const fake = serve();
    for (const action of [unsupportedAction, { ...trackEventAction, adapter: 'braze' }]) {
      const error = await adapterFor()
        .execute(action, context('k'))
        .catch((e: unknown) => e);
      expect(isAdapterError(error) && [error.code, error.retryable]).toEqual([
        'UNSUPPORTED_ACTION',
        false,
      ]);
    }
    expect(sent).toHaveLength(0);
    expect(fake.received).toHaveLength(0);
  });
});
