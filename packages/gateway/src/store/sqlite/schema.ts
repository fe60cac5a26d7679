import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

/**
 * The SQLite tables of the gateway (drizzle-orm). Times are epoch milliseconds (integer) unless named `*_iso`;
 * money is integer minor units with its ISO 4217 currency beside it. Migrations under `drizzle/` are generated
 * from this file with `pnpm --filter @handoff/gateway db:generate` and committed.
 */

/** Documents stored once by digest: plans, policy sets, approval tokens, receipts. */
export const payloads = sqliteTable('payloads', {
  digest: text('digest').primaryKey(),
  kind: text('kind').notNull(),
  body: text('body').notNull(),
  createdAt: integer('created_at').notNull(),
});

/**
 * One row per plan: its state and the facts the pipeline needs without re-reading the payload. Plan ids are
 * scoped per tenant (key `(tenant_id, plan_id)`, migration 0006): the same id in two tenants is two plans, so a
 * plan id used in one tenant is never a conflict, nor a signal, in another.
 */
export const plans = sqliteTable(
  'plans',
  {
    planId: text('plan_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    workflowId: text('workflow_id').notNull(),
    copilotModel: text('copilot_model').notNull(),
    digest: text('digest').notNull(),
    state: text('state').notNull(),
    pausedFrom: text('paused_from'),
    recommendedOptionId: text('recommended_option_id').notNull(),
    selectedOptionId: text('selected_option_id'),
    submittedBy: text('submitted_by').notNull(),
    policyVersion: text('policy_version').notNull(),
    evaluationDigest: text('evaluation_digest').notNull(),
    reasonCode: text('reason_code'),
    receivedAt: integer('received_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    approvalDeadline: integer('approval_deadline').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.planId] }),
    index('plans_tenant_state').on(t.tenantId, t.state),
    index('plans_tenant_received').on(t.tenantId, t.receivedAt),
  ],
);

/** Accepted approvals (valid tokens), one per approver per plan (of a tenant). */
export const approvals = sqliteTable(
  'approvals',
  {
    jti: text('jti').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    planId: text('plan_id').notNull(),
    optionId: text('option_id').notNull(),
    approver: text('approver').notNull(),
    role: text('role').notNull(),
    decision: text('decision').notNull(),
    kid: text('kid').notNull(),
    tokenDigest: text('token_digest').notNull(),
    maxSpendMinor: integer('max_spend_minor').notNull(),
    currency: text('currency').notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [uniqueIndex('approvals_plan_approver').on(t.tenantId, t.planId, t.approver)],
);

/** Every token id ever accepted: a replay fails, even after a restart. */
export const usedTokens = sqliteTable('used_tokens', {
  jti: text('jti').primaryKey(),
  planId: text('plan_id').notNull(),
  usedAt: integer('used_at').notNull(),
});

/** Budget caps per tenant, scope, period and currency. */
export const budgetCaps = sqliteTable(
  'budget_caps',
  {
    capId: text('cap_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    scopeType: text('scope_type').notNull(),
    scopeValue: text('scope_value').notNull(),
    period: text('period').notNull(),
    currency: text('currency').notNull(),
    limitMinor: integer('limit_minor').notNull(),
    timeZone: text('time_zone').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.capId] }),
    uniqueIndex('budget_caps_scope').on(
      t.tenantId,
      t.scopeType,
      t.scopeValue,
      t.period,
      t.currency,
    ),
  ],
);

/** The budget ledger: one line per plan, cap and period; reserved, then committed or released. */
export const budgetLedger = sqliteTable(
  'budget_ledger',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    planId: text('plan_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    capId: text('cap_id').notNull(),
    periodKey: text('period_key').notNull(),
    currency: text('currency').notNull(),
    amountMinor: integer('amount_minor').notNull(),
    status: text('status').notNull(),
    expiresAt: integer('expires_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('budget_ledger_usage').on(t.tenantId, t.capId, t.periodKey, t.status),
    index('budget_ledger_plan').on(t.planId),
  ],
);

/**
 * Reserved and committed minor units per tenant, cap and period: the sums of the ledger's `reserved` and
 * `committed` lines, kept by the store's own methods (`sqlite-budget.ts`; the triggers of migration 0003 are
 * dropped), so a reservation is one conditional update of one row (brief decision 3).
 */
export const budgetUsage = sqliteTable(
  'budget_usage',
  {
    tenantId: text('tenant_id').notNull(),
    capId: text('cap_id').notNull(),
    periodKey: text('period_key').notNull(),
    reservedMinor: integer('reserved_minor').notNull().default(0),
    committedMinor: integer('committed_minor').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.capId, t.periodKey] })],
);

