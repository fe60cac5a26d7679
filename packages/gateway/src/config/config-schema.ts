import { ACTION_TYPES, type ActionType, IdentifierSchema } from '@handoff/protocol';
import { z } from 'zod';
import { ApiKeyEntrySchema } from '../auth/api-keys.js';
import { BudgetCapSchema } from '../budget/cap.js';
import { AdapterConfigSchema, DispatchConfigSchema } from '../dispatch/adapters-config.js';
import { NotificationsConfigSchema } from '../notifications/notifications-config.js';
import { TracingConfigSchema } from '../observability/tracing-config.js';
import { PolicySetSchema } from '../policy/policy-set.js';
import { SuppressionListConfigSchema } from '../policy/suppression-lists.js';

/** Where public keys come from: a JWKS file, an HTTPS URL (http only on loopback) or an inline JWKS. */
export const KeySourceConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('file'),
    path: z.string().min(1).meta({ description: 'JWKS file path, relative to the config file.' }),
    cooldownMs: z.int().min(0).max(3_600_000).optional(),
  }),
  z.strictObject({
    type: z.literal('url'),
    url: z.url(),
    cooldownMs: z.int().min(0).max(3_600_000).optional(),
    timeoutMs: z.int().min(100).max(60_000).optional(),
    cacheMaxAgeMs: z.int().min(1000).max(86_400_000).optional(),
  }),
  z.strictObject({
    type: z.literal('inline'),
    jwks: z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())).max(100) }),
  }),
]);

/**
 * One approver key registered from configuration in its tenant (seeded at start when that tenant has not
 * registered its kid yet; kids are per tenant, so two tenants may each list the same kid): the key id, the
 * approver identity its tokens must name as `sub`, its tenant and roles, and its public JWK, inline or looked up by
 * kid in `approvals.keys`.
 */
export const ApproverConfigSchema = z.strictObject({
  kid: z.string().min(1).max(200),
  subject: z
    .string()
    .min(1)
    .max(200)
    .meta({ description: 'The approver identity: the `sub` its approvals must carry.' }),
  tenantId: IdentifierSchema,
  roles: z
    .array(IdentifierSchema)
    .min(1)
    .max(20)
    .meta({ description: 'The approval roles the approver holds, e.g. finance, marketing_lead.' }),
  jwk: z.record(z.string(), z.unknown()).optional().meta({
    description: 'The public JWK (RFC 7517). Default: the key with this kid in `approvals.keys`.',
  }),
});

