import { HttpResponse, http } from 'msw';
import { describe, expect, test } from 'vitest';
import { isAdapterError } from '../../src/adapter-error.js';
import {
  context,
  enrollAction,
  HUBAPI,
  listAction,
  sendAction,
  TOKEN,
  upsertAction,
  useHubSpotFake,
} from './hubspot-fixtures.js';

const { fake, server, sent, adapter } = useHubSpotFake();

const AUTH = { authorization: `Bearer ${TOKEN}`, accept: 'application/json' };
const JSON_AUTH = { ...AUTH, 'content-type': 'application/json' };

describe('enroll_in_workflow: POST /automation/v2/workflows/{workflowId}/enrollments/contacts/{email}', () => {
  test('one request per contact, in order, email URL-encoded, bearer token, no body', async () => {
    const receipt = await adapter().execute(enrollAction(), context());
    expect(sent.map((r) => [r.method, r.url])).toEqual([
      ['POST', `${HUBAPI}/automation/v2/workflows/4242/enrollments/contacts/ada%40example.com`],
      ['POST', `${HUBAPI}/automation/v2/workflows/4242/enrollments/contacts/grace%40example.com`],
    ]);
    for (const request of sent) {
      expect(request.headers).toMatchObject(AUTH);
      expect(request.headers['content-type']).toBeUndefined();
      expect(request.body).toBeUndefined();
    }
    expect(receipt).toEqual({
      status: 'succeeded',
      details: { workflowId: '4242', contacts: 2, enrolledNow: 2 },
    });
    expect(fake.enrollments).toEqual([
      { workflowId: '4242', email: 'ada@example.com' },
      { workflowId: '4242', email: 'grace@example.com' },
    ]);
  });

  test('stops at the first failure, says how far it got, and a same-key retry resumes there', async () => {
    const emails = ['ada@example.com', 'grace@example.com', 'lin@example.com'];
    server.use(
      http.post(
        `${HUBAPI}/automation/v2/workflows/4242/enrollments/contacts/grace%40example.com`,
        () =>
          HttpResponse.json(
            { status: 'error', message: 'down', category: 'INTERNAL_ERROR' },
            { status: 503 },
          ),
        { once: true },
      ),
    );
    const hubspot = adapter();
    const error = await hubspot
      .execute(enrollAction(emails), context('key-1'))
      .catch((e: unknown) => e);
    expect(isAdapterError(error) && error.code).toBe('PLATFORM_UNAVAILABLE');
    expect(isAdapterError(error) && error.retryable).toBe(true);
    expect(String(isAdapterError(error) && error.message)).toContain(
      'contact 2 of 3 failed; 1 confirmed (0 by earlier attempts)',
    );
    expect(fake.enrollments.map((e) => e.email)).toEqual(['ada@example.com']);

    sent.length = 0;
    const receipt = await hubspot.execute(enrollAction(emails), context('key-1', { attempt: 2 }));
    expect(sent.map((r) => r.url.split('/').at(-1))).toEqual([
      'grace%40example.com',
      'lin%40example.com',
    ]);
    expect(receipt.details).toEqual({ workflowId: '4242', contacts: 3, enrolledNow: 2 });
    expect(fake.enrollments.map((e) => e.email)).toEqual(emails);
  });
});

describe('add_to_list: PUT /crm/v3/lists/{listId}/memberships/add', () => {
  test('record ids from externalId, as a JSON array of strings', async () => {
    const receipt = await adapter().execute(listAction(), context());
    expect(sent).toEqual([
      {
        method: 'PUT',
        url: `${HUBAPI}/crm/v3/lists/77/memberships/add`,
        headers: expect.objectContaining(JSON_AUTH),
        body: ['1001', '1002'],
      },
    ]);
    expect(receipt).toEqual({
      status: 'succeeded',
      details: {
        listId: '77',
        requested: 2,
        added: 2,
        alreadyMembers: 0,
        missing: 0,
        unresolved: 0,
      },
    });
    expect(fake.listMembers('77')).toEqual(['1001', '1002']);
  });

  test('emails are looked up with a batch read by email first; unknown ones are counted, not sent', async () => {
    const action = listAction([
      { email: 'Grace@Example.com' },
      { email: 'nobody@example.com' },
      { externalId: '1001' },
    ]);
    const receipt = await adapter().execute(action, context());
    expect(sent[0]).toEqual({
      method: 'POST',
      url: `${HUBAPI}/crm/v3/objects/contacts/batch/read`,
      headers: expect.objectContaining(JSON_AUTH),
      body: {
        idProperty: 'email',
        inputs: [{ id: 'Grace@Example.com' }, { id: 'nobody@example.com' }],
        properties: ['email'],
        propertiesWithHistory: [],
      },
    });
    expect(sent[1]?.body).toEqual(['1002', '1001']);
    expect(receipt.details).toMatchObject({ added: 2, unresolved: 1, missing: 0 });
  });

  test('counts records already in the list and ids HubSpot reports missing', async () => {
    await adapter().execute(listAction([{ externalId: '1001' }]), context());
    const receipt = await adapter().execute(
      listAction([{ externalId: '1001' }, { externalId: '999' }]),
      context(),
    );
    expect(receipt.details).toMatchObject({ added: 0, alreadyMembers: 1, missing: 1 });
  });

  test('NOT_FOUND when none of the contacts exists, and no list request is sent', async () => {
    const error = await adapter()
      .execute(listAction([{ email: 'nobody@example.com' }]), context())
      .catch((e: unknown) => e);
    expect(isAdapterError(error) && error.code).toBe('NOT_FOUND');
    expect(sent.map((r) => r.method)).toEqual(['POST']);
  });
});

