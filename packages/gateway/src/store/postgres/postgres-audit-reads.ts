import type { LineageEvent } from '@handoff/protocol';
import { and, asc, desc, eq, gte, inArray, lte } from 'drizzle-orm';
import { GatewayError } from '../../errors.js';
import type { AuditReads } from '../audit-reads.js';
import { toLedger } from '../budget-reservations.js';
import { toOutbox } from '../outbox-rows.js';
import { toPlan } from '../plan-rows.js';
import type { ApprovalRecord } from '../store.js';
import type { PgDb } from './postgres-tx.js';
import * as s from './schema.js';

/** A stored event body. @throws GatewayError `INTERNAL` when it is not JSON (run `handoff lineage verify`). */
function parseEvent(body: string): LineageEvent {
  try {
    return JSON.parse(body) as LineageEvent;
  } catch {
    throw new GatewayError('INTERNAL', 'A stored lineage event is not JSON: verify the lineage');
  }
}

/**
 * The trace's reads ({@link AuditReads}) on PostgreSQL, on `db`: the store runs them in one `REPEATABLE READ,
 * READ ONLY` transaction, so every read of one trace sees one committed state (whatever other replicas commit
 * meanwhile). Plan ids are per tenant: every per-plan query names both.
 */
export function postgresAuditReads(db: PgDb): AuditReads {
  const e = s.lineageEvents;
  const d = s.dispatches;
  return {
    async plansWithId(planId) {
      const rows = await db
        .select()
        .from(s.plans)
        .where(eq(s.plans.planId, planId))
        .orderBy(asc(s.plans.tenantId));
      return rows.map(toPlan);
    },

    async payload(digest) {
      const [row] = await db
        .select({ body: s.payloads.body })
        .from(s.payloads)
        .where(eq(s.payloads.digest, digest));
      return row?.body;
    },

    async eventsOfPlan(tenantId, planId) {
      const rows = await db
        .select({ id: e.id, body: e.body })
        .from(e)
        .where(and(eq(e.planId, planId), eq(e.tenantId, tenantId)))
        .orderBy(asc(e.id));
      return rows.map((row) => ({ position: row.id, event: parseEvent(row.body) }));
    },

    async tenantEvents(tenantId, types, fromPosition, toPosition) {
      if (types.length === 0) return [];
      const rows = await db
        .select({ body: e.body })
        .from(e)
        .where(
          and(
            eq(e.tenantId, tenantId),
            gte(e.id, fromPosition),
            lte(e.id, toPosition),
            inArray(e.type, [...types]),
          ),
        )
        .orderBy(asc(e.id));
      return rows.map((row) => parseEvent(row.body));
    },

    async approvalsOfPlan(tenantId, planId) {
      const a = s.approvals;
      const rows = await db
        .select()
        .from(a)
        .where(and(eq(a.planId, planId), eq(a.tenantId, tenantId)))
        .orderBy(asc(a.receivedAt), asc(a.approver));
      return rows.map((row) => ({ ...row, decision: row.decision as ApprovalRecord['decision'] }));
    },

    async ledgerOfPlan(tenantId, planId) {
      const l = s.budgetLedger;
      const rows = await db
        .select()
        .from(l)
        .where(and(eq(l.planId, planId), eq(l.tenantId, tenantId)))
        .orderBy(asc(l.id));
      return rows.map(toLedger);
    },

    async outboxOfPlan(tenantId, planId) {
      const rows = await db
        .select()
        .from(d)
        .where(and(eq(d.planId, planId), eq(d.tenantId, tenantId)))
        .orderBy(asc(d.actionIndex));
      return rows.map(toOutbox);
    },

    async findOutbox(by, tenantId) {
      const match =
        'idempotencyKey' in by
          ? eq(d.idempotencyKey, by.idempotencyKey)
          : eq(d.actionId, by.actionId);
      const where = [match];
      if (tenantId !== undefined) where.push(eq(d.tenantId, tenantId));
      if ('planId' in by && by.planId !== undefined) where.push(eq(d.planId, by.planId));
      // The plan (tenant and id: plan ids are per tenant) of the most recent matching row, then its rows.
      const [plan] = await db
        .select({ tenantId: d.tenantId, planId: d.planId })
        .from(d)
        .where(and(...where))
        .orderBy(desc(d.createdAt), desc(d.planId))
        .limit(1);
      if (plan === undefined) return [];
      const rows = await db
        .select()
        .from(d)
        .where(and(match, eq(d.tenantId, plan.tenantId), eq(d.planId, plan.planId)))
        .orderBy(asc(d.actionIndex));
      return rows.map(toOutbox);
    },

    async policyVersion(digest) {
      const [row] = await db
        .select()
        .from(s.policyVersions)
        .where(eq(s.policyVersions.digest, digest));
      return row;
    },
  };
}
