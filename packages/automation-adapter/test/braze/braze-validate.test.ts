import type { Action } from '@handoff/protocol';
import { describe, expect, it } from 'vitest';
import { BRAZE_MANIFEST } from '../../src/braze/braze-adapter.js';
import { BRAZE_DOCS } from '../../src/braze/braze-api.js';
import { validateBrazeAction } from '../../src/braze/braze-validate.js';
import {
  addToListAction,
  broadcastAction,
  contacts,
  context,
  enrollAction,
  rejection,
  scheduleAction,
  trackEventAction,
  upsertAction,
  useBrazeFake,
} from './braze-fixtures.js';

const { fake, adapter } = useBrazeFake();

function codes(action: Action): string[] {
  const result = validateBrazeAction(action);
  return result.ok ? [] : result.issues.map((issue) => `${issue.path} ${issue.code}`);
}

describe('Braze adapter: validation before sending', () => {
  it('accepts the supported actions', () => {
    for (const action of [
      broadcastAction,
      enrollAction(1000),
      scheduleAction,
      trackEventAction,
      upsertAction(1000),
    ]) {
      expect(validateBrazeAction(action)).toEqual({ ok: true });
    }
  });

  it('refuses unsupported types and schema-invalid actions', () => {
    expect(codes(addToListAction)).toEqual(['/type UNSUPPORTED_ACTION']);
    const invalid = { ...enrollAction(1), params: { workflowId: 'canvas-1', contacts: [] } };
    expect(codes(invalid)).toEqual(['/params/contacts INVALID_ACTION']);
  });

  it('refuses a segmentId: Braze trigger sends reach only the campaign segment', () => {
    const action = { ...broadcastAction, params: { broadcastId: 'c', segmentId: 'seg-1' } };
    expect(codes(action)).toEqual(['/params/segmentId UNSUPPORTED_PARAM']);
  });

  it('needs an externalId for every recipient, once', () => {
    const action = enrollAction(2);
    action.params.contacts = [{ email: 'a@example.com' }, { externalId: 'u' }, { externalId: 'u' }];
    expect(codes(action)).toEqual([
      '/params/contacts/0/externalId EXTERNAL_ID_REQUIRED',
      '/params/contacts/2/externalId DUPLICATE_CONTACT',
    ]);
  });

  it('caps a schedule at 50 recipients so it can be cancelled as one', () => {
    const action = {
      ...scheduleAction,
      params: { ...scheduleAction.params, recipients: contacts(51) },
    };
    expect(codes(action)).toEqual(['/params/recipients TOO_MANY_RECIPIENTS']);
  });

  it('refuses user identifiers hidden in attribute properties', () => {
    const action = upsertAction(1);
    action.params.contacts = [{ externalId: 'u', properties: { external_id: 'x', tier: 1 } }];
    expect(codes(action)).toEqual(['/params/contacts/0/properties/external_id RESERVED_PROPERTY']);
  });

  it('throws UNSUPPORTED_ACTION from execute without calling Braze', async () => {
    const error = await rejection(adapter().execute(addToListAction, context()));
    expect(error.code).toBe('UNSUPPORTED_ACTION');
    expect(error.retryable).toBe(false);
    expect(fake.received).toHaveLength(0);
  });
});

describe('Braze adapter: manifest', () => {
  it('declares no idempotency key, cancel without status, and its sources', () => {
    expect(BRAZE_MANIFEST).toMatchObject({
      id: 'braze',
      idempotency: 'none',
      supportsDryRun: false,
      supportsStatus: false,
      supportsCancel: true,
    });
    expect(BRAZE_MANIFEST.actionTypes).toEqual([
      'trigger_broadcast',
      'enroll_in_workflow',
      'schedule_message',
      'track_event',
      'upsert_contacts',
    ]);
    expect(BRAZE_MANIFEST.docs).toContain(BRAZE_DOCS.canvasTriggerSend);
    for (const limit of BRAZE_MANIFEST.rateLimits) expect(limit.source).toBe(BRAZE_DOCS.rateLimits);
    expect(adapter().manifest).toBe(BRAZE_MANIFEST);
  });
});
