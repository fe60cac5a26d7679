import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * The PostgreSQL tables of the gateway (drizzle-orm `pg-core`): the SQLite schema (`../sqlite/schema.ts`) table for
 * table, with the same table and column names, so every query, export and verifier reads the same shape on both
 * dialects. Times are epoch milliseconds and money integer minor units, both `bigint` (read as JS numbers: both
 * stay far below 2^53); JSON documents are `text`, byte for byte as hashed (never `jsonb`, which reorders keys).
 * Migrations under `drizzle-postgres/` are generated from this file with `pnpm --filter @handoff/gateway
 * db:generate:postgres` (`drizzle-postgres.config.ts`) and committed.
 *
 * What differs from SQLite, and why: `id` columns are identity columns; the chain order of the lineage is a
 * UNIQUE constraint (`lineage_chain`, NULLS NOT DISTINCT so a tenant chain's NULL `plan_id` counts), so two
 * replicas appending to one chain cannot both write the same `seq`.
 */
/** A `bigint` column read as a JS number: epoch ms, minor units, sequence numbers. */
const int64 = (name: string) => bigint(name, { mode: 'number' });

/** Documents stored once by digest: plans, policy sets, approval tokens, receipts. */
export const payloads = pgTable('payloads', {
  digest: text('digest').primaryKey(),
  kind: text('kind').notNull(),
  body: text('body').notNull(),
  createdAt: int64('created_at').notNull(),
});

/** One row per plan, keyed `(tenant_id, plan_id)`: plan ids are scoped per tenant. */
export const plans = pgTable(
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
    receivedAt: int64('received_at').notNull(),
    updatedAt: int64('updated_at').notNull(),
    approvalDeadline: int64('approval_deadline').notNull(),
    expiresAt: int64('expires_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.planId] }),
    index('plans_tenant_state').on(t.tenantId, t.state),
    index('plans_tenant_received').on(t.tenantId, t.receivedAt),
  ],
);

/** Accepted approvals (valid tokens), one per approver per plan (of a tenant). */
export const approvals = pgTable(
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
    maxSpendMinor: int64('max_spend_minor').notNull(),
    currency: text('currency').notNull(),
    receivedAt: int64('received_at').notNull(),
  },
  (t) => [uniqueIndex('approvals_plan_approver').on(t.tenantId, t.planId, t.approver)],
);

/** Every token id ever accepted: the primary key makes a replay fail on any replica, even after a restart. */
export const usedTokens = pgTable('used_tokens', {
  jti: text('jti').primaryKey(),
  planId: text('plan_id').notNull(),
  usedAt: int64('used_at').notNull(),
});

