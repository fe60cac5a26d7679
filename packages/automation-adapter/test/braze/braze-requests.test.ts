import { describe, expect, it } from 'vitest';
import {
  broadcastAction,
  context,
  enrollAction,
  NOW,
  scheduleAction,
  trackEventAction,
  upsertAction,
  useBrazeFake,
} from './braze-fixtures.js';

const { fake, adapter } = useBrazeFake();

describe('Braze adapter: request shapes', () => {
  it('triggers a campaign broadcast with bearer auth and trigger_properties', async () => {
    const receipt = await adapter().execute(broadcastAction, context());
    expect(fake.received).toHaveLength(1);
    const [call] = fake.received;
    expect(call?.method).toBe('POST');
    expect(call?.path).toBe('/campaigns/trigger/send');
    expect(call?.headers.authorization).toBe('[redacted]');
    expect(call?.headers['content-type']).toBe('application/json');
    expect(call?.body).toEqual({
      campaign_id: 'campaign-winback',
      broadcast: true,
      trigger_properties: { offer: 'SPRING20' },
    });
    expect(receipt).toEqual({
      status: 'accepted',
      platformRef: 'dispatch-1',
      details: { requests: 1, broadcast: true, dispatchIds: ['dispatch-1'] },
    });
  });

  it('sends the REST API key as a bearer token (the fake refuses anything else)', async () => {
    await adapter().execute(broadcastAction, context());
    expect(fake.applied).toHaveLength(1);
  });

  it('batches 120 Canvas recipients into 50 + 50 + 20, in order, one dispatch id each', async () => {
    const receipt = await adapter().execute(enrollAction(120), context());
    expect(fake.received.map((c) => c.path)).toEqual([
      '/canvas/trigger/send',
      '/canvas/trigger/send',
      '/canvas/trigger/send',
    ]);
    const bodies = fake.received.map((c) => c.body as { recipients: unknown[] });
    expect(bodies.map((b) => b.recipients.length)).toEqual([50, 50, 20]);
    expect(fake.received[0]?.body).toMatchObject({
      canvas_id: 'canvas-onboarding',
      broadcast: false,
    });
    expect(bodies[0]?.recipients[0]).toEqual({ external_user_id: 'user-1' });
    expect(bodies[1]?.recipients[0]).toEqual({ external_user_id: 'user-51' });
    expect(bodies[2]?.recipients.at(-1)).toEqual({ external_user_id: 'user-120' });
    expect(receipt.platformRef).toBe('dispatch-1,dispatch-2,dispatch-3');
    expect(receipt.details).toEqual({
      requests: 3,
      recipients: 120,
      dispatchIds: ['dispatch-1', 'dispatch-2', 'dispatch-3'],
    });
  });

  it('sends exactly 50 recipients in one request', async () => {
    await adapter().execute(enrollAction(50), context());
    expect(fake.received).toHaveLength(1);
  });

  it('tracks an event by external_id with its time and properties', async () => {
    const receipt = await adapter().execute(trackEventAction, context());
    expect(fake.received[0]?.path).toBe('/users/track');
    expect(fake.received[0]?.body).toEqual({
      events: [
        {
          external_id: 'user-1',
          email: 'ada@example.com',
          name: 'offer_sent',
          time: '2026-03-02T11:59:00Z',
          properties: { offer: 'SPRING20' },
        },
      ],
    });
    expect(receipt.details).toEqual({ requests: 1, eventsProcessed: 1 });
  });

  it('stamps an event without occurredAt with the dispatcher clock (Braze requires time)', async () => {
    const { occurredAt: _, ...params } = trackEventAction.params;
    await adapter().execute({ ...trackEventAction, params }, context());
    expect(fake.received[0]?.body).toMatchObject({
      events: [{ time: new Date(NOW).toISOString() }],
    });
  });

  it('upserts 160 contacts as attribute objects (identifiers + properties) in 75 + 75 + 10', async () => {
    const receipt = await adapter().execute(upsertAction(160), context());
    const sizes = fake.received.map((c) => (c.body as { attributes: unknown[] }).attributes.length);
    expect(sizes).toEqual([75, 75, 10]);
    const first = fake.received[0]?.body as { attributes: Record<string, unknown>[] };
    expect(first.attributes[0]).toEqual({ external_id: 'user-1', tier: 'gold', rank: 1 });
    expect(receipt.details).toEqual({ requests: 3, contacts: 160, attributesProcessed: 160 });
  });

  it('honours a smaller /users/track batch for MAU CY 24-25 workspaces', async () => {
    await adapter({ usersTrackBatchSize: 50 }).execute(upsertAction(120), context());
    expect(fake.received).toHaveLength(3);
    expect(() => adapter({ usersTrackBatchSize: 76 })).toThrow(RangeError);
  });

  it('schedules a campaign message with schedule.time and returns campaign/schedule as reference', async () => {
    const receipt = await adapter().execute(scheduleAction, context());
    expect(fake.received[0]?.path).toBe('/campaigns/trigger/schedule/create');
    expect(fake.received[0]?.body).toEqual({
      campaign_id: 'campaign-reminder',
      broadcast: false,
      recipients: [{ external_user_id: 'user-1' }, { external_user_id: 'user-2' }],
      trigger_properties: { coupon: 'R10' },
      schedule: { time: '2026-03-05T09:00:00Z' },
    });
    expect(receipt).toEqual({
      status: 'accepted',
      platformRef: 'campaign-reminder/schedule-1',
      details: {
        requests: 1,
        sendAt: '2026-03-05T09:00:00Z',
        scheduleId: 'schedule-1',
        dispatchIds: ['dispatch-2'],
      },
      reversal: { scheduledId: 'schedule-1' },
    });
    expect([...fake.schedules.keys()]).toEqual(['schedule-1']);
  });

  it('reverses a schedule before its send time by deleting it, and refuses after it (CONFLICT, nothing sent)', async () => {
    const brazeAdapter = adapter();
    const receipt = await brazeAdapter.execute(scheduleAction, context());
    const undone = await brazeAdapter.reverse?.(scheduleAction, receipt.reversal ?? {}, context());
    expect(undone).toEqual({ status: 'succeeded', details: { scheduleId: 'schedule-1' } });
    expect(fake.received[1]?.path).toBe('/campaigns/trigger/schedule/delete');
    expect(fake.received[1]?.body).toEqual({
      campaign_id: 'campaign-reminder',
      schedule_id: 'schedule-1',
    });
    expect(fake.schedules.size).toBe(0);

    const late = { ...context(), now: () => Date.parse('2026-03-05T09:00:00Z') };
    const refused = await brazeAdapter
      .reverse?.(scheduleAction, receipt.reversal ?? {}, late)
      .catch((e) => e);
    expect(refused).toMatchObject({ code: 'CONFLICT' });
    expect(fake.received).toHaveLength(2);
  });

  it('cancels a schedule by deleting it with campaign_id and schedule_id', async () => {
    const brazeAdapter = adapter();
    const receipt = await brazeAdapter.execute(scheduleAction, context());
    await brazeAdapter.cancel?.(receipt.platformRef ?? '', context());
    expect(fake.received[1]?.path).toBe('/campaigns/trigger/schedule/delete');
    expect(fake.received[1]?.body).toEqual({
      campaign_id: 'campaign-reminder',
      schedule_id: 'schedule-1',
    });
    expect(fake.schedules.size).toBe(0);
    expect(brazeAdapter.status).toBeUndefined();
  });

  it('calls the instance REST endpoint whatever path or slash it was given', async () => {
    await adapter({ restEndpoint: 'https://rest.iad-01.braze.com/' }).execute(
      broadcastAction,
      context(),
    );
    expect(fake.received).toHaveLength(1);
  });
});
