import { errorAnswer, type FakeAnswer, isEmail, objectOf } from './hubspot-fake-support.js';

/** A contact in the fake account. */
export interface FakeContact {
  id: string;
  email: string;
  properties: Record<string, string>;
}

/** One single send the fake accepted. */
export interface FakeSend {
  emailId: number;
  to: string;
  sendId?: string;
  statusId: string;
}

/** What the fake account knows before any request: workflow, list and email ids, and contacts. */
export interface HubSpotFakeSeed {
  workflowIds: readonly string[];
  listIds: readonly string[];
  emailIds: readonly string[];
  contacts: readonly { email: string; id?: string; properties?: Record<string, string> }[];
}

/** The fake account's state: contacts (by lower-cased email and by id), list members, enrolments and sends. */
export class HubSpotFakeState {
  readonly contacts = new Map<string, FakeContact>();
  readonly byId = new Map<string, FakeContact>();
  readonly lists = new Map<string, Set<string>>();
  readonly enrollments: { workflowId: string; email: string }[] = [];
  readonly sends: FakeSend[] = [];
  readonly sendAnswers = new Map<string, FakeAnswer>();
  #nextId = 1001;

  constructor(readonly seed: HubSpotFakeSeed) {
    this.reset();
  }

  reset(): void {
    this.contacts.clear();
    this.byId.clear();
    this.lists.clear();
    this.enrollments.length = 0;
    this.sends.length = 0;
    this.sendAnswers.clear();
    this.#nextId = 1001;
    for (const id of this.seed.listIds) this.lists.set(id, new Set());
    for (const c of this.seed.contacts) this.upsert(c.email, c.properties ?? {}, c.id);
  }

  /** Creates or updates the contact with `email`; `created` tells which. */
  upsert(
    email: string,
    properties: Record<string, string>,
    id?: string,
  ): { contact: FakeContact; created: boolean } {
    const existing = this.contacts.get(email.toLowerCase());
    if (existing) {
      Object.assign(existing.properties, properties);
      return { contact: existing, created: false };
    }
    const contact = {
      id: id ?? String(this.#nextId++),
      email,
      properties: { ...properties, email },
    };
    this.contacts.set(email.toLowerCase(), contact);
    this.byId.set(contact.id, contact);
    return { contact, created: true };
  }
}

/** What an endpoint gets: the state, path parameters, the parsed body, the clock and a correlation id. */
export interface EndpointInput {
  state: HubSpotFakeState;
  params: Readonly<Record<string, string | readonly string[] | undefined>>;
  body: unknown;
  now: number;
  correlationId: string;
}

/** An endpoint's answer, and whether the platform applied the request (changed its state). */
export type EndpointResult = { answer: FakeAnswer; applied: boolean };

const rejected = (answer: FakeAnswer): EndpointResult => ({ answer, applied: false });
const invalid = (input: EndpointInput, message: string, where?: string) =>
  rejected(
    errorAnswer(400, 'VALIDATION_ERROR', message, input.correlationId, [
      { message, ...(where ? { in: where } : {}) },
    ]),
  );
const notFound = (input: EndpointInput, message: string) =>
  rejected(errorAnswer(404, 'OBJECT_NOT_FOUND', message, input.correlationId));

/** `POST /automation/v2/workflows/{workflowId}/enrollments/contacts/{email}`: 204, no body. */
export function enrollEndpoint(input: EndpointInput): EndpointResult {
  const workflowId = String(input.params.workflowId);
  const email = String(input.params.email);
  if (!input.state.seed.workflowIds.includes(workflowId)) {
    return notFound(input, `Workflow ${workflowId} does not exist`);
  }
  if (!isEmail(email)) return invalid(input, `${email} is not a valid email address`, 'email');
  input.state.enrollments.push({ workflowId, email });
  return { answer: { status: 204 }, applied: true };
}

/**
 * `DELETE /automation/v2/workflows/{workflowId}/enrollments/contacts/{email}`: 204, no body; the contact's
 * enrolments in the workflow are removed (none is no error: the contact is out of the workflow either way).
 */
export function unenrollEndpoint(input: EndpointInput): EndpointResult {
  const workflowId = String(input.params.workflowId);
  const email = String(input.params.email);
  if (!input.state.seed.workflowIds.includes(workflowId)) {
    return notFound(input, `Workflow ${workflowId} does not exist`);
  }
  const { enrollments } = input.state;
  const before = enrollments.length;
  const kept = enrollments.filter((e) => !(e.workflowId === workflowId && e.email === email));
  enrollments.splice(0, enrollments.length, ...kept);
  return { answer: { status: 204 }, applied: kept.length < before };
}

/** `PUT /crm/v3/lists/{listId}/memberships/add`: `{ recordIdsMissing, recordIdsRemoved, recordsIdsAdded }`. */
export function listAddEndpoint(input: EndpointInput): EndpointResult {
  const listId = String(input.params.listId);
  const members = input.state.lists.get(listId);
  if (!members) return notFound(input, `List ${listId} does not exist`);
  const body = input.body;
  if (
    !Array.isArray(body) ||
    !body.every((id) => typeof id === 'string' || typeof id === 'number')
  ) {
    return invalid(input, 'The body must be a JSON array of record ids');
  }
  const added: string[] = [];
  const missing: string[] = [];
  for (const id of body.map(String)) {
    if (!input.state.byId.has(id)) missing.push(id);
    else if (!members.has(id)) {
      members.add(id);
      added.push(id);
    }
  }
  const answer = { recordIdsMissing: missing, recordIdsRemoved: [], recordsIdsAdded: added };
  return { answer: { status: 200, body: answer }, applied: true };
}

function inputsOf(input: EndpointInput): Record<string, unknown>[] | EndpointResult {
  const inputs = objectOf(input.body)?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) {
    return invalid(input, 'inputs must be a non-empty array', 'inputs');
  }
  if (inputs.length > 100) {
    return invalid(
      input,
      `Batch input limit exceeded: ${inputs.length} inputs, at most 100`,
      'inputs',
    );
  }
  const objects = inputs.map(objectOf);
  return objects.every((o) => o !== undefined)
    ? (objects as Record<string, unknown>[])
    : invalid(input, 'Each input must be an object', 'inputs');
}