/**
 * `handoff.config.json` (or `.yaml`): everything a gateway needs. Paths are relative to the config file.
 *
 * - `gatewayId`: this gateway's id; every approval's `aud` must equal it.
 * - `database`: exactly one of `path` (a SQLite file, created if missing, or `:memory:`) and `url` (a PostgreSQL
 *   database, `postgres://` or `postgresql://`, with `pool.max` connections, 1-1000); the environment variable
 *   `HANDOFF_DATABASE_URL` (a PostgreSQL URL) overrides it (see `selectStoreTarget`).
 * - `listen`: HTTP interface (default host `127.0.0.1`, port 0 = any free port), the largest request body in
 *   bytes (default 1 MiB, enough for a `plans.submitBatch` of 100 typical plans), refused before parsing, and how
 *   many requests are worked on at once (default 16; more wait with their bodies unread).
 * - `approvals.approvers`: the approver registry's configured keys (kid, subject, tenant, roles, public JWK), seeded
 *   at start in their tenant when not registered there yet; a kid the tenant registered otherwise fails the start
 *   (`APPROVER_REGISTRY_CONFLICT`).
 *   `approvals.keys`: JWKS sources the JWKs of entries without `jwk` are read from at start-up (approvals are then
 *   verified with the JWK pinned in the registry, never re-read); `clockToleranceSec` (default 30) for `exp`/`nbf`.
 * - `auth.apiKeys`: API keys, stored only as `sha256:` hashes, each with a tenant and roles; `auth.jwt`: bearer
 *   JWTs from an issuer (its JWKS, `issuer`, `audience`, and the claims naming tenant and roles).
 * - `policy`: the policy set, inline or as a JSON/YAML file.
 * - `shadowPolicy`: a candidate policy set run beside the active one on every submission; what it would have
 *   decided is recorded as `policy.shadow_evaluated` lineage events and gates nothing.
 * - `suppressionLists`: hashed suppression lists (`id`, `file` of hex SHA-256 digests) that `suppression` rules
 *   name; checked at submission and again at dispatch.
 * - `notifications`: Standard Webhooks-signed POSTs to receivers (budget warning lines crossed, a plan waiting for
 *   approvers, an approval gate escalated), sent after commit.
 * - `console.origin`: where the console is served; approval notifications link to `<origin>/console/plans/<id>`.
 *   `console.maxOpenSignInChallenges`: the bound on open sign-in challenges (the sign-in procedure is public).
 * - `caps`: budget caps seeded for a tenant that has none stored yet (operators change them through the API).
 * - `killSwitch.onPause`: `keep` (default) or `release` the budget of paused plans.
 * - `outcomeGuardrail`: an interim outcome below p10 by more than `belowP10By` of p90 - p10 pauses the plan's
 *   workflow (`pause_workflow`) or opens a rollback for operators to approve (`open_rollback`); off by default.
 * - `rollback`: whether `plans.rollback` needs approval: `approvals` operators besides the requester (default 1,
 *   deny by default), unless every compensation is of a type in `withoutApproval` (default none).
 * - `expirySweepMs`: how often the server expires plans past their window (default 60000).
 * - `logLevel`: the lowest level logged to stderr (pino levels, default `info`); see the gateway README's decision log.
 * - `provenance`: copilots' public keys (`copilotKeys`, JWKS sources) for plan signatures, and whether every plan
 *   must carry a valid one (`required`, default true once keys are configured).
 * - `adapters`: the automation adapters approved actions are dispatched to (secrets named by environment
 *   variable); `dispatch`: how often the outbox is polled and how failed actions are retried.
 * - `checkpoints`: the lineage's transparency log. A single sequencer gives committed events their log index in
 *   batches, every `intervalMs` (default 250) or every `maxBatch` events (default 1000), whichever comes first,
 *   and signs one RFC 9162 tree head per batch with the private Ed25519 JWK in `keyFile` (`handoff keys generate
 *   --alg EdDSA`); its public key is recorded and kept. Maximum merge delay: 4 x `intervalMs` (1 s by default).
 *   `witnessFile`: each signed tree head is also appended there (outside the database, fsynced) once its batch
 *   committed; a failed write is logged, shows in `health`, and is appended again by the next batch.
 * - `observability.metrics.enabled`: serve Prometheus metrics at `GET /metrics`, unauthenticated (default true;
 *   see `docs/metrics.md`).
 * - `observability.tracing`: OpenTelemetry traces (`enabled`, `exporter` `otlp` | `console` | `none`,
 *   `endpoint`, `serviceName`), off unless enabled; spans and attributes in `docs/tracing.md`.
 */