/** Budget caps per tenant, scope, period and currency. */
export const budgetCaps = pgTable(
  'budget_caps',
  {
    capId: text('cap_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    scopeType: text('scope_type').notNull(),
    scopeValue: text('scope_value').notNull(),
    period: text('period').notNull(),
    currency: text('currency').notNull(),
    limitMinor: int64('limit_minor').notNull(),
    timeZone: text('time_zone').notNull(),
    updatedAt: int64('updated_at').notNull(),
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
export const budgetLedger = pgTable(
  'budget_ledger',
  {
    id: int64('id').primaryKey().generatedAlwaysAsIdentity(),
    planId: text('plan_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    capId: text('cap_id').notNull(),
    periodKey: text('period_key').notNull(),
    currency: text('currency').notNull(),
    amountMinor: int64('amount_minor').notNull(),
    status: text('status').notNull(),
    expiresAt: int64('expires_at'),
    createdAt: int64('created_at').notNull(),
    updatedAt: int64('updated_at').notNull(),
  },
  (t) => [
    index('budget_ledger_usage').on(t.tenantId, t.capId, t.periodKey, t.status),
    index('budget_ledger_plan').on(t.planId),
  ],
);

/**
 * Reserved and committed minor units per tenant, cap and period, kept by the store's own budget methods (no
 * triggers): a reservation is one conditional `UPDATE ... WHERE reserved + committed + amount <= limit`.
 */
export const budgetUsage = pgTable(
  'budget_usage',
  {
    tenantId: text('tenant_id').notNull(),
    capId: text('cap_id').notNull(),
    periodKey: text('period_key').notNull(),
    reservedMinor: int64('reserved_minor').notNull().default(0),
    committedMinor: int64('committed_minor').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.capId, t.periodKey] })],
);

/**
 * The outbox: one row per approved action or compensation (`reverses`). A replica claims due rows with `FOR
 * UPDATE SKIP LOCKED`, moving them to `in_flight` with a lease (`lease_owner`, `lease_until` epoch ms) in one
 * short transaction; an expired lease is recovered by any replica.
 */
export const dispatches = pgTable(
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
    nextAttemptAt: int64('next_attempt_at').notNull(),
    lastError: text('last_error'),
    receiptDigest: text('receipt_digest'),
    reverses: text('reverses'),
    leaseOwner: text('lease_owner'),
    leaseUntil: int64('lease_until'),
    createdAt: int64('created_at').notNull(),
    updatedAt: int64('updated_at').notNull(),
  },
  (t) => [
    index('dispatches_due').on(t.status, t.nextAttemptAt),
    index('dispatches_plan').on(t.planId),
    index('dispatches_lease').on(t.status, t.leaseUntil),
  ],
);

/**
 * The append-only lineage (format 2): each event belongs to its plan's chain (`chain` = `plan`) or its tenant's
 * (`tenant`), `seq` its position there. `id` is the insertion order (an identity: its order is that of inserts,
 * not of commits); `log_index` the position in the transparency log, NULL until the sequencer assigns it.
 */
export const lineageEvents = pgTable(
  'lineage_events',
  {
    id: int64('id').primaryKey().generatedAlwaysAsIdentity(),
    seq: int64('seq').notNull(),
    chain: text('chain', { enum: ['plan', 'tenant'] }),
    logIndex: int64('log_index'),
    tenantId: text('tenant_id').notNull(),
    planId: text('plan_id'),
    type: text('type').notNull(),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id').notNull(),
    occurredAt: int64('occurred_at').notNull(),
    body: text('body').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('lineage_plan').on(t.planId),
    index('lineage_tenant').on(t.tenantId),
    unique('lineage_chain').on(t.tenantId, t.planId, t.chain, t.seq).nullsNotDistinct(),
    uniqueIndex('lineage_log_index').on(t.logIndex),
    index('lineage_unsequenced').on(t.id).where(sql`${t.logIndex} is null`),
    index('lineage_approvals').on(t.id).where(sql`${t.type} = 'approval.accepted'`),
  ],
);

/** Signed tree heads of the transparency log, one per sequenced batch. */
export const lineageCheckpoints = pgTable('lineage_checkpoints', {
  treeSize: int64('tree_size').primaryKey(),
  rootHash: text('root_hash').notNull(),
  signedAt: int64('signed_at').notNull(),
  kid: text('kid').notNull(),
  signature: text('signature').notNull(),
});

