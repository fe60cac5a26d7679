import type { Action } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import type { RateLimit } from '../../src/adapter.js';
import { isAdapterError } from '../../src/adapter-error.js';
import { createHubSpotAdapter } from '../../src/hubspot/hubspot-adapter.js';
import { HUBSPOT_DOCS, hubspotRateLimits } from '../../src/hubspot/hubspot-manifest.js';
import {
  context,
  enrollAction,
  listAction,
  sendAction,
  TOKEN,
  TRACK_EVENT,
  upsertAction,
  useHubSpotFake,
} from './hubspot-fixtures.js';

const adapter = createHubSpotAdapter({ accessToken: TOKEN });

function codes(action: Action, hubspot = adapter) {
  const result = hubspot.validate(action);
  return result.ok ? [] : result.issues.map((issue) => [issue.path, issue.code]);
}

describe('validate', () => {
  test('accepts the documented shapes', () => {
    for (const action of [
      enrollAction(),
      listAction(),
      listAction([{ email: 'a@example.com' }]),
      upsertAction(),
      sendAction(),
    ]) {
      expect(adapter.validate(action)).toEqual({ ok: true });
    }
  });

  test('enroll_in_workflow: numeric workflowId, an email per contact, no duplicates', () => {
    const action = enrollAction(['a@example.com', 'A@example.com']);
    action.params.workflowId = 'wf-1';
    action.params.contacts.push({ externalId: '1001' });
    expect(codes(action)).toEqual([
      ['/params/workflowId', 'NOT_A_HUBSPOT_ID'],
      ['/params/contacts/1/email', 'DUPLICATE_CONTACT'],
      ['/params/contacts/2/email', 'EMAIL_REQUIRED'],
    ]);
  });

  test('add_to_list: numeric listId and record ids; emails only when look-up is on', () => {
    const action = listAction([{ externalId: 'abc' }, { email: 'a@example.com' }]);
    action.params.listId = 'my-list';
    expect(codes(action)).toEqual([
      ['/params/listId', 'NOT_A_HUBSPOT_ID'],
      ['/params/contacts/0/externalId', 'NOT_A_HUBSPOT_ID'],
    ]);
    const strict = createHubSpotAdapter({ accessToken: TOKEN, lists: { resolveByEmail: false } });
    expect(codes(listAction([{ email: 'a@example.com' }]), strict)).toEqual([
      ['/params/contacts/0', 'RECORD_ID_REQUIRED'],
    ]);
  });

  test('upsert_contacts: at most 100, an email each, scalar property values', () => {
    const many = Array.from({ length: 101 }, (_, i) => ({
      email: `c${i}@example.com`,
      properties: {},
    }));
    expect(codes(upsertAction(many))).toEqual([['/params/contacts', 'BATCH_TOO_LARGE']]);
    expect(codes(upsertAction(many.slice(0, 100)))).toEqual([]);
    const bad = upsertAction([
      { externalId: '1001', properties: {} },
      { email: 'b@example.com', properties: { 'a/b': { nested: true }, tags: ['x'], ok: null } },
    ]);
    expect(codes(bad)).toEqual([
      ['/params/contacts/0/email', 'EMAIL_REQUIRED'],
      ['/params/contacts/1/properties/a~1b', 'PROPERTY_NOT_SCALAR'],
      ['/params/contacts/1/properties/tags', 'PROPERTY_NOT_SCALAR'],
    ]);
  });

  test('send_transactional: numeric messageId (emailId) and a recipient email', () => {
    expect(codes(sendAction({ messageId: 'welcome', to: { externalId: '1001' } }))).toEqual([
      ['/params/messageId', 'NOT_A_HUBSPOT_ID'],
      ['/params/to/email', 'EMAIL_REQUIRED'],
    ]);
    expect(codes(sendAction({ messageId: '99999999999999999999' }))).toEqual([
      ['/params/messageId', 'NOT_A_HUBSPOT_ID'],
    ]);
  });

  test('other action types are UNSUPPORTED_ACTION', () => {
    expect(codes(TRACK_EVENT)).toEqual([['/type', 'UNSUPPORTED_ACTION']]);
  });
});

describe('execute refuses what validate refuses, before sending', () => {
  const { sent, adapter: make } = useHubSpotFake();

  test('UNSUPPORTED_ACTION, not retryable, nothing sent', async () => {
    const error = await make()
      .execute(upsertAction([{ externalId: '1', properties: {} }]), context())
      .catch((e: unknown) => e);
    expect(isAdapterError(error) && [error.code, error.retryable]).toEqual([
      'UNSUPPORTED_ACTION',
      false,
    ]);
    expect(isAdapterError(error) && error.message).toContain(
      '/params/contacts/0/email EMAIL_REQUIRED',
    );
    expect(sent).toHaveLength(0);
  });
});

describe('manifest', () => {
  test('declares the four actions, no platform key overall, no dry run, status or cancel', () => {
    expect(adapter.manifest).toMatchObject({
      id: 'hubspot',
      platform: 'HubSpot',
      actionTypes: ['enroll_in_workflow', 'add_to_list', 'upsert_contacts', 'send_transactional'],
      idempotency: 'none',
      supportsDryRun: false,
      supportsStatus: false,
      supportsCancel: false,
    });
    expect(adapter.manifest.docs).toEqual(Object.values(HUBSPOT_DOCS));
  });

  test('rate limits by tier, from the usage guidelines', () => {
    const burstAndDaily = (limits: readonly RateLimit[]) =>
      limits.map((l) => [l.requests, l.perMs, l.scope, l.source]);
    expect(burstAndDaily(adapter.manifest.rateLimits)).toEqual([
      [100, 10_000, 'account', HUBSPOT_DOCS.usage],
      [250_000, 86_400_000, 'account', HUBSPOT_DOCS.usage],
    ]);
    expect(hubspotRateLimits('professional').map((l) => l.requests)).toEqual([190, 625_000]);
    expect(hubspotRateLimits('enterprise', 2).map((l) => l.requests)).toEqual([250, 3_000_000]);
  });

  test('refuses an empty token and an unknown time zone at construction', () => {
    expect(() => createHubSpotAdapter({ accessToken: '' })).toThrow(TypeError);
    expect(() =>
      createHubSpotAdapter({ accessToken: TOKEN, accountTimeZone: 'Mars/Olympus' }),
    ).toThrow(RangeError);
  });
});