export const GatewayConfigSchema = z.strictObject({
  gatewayId: IdentifierSchema,
  database: z.union([
    z.strictObject({ path: z.string().min(1) }),
    z.strictObject({
      url: z.string().regex(/^postgres(ql)?:\/\//, 'accepts a postgres:// or postgresql:// URL'),
      pool: z.strictObject({ max: z.int().min(1).max(1_000).optional() }).optional(),
    }),
  ]),
  listen: z
    .strictObject({
      host: z.string().min(1).max(255).optional(),
      port: z.int().min(0).max(65_535).optional(),
      maxBodyBytes: z
        .int()
        .min(1024)
        .max(64 * 1_048_576)
        .optional(),
      maxConcurrentRequests: z.int().min(1).max(10_000).optional(),
    })
    .optional(),
  approvals: z.strictObject({
    keys: z.array(KeySourceConfigSchema).min(1).max(20).optional().meta({
      description:
        'JWKS sources the public keys of `approvers` entries without an inline `jwk` are read from, at start-up only.',
    }),
    approvers: z.array(ApproverConfigSchema).max(10_000).optional(),
    clockToleranceSec: z.int().min(0).max(300).optional(),
  }),
  auth: z
    .strictObject({
      apiKeys: z.array(ApiKeyEntrySchema).max(10_000).optional(),
      jwt: z
        .strictObject({
          issuer: z.string().min(1),
          audience: z.string().min(1),
          jwks: KeySourceConfigSchema,
          tenantClaim: z.string().min(1).optional(),
          rolesClaim: z.string().min(1).optional(),
        })
        .optional(),
    })
    .refine((auth) => auth.apiKeys !== undefined || auth.jwt !== undefined, {
      message:
        'Configure apiKeys, jwt or both: a gateway with no way to authenticate serves nobody',
    }),
  policy: z.union([
    z.strictObject({ file: z.string().min(1) }),
    z.strictObject({ inline: PolicySetSchema }),
  ]),
  shadowPolicy: z
    .union([
      z.strictObject({ file: z.string().min(1) }),
      z.strictObject({ inline: PolicySetSchema }),
    ])
    .optional()
    .meta({
      description:
        'A candidate policy set evaluated beside the active one; recorded as policy.shadow_evaluated, gates nothing.',
    }),
  suppressionLists: z.array(SuppressionListConfigSchema).max(100).optional(),
  notifications: NotificationsConfigSchema.optional(),
  caps: z.array(BudgetCapSchema).max(1000).optional(),
  killSwitch: z.strictObject({ onPause: z.enum(['keep', 'release']) }).optional(),
  rollback: z
    .strictObject({
      approvals: z.int().min(0).max(10).optional().meta({
        description:
          'Operators, besides the one who asks, who must confirm a rollback with plans.rollback (default 1).',
      }),
      withoutApproval: z
        .array(z.enum(ACTION_TYPES as [ActionType, ...ActionType[]]))
        .max(ACTION_TYPES.length)
        .optional()
        .meta({
          description:
            'Action types whose compensations are queued without approval (default none: every rollback waits).',
        }),
    })
    .optional(),
  outcomeGuardrail: z
    .strictObject({
      belowP10By: z.number().min(0).max(10).meta({
        description:
          "How far below the forecast's p10 an interim outcome trips the guardrail, as a share of p90 - p10.",
      }),
      action: z.enum(['pause_workflow', 'open_rollback']).meta({
        description:
          "pause_workflow: the kill switch pauses the plan's workflow; open_rollback: a rollback awaits operators.",
      }),
    })
    .optional(),
  console: z
    .strictObject({
      rpId: z.string().min(1).max(253).optional().meta({
        description:
          'The WebAuthn relying party id of the console: a domain, not an IP address (default localhost).',
      }),
      origin: z.url().optional().meta({
        description:
          'The origin the console is served from (default http://localhost); enrolment links and notifications (<origin>/console/plans/<id>) start with it.',
      }),
      maxOpenSignInChallenges: z.int().min(1).max(1_000_000).optional().meta({
        description:
          'The most sign-in challenges open at once (issued, neither answered nor expired after 5 minutes), over all replicas (default 10000); past it session.signInOptions answers 429 RATE_LIMITED and stores nothing.',
      }),
    })
    .optional(),
  expirySweepMs: z.int().min(1000).max(86_400_000).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional().meta({
    description:
      'Lowest level the gateway logs (pino levels; default info). Decision lines are info (refusals and failures warn).',
  }),
  provenance: z
    .strictObject({
      copilotKeys: z.array(KeySourceConfigSchema).min(1).max(20),
      required: z.boolean().optional(),
      clockToleranceSec: z.int().min(0).max(300).optional(),
    })
    .optional(),
  adapters: z.array(AdapterConfigSchema).max(50).optional(),
  dispatch: DispatchConfigSchema.optional(),
  observability: z
    .strictObject({
      metrics: z
        .strictObject({
          enabled: z.boolean().optional().meta({
            description: 'Serve Prometheus metrics at `GET /metrics` (default true).',
          }),
        })
        .optional(),
      tracing: TracingConfigSchema.optional().meta({
        description:
          'OpenTelemetry traces, off unless enabled: exporter otlp (default), console or none; endpoint; serviceName.',
      }),
    })
    .optional(),
  checkpoints: z
    .strictObject({
      keyFile: z
        .string()
        .min(1)
        .meta({ description: 'Private Ed25519 JWK file, relative to the config file.' }),
      intervalMs: z.int().min(10).max(86_400_000).optional().meta({
        description:
          'Sequencer batch interval in ms (default 250); the maximum merge delay is 4 x intervalMs.',
      }),
      maxBatch: z.int().min(1).max(100_000).optional().meta({
        description:
          'Most events one batch sequences, and how many waiting events start a batch early (default 1000).',
      }),
      witnessFile: z.string().min(1).optional().meta({
        description:
          'Append-only file (relative to the config file) each signed tree head is also written to, one JSON line, fsynced; ship it off the machine.',
      }),
    })
    .optional(),
});

/** A validated gateway configuration. */
export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