/** Public keys that verified an approval, a copilot signature or signed a checkpoint: kept after rotation. */
export const keys = pgTable(
  'keys',
  {
    kid: text('kid').notNull(),
    purpose: text('purpose').notNull(),
    tenantId: text('tenant_id').notNull(),
    jwk: text('jwk').notNull(),
    firstSeenAt: int64('first_seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.purpose, t.tenantId, t.kid] })],
);

/** Every policy set the gateway has applied, by digest. */
export const policyVersions = pgTable('policy_versions', {
  digest: text('digest').primaryKey(),
  policySetId: text('policy_set_id').notNull(),
  label: text('label').notNull(),
  activatedAt: int64('activated_at').notNull(),
});

/** Kill switches: one row per paused scope. */
export const controls = pgTable(
  'controls',
  {
    tenantId: text('tenant_id').notNull(),
    scopeType: text('scope_type').notNull(),
    scopeValue: text('scope_value').notNull(),
    reason: text('reason').notNull(),
    pausedBy: text('paused_by').notNull(),
    pausedAt: int64('paused_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.scopeType, t.scopeValue] })],
);

/** The approver registry, per tenant (see the SQLite schema for the rules); `roles` is a JSON array as text. */
export const approverKeys = pgTable(
  'approver_keys',
  {
    kid: text('kid').notNull(),
    tenantId: text('tenant_id').notNull(),
    subject: text('subject').notNull(),
    roles: text('roles').notNull(),
    jwk: text('jwk').notNull(),
    thumbprint: text('thumbprint').notNull(),
    status: text('status').notNull(),
    registeredAt: int64('registered_at').notNull(),
    registeredBy: text('registered_by').notNull(),
    revokedAt: int64('revoked_at'),
    revokedBy: text('revoked_by'),
    reason: text('reason'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.kid] }),
    index('approver_keys_tenant').on(t.tenantId, t.subject),
    uniqueIndex('approver_keys_thumbprint').on(t.tenantId, t.thumbprint),
  ],
);

/** Sends dispatched, for frequency caps: one row per recipient key (never a contact in clear) and channel. */
export const contactSends = pgTable(
  'contact_sends',
  {
    tenantId: text('tenant_id').notNull(),
    recipientKey: text('recipient_key').notNull(),
    channel: text('channel').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    planId: text('plan_id').notNull(),
    sentAt: int64('sent_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.recipientKey, t.channel, t.idempotencyKey] }),
    index('contact_sends_recent').on(t.tenantId, t.recipientKey, t.sentAt),
  ],
);

/** Console invitations, keyed by the SHA-256 (hex) of their one-time token; arrays are JSON text. */
export const invitations = pgTable(
  'invitations',
  {
    tokenHash: text('token_hash').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    subject: text('subject').notNull(),
    roles: text('roles').notNull(),
    access: text('access').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: int64('created_at').notNull(),
    expiresAt: int64('expires_at').notNull(),
    challenge: text('challenge'),
    usedAt: int64('used_at'),
  },
  (t) => [index('invitations_subject').on(t.tenantId, t.subject)],
);

/** WebAuthn passkeys of the console's people; `sign_count` is the authenticator's 32-bit counter. */
export const passkeys = pgTable(
  'passkeys',
  {
    credentialId: text('credential_id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    subject: text('subject').notNull(),
    kid: text('kid').notNull(),
    publicKey: text('public_key').notNull(),
    signCount: int64('sign_count').notNull(),
    access: text('access').notNull(),
    transports: text('transports'),
    createdAt: int64('created_at').notNull(),
  },
  (t) => [index('passkeys_subject').on(t.tenantId, t.subject)],
);

/**
 * The console's sessions, shared by every replica: keyed by the SHA-256 (hex) of the session id (never the id),
 * `access` and `approval_roles` JSON arrays as text.
 */
export const consoleSessions = pgTable(
  'console_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    subject: text('subject').notNull(),
    access: text('access').notNull(),
    approvalRoles: text('approval_roles').notNull(),
    csrfToken: text('csrf_token').notNull(),
    createdAt: int64('created_at').notNull(),
    expiresAt: int64('expires_at').notNull(),
  },
  (t) => [index('console_sessions_expiry').on(t.expiresAt)],
);

/**
 * The console's open WebAuthn challenges, shared by every replica: the SHA-256 (hex) of the challenge (never the
 * challenge), its purpose (`sign-in`), the tenant when known, and its expiry (epoch ms). A row is deleted when taken.
 */
export const webauthnChallenges = pgTable(
  'webauthn_challenges',
  {
    challengeHash: text('challenge_hash').primaryKey(),
    purpose: text('purpose').notNull(),
    tenantId: text('tenant_id'),
    expiresAt: int64('expires_at').notNull(),
  },
  (t) => [index('webauthn_challenges_expiry').on(t.expiresAt)],
);