/**
 * The outbox: one row per approved action, written in the same transaction as the approval, and one row per
 * compensation of a rollback (`reverses`: the idempotency key of the row it undoes; migration 0007), dispatched by
 * the same dispatcher under the same rules. `lease_owner` and `lease_until` (epoch ms) are a dispatcher replica's
 * lease on the row (see `store/outbox-leases.ts`), null when unleased.
 */
export const dispatches = sqliteTable(
  'dispatches',
  {
    idempotencyKey: text('idempotency_key').primaryKey(),
    planId: text('plan_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    optionId: text('option_id').notNull(),
    actionIndex: integer('action_index').notNull(),
    actionId: text('action_id').notNull(),
    adapter: text('adapter').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    receiptDigest: text('receipt_digest'),
    reverses: text('reverses'),
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('dispatches_due').on(t.status, t.nextAttemptAt),
    index('dispatches_lease').on(t.status, t.leaseUntil),
    index('dispatches_plan').on(t.planId),
  ],
);

/**
 * The append-only lineage (format 2, issue 14): each event belongs to one hash chain, its plan's (`chain` =
 * `plan`) or its tenant's (`tenant`, events of no plan); `seq` is its position in that chain. `id` is the
 * insertion order; `log_index` is its position in the global transparency log, NULL until the sequencer assigns
 * it (`audit/sequencer.ts`), the one update a row ever sees. Format-1 rows (one global chain) have `chain`
 * NULL and `log_index = seq - 1`. Rows are never deleted.
 *
 * No index on `hash`: the chains already make hashes unique, and an index of random keys costs a page write per
 * event. `lineage_chain` finds a chain's head (`chain` IS NULL rows are never a head); `lineage_plan` and
 * `lineage_tenant` end in the implicit `id`, so a plan's or tenant's events come in insertion order; the unique
 * `lineage_log_index` keeps NULLs first in `id` order, which is how the sequencer finds what to sequence.
 * `lineage_approvals` holds the `id` of each `approval.accepted` event only (a partial index): an export finds
 * the approval tokens its events refer to through it instead of reading every event twice.
 */
export const lineageEvents = sqliteTable(
  'lineage_events',
  {
    id: integer('id').primaryKey(),
    seq: integer('seq').notNull(),
    chain: text('chain', { enum: ['plan', 'tenant'] }),
    logIndex: integer('log_index'),
    tenantId: text('tenant_id').notNull(),
    planId: text('plan_id'),
    type: text('type').notNull(),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id').notNull(),
    occurredAt: integer('occurred_at').notNull(),
    body: text('body').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('lineage_plan').on(t.planId),
    index('lineage_tenant').on(t.tenantId),
    index('lineage_chain').on(t.tenantId, t.planId, t.chain, t.seq),
    uniqueIndex('lineage_log_index').on(t.logIndex),
    index('lineage_approvals').on(t.id).where(sql`${t.type} = 'approval.accepted'`),
  ],
);

/**
 * Signed tree heads of the transparency log, one per sequenced batch (filled by the sequencer,
 * `audit/sequencer.ts`): `tree_size` leaves, `log_index` 0..tree_size-1.
 */
export const lineageCheckpoints = sqliteTable('lineage_checkpoints', {
  treeSize: integer('tree_size').primaryKey(),
  rootHash: text('root_hash').notNull(),
  signedAt: integer('signed_at').notNull(),
  kid: text('kid').notNull(),
  signature: text('signature').notNull(),
});

/**
 * Public keys that verified an approval, a copilot signature or signed a checkpoint: kept after rotation. Approver
 * kids are per tenant (see `approver_keys`), so an approver key is kept under its tenant; checkpoint and copilot
 * keys are the gateway's, under tenant `''`.
 */
export const keys = sqliteTable(
  'keys',
  {
    kid: text('kid').notNull(),
    purpose: text('purpose').notNull(),
    tenantId: text('tenant_id').notNull(),
    jwk: text('jwk').notNull(),
    firstSeenAt: integer('first_seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.purpose, t.tenantId, t.kid] })],
);

/** Every policy set the gateway has applied, by digest. */
export const policyVersions = sqliteTable('policy_versions', {
  digest: text('digest').primaryKey(),
  policySetId: text('policy_set_id').notNull(),
  label: text('label').notNull(),
  activatedAt: integer('activated_at').notNull(),
});

/** Kill switches: one row per paused scope. */
export const controls = sqliteTable(
  'controls',
  {
    tenantId: text('tenant_id').notNull(),
    scopeType: text('scope_type').notNull(),
    scopeValue: text('scope_value').notNull(),
    reason: text('reason').notNull(),
    pausedBy: text('paused_by').notNull(),
    pausedAt: integer('paused_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.scopeType, t.scopeValue] })],
);

/**
 * The approver registry, per tenant: every approver key, keyed (`tenant_id`, `kid`), registered to exactly one
 * approver identity (`subject`) of that tenant and a set of roles (a JSON array, sorted, never empty). `jwk` is the
 * pinned public JWK (RFC 7517, public members only) that verifies the key's approvals, `thumbprint` its RFC 7638
 * SHA-256 thumbprint (base64url). Within a tenant a key material (thumbprint) is registered under one kid only.
 * A row is never deleted or re-owned: revocation sets `status` to `revoked` with who, when and why.
 */
export const approverKeys = sqliteTable(
  'approver_keys',
  {
    kid: text('kid').notNull(),
    tenantId: text('tenant_id').notNull(),
    subject: text('subject').notNull(),
    roles: text('roles').notNull(),
    jwk: text('jwk').notNull(),
    thumbprint: text('thumbprint').notNull(),
    status: text('status').notNull(),
    registeredAt: integer('registered_at').notNull(),
    registeredBy: text('registered_by').notNull(),
    revokedAt: integer('revoked_at'),
    revokedBy: text('revoked_by'),
    reason: text('reason'),
  },
  (t) => [
    // Kids are per tenant: another tenant's kid is not one of this tenant's (no existence oracle across tenants).
    primaryKey({ columns: [t.tenantId, t.kid] }),
    index('approver_keys_tenant').on(t.tenantId, t.subject),
    // One key material, one kid, within a tenant: the same public key under two kids would let one signer act as
    // two identities there. Two tenants may each register the same key (each binding is that tenant's statement).
    uniqueIndex('approver_keys_thumbprint').on(t.tenantId, t.thumbprint),
  ],
);

/**
 * Sends this gateway dispatched, for the policy pack's frequency caps: one row per recipient key (`contact:<hex
 * SHA-256>` of a normalised email or id, or `segment:<id>`; never a contact in clear) and channel of the send's
 * option, written with the dispatch outcome in its transaction. A send is one outbox row (`idempotency_key`).
 */
export const contactSends = sqliteTable(
  'contact_sends',
  {
    tenantId: text('tenant_id').notNull(),
    recipientKey: text('recipient_key').notNull(),
    channel: text('channel').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    planId: text('plan_id').notNull(),
    sentAt: integer('sent_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.recipientKey, t.channel, t.idempotencyKey] }),
    index('contact_sends_recent').on(t.tenantId, t.recipientKey, t.sentAt),
  ],
);

/**
 * Console invitations (issue 17): one row per enrolment link, keyed by the SHA-256 (hex) of its one-time token
 * (the token itself is never stored). `roles` (approval roles) and `access` (principal roles) are JSON arrays;
 * `challenge` is the WebAuthn creation challenge last issued for it (base64url); `used_at` is set once a passkey
 * is enrolled with it.
 */
export const invitations = sqliteTable(
  'invitations',
  {
    tokenHash: text('token_hash').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    subject: text('subject').notNull(),
    roles: text('roles').notNull(),
    access: text('access').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    challenge: text('challenge'),
    usedAt: integer('used_at'),
  },
  (t) => [index('invitations_subject').on(t.tenantId, t.subject)],
);

/**
 * WebAuthn passkeys of the console's people (issue 17): the credential id (base64url), its COSE public key
 * (RFC 9052 section 7, base64url), its signature counter (W3C WebAuthn L3 section 6.1.1), the approver registry
 * kid it is registered under (`webauthn:<credential id>`), and the principal roles (`access`, JSON) its person
 * signs in with.
 */
export const passkeys = sqliteTable(
  'passkeys',
  {
    credentialId: text('credential_id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    subject: text('subject').notNull(),
    kid: text('kid').notNull(),
    publicKey: text('public_key').notNull(),
    signCount: integer('sign_count').notNull(),
    access: text('access').notNull(),
    transports: text('transports'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('passkeys_subject').on(t.tenantId, t.subject)],
);

/**
 * The console's sessions (issue 15): the session id's SHA-256 (hex; the id itself is never stored), the person,
 * their principal roles (`access`) and approval roles (JSON arrays), the CSRF token, and when the session opened
 * and expires (epoch ms).
 */
export const consoleSessions = sqliteTable(
  'console_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    subject: text('subject').notNull(),
    access: text('access').notNull(),
    approvalRoles: text('approval_roles').notNull(),
    csrfToken: text('csrf_token').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('console_sessions_expiry').on(t.expiresAt)],
);

/**
 * The console's open WebAuthn challenges (issue 15): the SHA-256 (hex) of the challenge (never the challenge), its
 * purpose (`sign-in`), the tenant when known, and its expiry (epoch ms). A row is deleted when taken.
 */
export const webauthnChallenges = sqliteTable(
  'webauthn_challenges',
  {
    challengeHash: text('challenge_hash').primaryKey(),
    purpose: text('purpose').notNull(),
    tenantId: text('tenant_id'),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('webauthn_challenges_expiry').on(t.expiresAt)],
);
