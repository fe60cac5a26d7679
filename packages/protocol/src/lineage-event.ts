import { z } from 'zod';
import {
  DigestSchema,
  IdentifierSchema,
  NameSchema,
  PlanIdSchema,
  PropertiesSchema,
  TimestampSchema,
} from './primitives.js';
import { ProtocolVersionSchema } from './version.js';

/** Event types a lineage records. New types are an additive (minor-version) change. */
export const LINEAGE_EVENT_TYPES = [
  'plan.received',
  'plan.rejected',
  'plan.provenance_verified',
  'plan.state_changed',
  'policy.evaluated',
  'budget.reserved',
  'budget.refused',
  'budget.committed',
  'budget.released',
  'approval.accepted',
  'approval.refused',
  'approval.escalated',
  'dispatch.queued',
  'dispatch.attempted',
  'dispatch.succeeded',
  'dispatch.failed',
  'dispatch.retry_scheduled',
  'dispatch.in_doubt',
  'dispatch.dead_lettered',
  'dispatch.retried',
  'dispatch.abandoned',
  'control.paused',
  'control.resumed',
  'control.caps_set',
  'control.policy_set',
  'control.key_registered',
  'control.approver_registered',
  'control.approver_revoked',
  'control.held',
  'checkpoint.signed',
  'rollback.requested',
  'rollback.approved',
  'rollback.queued',
  'rollback.irreversible',
  'rollback.attempted',
  'rollback.succeeded',
  'rollback.failed',
  'rollback.retry_scheduled',
  'rollback.in_doubt',
  'rollback.dead_lettered',
  'rollback.completed',
  'outcome.reported',
  'policy.shadow_evaluated',
  'dispatch.preflight_failed',
] as const;
export const LineageEventTypeSchema = z.enum(LINEAGE_EVENT_TYPES).meta({ id: 'LineageEventType' });
export type LineageEventType = z.infer<typeof LineageEventTypeSchema>;

/**
 * Who caused an event. `system` is the gateway itself; `adapter` an automation platform's answer; `reporter` an
 * analytics job reporting outcomes.
 */
export const ActorSchema = z
  .strictObject({
    type: z.enum(['copilot', 'approver', 'operator', 'auditor', 'system', 'adapter', 'reporter']),
    id: NameSchema,
  })
  .meta({ id: 'Actor' });
export type Actor = z.infer<typeof ActorSchema>;

/** The `prevHash` of the first event of a lineage: `sha256:` and 64 zeros. */
export const GENESIS_HASH = `sha256:${'0'.repeat(64)}` as const;

/**
 * One append-only lineage record. `hash` is SHA-256 over the RFC 8785 canonical JSON of the event without its
 * `hash` member (see `lineageEventHash`), and `prevHash` is the previous event's `hash` (`GENESIS_HASH` for
 * `seq` 1), so any edit, deletion, insertion or reordering breaks the chain.
 *
 * Payloads are not embedded: `refs` maps a name (`plan`, `policy`, `approval`, `receipt`, ...) to the digest of a
 * document stored once; `data` holds small facts (state names, amounts in minor units, codes), never tokens or keys.
 */
export const LineageEventSchema = z
  .strictObject({
    protocolVersion: ProtocolVersionSchema,
    kind: z.literal('LineageEvent'),
    seq: z.int().min(1),
    occurredAt: TimestampSchema,
    tenantId: IdentifierSchema,
    planId: PlanIdSchema.optional(),
    type: LineageEventTypeSchema,
    actor: ActorSchema,
    refs: z.record(IdentifierSchema, DigestSchema),
    data: PropertiesSchema,
    prevHash: DigestSchema,
    hash: DigestSchema,
  })
  .meta({
    id: 'LineageEvent',
    title: 'LineageEvent',
    description: 'One hash-chained lineage record (Handoff protocol v1).',
  });
export type LineageEvent = z.infer<typeof LineageEventSchema>;