/** `POST /crm/v3/objects/contacts/batch/read` by `idProperty: 'email'`: 200, or 207 naming missing ids. */
export function batchReadEndpoint(input: EndpointInput): EndpointResult {
  const inputs = inputsOf(input);
  if (!Array.isArray(inputs)) return inputs;
  if (objectOf(input.body)?.idProperty !== 'email') {
    return invalid(input, 'This fake reads contacts by idProperty "email" only', 'idProperty');
  }
  const ids = inputs.map((i) => String(i.id));
  const found = ids.flatMap((id) => {
    const contact = input.state.contacts.get(id.toLowerCase());
    return contact
      ? [{ id: contact.id, properties: { email: contact.email }, archived: false }]
      : [];
  });
  const missing = ids.filter((id) => !input.state.contacts.has(id.toLowerCase()));
  const at = new Date(input.now).toISOString();
  const body = {
    status: 'COMPLETE',
    results: found,
    startedAt: at,
    completedAt: at,
    ...(missing.length > 0
      ? {
          numErrors: 1,
          errors: [
            {
              status: 'error',
              category: 'OBJECT_NOT_FOUND',
              message: 'Could not get some CONTACT objects, they may be deleted or not exist.',
              context: { ids: missing },
            },
          ],
        }
      : {}),
  };
  return { answer: { status: missing.length > 0 ? 207 : 200, body }, applied: false };
}

/** `POST /crm/v3/objects/contacts/batch/upsert` with `idProperty: 'email'` inputs: 200 with the records. */
export function batchUpsertEndpoint(input: EndpointInput): EndpointResult {
  const inputs = inputsOf(input);
  if (!Array.isArray(inputs)) return inputs;
  const seen = new Set<string>();
  for (const entry of inputs) {
    const props = objectOf(entry.properties);
    if (entry.idProperty !== 'email')
      return invalid(input, 'idProperty must be "email"', 'idProperty');
    if (!isEmail(entry.id)) return invalid(input, `${String(entry.id)} is not a valid email`, 'id');
    if (!props || !Object.values(props).every((v) => typeof v === 'string')) {
      return invalid(input, 'properties must map property names to strings', 'properties');
    }
    if (seen.has(entry.id.toLowerCase())) {
      return invalid(input, `Duplicate IDs found in batch input: [${entry.id}]`, 'inputs');
    }
    seen.add(entry.id.toLowerCase());
  }
  const at = new Date(input.now).toISOString();
  const results = inputs.map((entry) => {
    const { contact, created } = input.state.upsert(
      String(entry.id),
      objectOf(entry.properties) as Record<string, string>,
    );
    const base = { id: contact.id, properties: { ...contact.properties }, archived: false };
    return { ...base, new: created, createdAt: at, updatedAt: at };
  });
  const body = { status: 'COMPLETE', results, startedAt: at, completedAt: at };
  return { answer: { status: 200, body }, applied: true };
}

/**
 * `POST /marketing/v4/email/single-send`: `{ status: 'PENDING', statusId, requestedAt }`. A `sendId` seen before
 * gets the first answer again and sends nothing ("only one email with a given sendId will be sent per account").
 * An `emailId` the account does not have is answered 404 `OBJECT_NOT_FOUND` (HubSpot does not document this case).
 */
export function singleSendEndpoint(input: EndpointInput): EndpointResult {
  const body = objectOf(input.body);
  const message = objectOf(body?.message);
  const emailId = body?.emailId;
  if (typeof emailId !== 'number' || !Number.isSafeInteger(emailId)) {
    return invalid(input, 'emailId must be an integer', 'emailId');
  }
  if (!isEmail(message?.to)) return invalid(input, 'message.to must be an email address', 'to');
  const sendId = typeof message?.sendId === 'string' ? message.sendId : undefined;
  const earlier = sendId === undefined ? undefined : input.state.sendAnswers.get(sendId);
  if (earlier) return { answer: earlier, applied: false };
  if (!input.state.seed.emailIds.includes(String(emailId))) {
    return notFound(input, `Email ${emailId} does not exist`);
  }
  const statusId = `status-${input.state.sends.length + 1}`;
  input.state.sends.push({ emailId, to: message.to, statusId, ...(sendId ? { sendId } : {}) });
  input.state.upsert(message.to, {});
  const at = new Date(input.now).toISOString();
  const answer = { status: 200, body: { status: 'PENDING', statusId, requestedAt: at } };
  if (sendId !== undefined) input.state.sendAnswers.set(sendId, answer);
  return { answer, applied: true };
}