describe('upsert_contacts: POST /crm/v3/objects/contacts/batch/upsert', () => {
  test('one input per contact with idProperty email, properties as strings, phone added', async () => {
    const receipt = await adapter().execute(upsertAction(), context());
    expect(sent).toEqual([
      {
        method: 'POST',
        url: `${HUBAPI}/crm/v3/objects/contacts/batch/upsert`,
        headers: expect.objectContaining(JSON_AUTH),
        body: {
          inputs: [
            {
              idProperty: 'email',
              id: 'new@example.com',
              properties: { firstname: 'New', score: '7', phone: '+14155550100' },
            },
            {
              idProperty: 'email',
              id: 'ada@example.com',
              properties: { lifecyclestage: 'customer', vip: 'true' },
            },
          ],
        },
      },
    ]);
    expect(receipt).toEqual({ status: 'succeeded', details: { upserted: 2, created: 1 } });
    expect(fake.contact('new@example.com')?.properties).toMatchObject({
      firstname: 'New',
      score: '7',
    });
  });

  test('a 207 multi-status is INVALID_REQUEST with the counts and HubSpot first error', async () => {
    server.use(
      http.post(`${HUBAPI}/crm/v3/objects/contacts/batch/upsert`, () =>
        HttpResponse.json(
          {
            status: 'COMPLETE',
            results: [{ id: '1003', properties: {} }],
            numErrors: 1,
            errors: [
              {
                status: 'error',
                category: 'VALIDATION_ERROR',
                message: 'Property "score" does not exist',
              },
            ],
          },
          { status: 207 },
        ),
      ),
    );
    const error = await adapter()
      .execute(upsertAction(), context())
      .catch((e: unknown) => e);
    expect(
      isAdapterError(error) && [error.code, error.retryable, error.message, error.platform],
    ).toEqual([
      'INVALID_REQUEST',
      false,
      'HubSpot upserted 1 of 2 contacts; 1 failed',
      {
        status: 207,
        platformCode: 'VALIDATION_ERROR',
        platformMessage: 'Property "score" does not exist',
      },
    ]);
  });
});

describe('send_transactional: POST /marketing/v4/email/single-send', () => {
  test('emailId as a number, message.to and sendId = the idempotency key, data as customProperties', async () => {
    const receipt = await adapter().execute(sendAction(), context('plan-9:opt-b:3'));
    expect(sent).toEqual([
      {
        method: 'POST',
        url: `${HUBAPI}/marketing/v4/email/single-send`,
        headers: expect.objectContaining(JSON_AUTH),
        body: {
          emailId: 555,
          message: { to: 'ada@example.com', sendId: 'plan-9:opt-b:3' },
          customProperties: { coupon: 'SPRING' },
        },
      },
    ]);
    expect(receipt).toEqual({
      status: 'accepted',
      platformRef: 'status-1',
      details: { emailId: '555', sendStatus: 'PENDING' },
    });
  });

  test('a retry with the same key is sent again but HubSpot sends one email (sendId)', async () => {
    const hubspot = adapter();
    const first = await hubspot.execute(sendAction(), context('k'));
    const second = await hubspot.execute(sendAction(), context('k', { attempt: 2 }));
    expect(sent).toHaveLength(2);
    expect(second.platformRef).toBe(first.platformRef);
    expect(fake.sends).toHaveLength(1);
    expect(fake.applied).toHaveLength(1);
  });

  test('without data, no customProperties', async () => {
    await adapter().execute(sendAction({ data: undefined }), context());
    expect(sent[0]?.body).toEqual({
      emailId: 555,
      message: { to: 'ada@example.com', sendId: 'plan-1:opt-a:0' },
    });
  });
});

test('baseUrl is honoured, trailing slash trimmed', async () => {
  const local = 'https://hubspot.local.test';
  server.use(
    http.put(`${local}/crm/v3/lists/77/memberships/add`, () =>
      HttpResponse.json({ recordsIdsAdded: ['1001'] }),
    ),
  );
  await adapter({ baseUrl: `${local}/` }).execute(listAction([{ externalId: '1001' }]), context());
  expect(sent[0]?.url).toBe(`${local}/crm/v3/lists/77/memberships/add`);
});
