import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { LedgerLine, LineageDraft, OutboxRow, PlanRecord } from '../../src/store/store.js';

export const T0 = Date.parse('2026-11-21T09:30:00Z');
/** The tenant of the fixtures' plans and ledger lines. */
export const TENANT_ID = 'acme-bank';

/** A temporary database file; `open` opens (another) store on it; `cleanup` closes them all and removes it. */
export function tempDatabase(busyTimeoutMs?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-store-'));
  const path = join(dir, 'gateway.db');
  const opened: SqliteStore[] = [];
  return {
    path,
    open(options: { busyTimeoutMs?: number } = {}): SqliteStore {
      const store = openSqliteStore({
        path,
        busyTimeoutMs: options.busyTimeoutMs ?? busyTimeoutMs,
      });
      opened.push(store);
      return store;
    },
    async cleanup(): Promise<void> {
      for (const store of opened) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A plan row with every field set. */
export function planRecord(planId: string, patch: Partial<PlanRecord> = {}): PlanRecord {
  return {
    planId,
    tenantId: TENANT_ID,
    workflowId: 'term-deposit-q4',
    copilotModel: 'example-planner',
    digest: `sha256:${'a'.repeat(64)}`,
    state: 'awaiting_approval',
    pausedFrom: null,
    recommendedOptionId: 'call-prior-successes',
    selectedOptionId: null,
    submittedBy: 'copilot-1',
    policyVersion: `sha256:${'b'.repeat(64)}`,
    evaluationDigest: 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
    reasonCode: null,
    receivedAt: T0,
    updatedAt: T0,
    approvalDeadline: T0 + 172_800_000,
    expiresAt: T0 + 604_800_000,
    ...patch,
  };
}

/** One reserved ledger line of a plan. */
export function ledgerLine(planId: string, amountMinor: number): LedgerLine {
  return {
    planId,
    tenantId: TENANT_ID,
    capId: 'tenant-month',
    periodKey: 'month:2026-11',
    currency: 'EUR',
    amountMinor,
    status: 'reserved',
    expiresAt: T0 + 172_800_000,
    createdAt: T0,
    updatedAt: T0,
  };
}

/** A lineage draft (`n` lands in `data`, so every event hashes differently). */
export function draft(n: number, planId?: string): LineageDraft {
  return {
    tenantId: TENANT_ID,
    ...(planId ? { planId } : {}),
    type: 'plan.received',
    actor: { type: 'copilot', id: 'copilot-1' },
    occurredAt: T0 + n,
    data: { n },
  };
}

/** A `pending` outbox row of a plan, due at T0 (created at T0 + `actionIndex`, so rows order by action). */
export function outboxRow(
  planId: string,
  actionIndex: number,
  key = `${planId}-${actionIndex}`,
): OutboxRow {
  return {
    idempotencyKey: key,
    planId,
    tenantId: TENANT_ID,
    optionId: 'o',
    actionIndex,
    actionId: `action-${actionIndex}`,
    adapter: 'mock',
    status: 'pending',
    attempts: 0,
    nextAttemptAt: T0,
    lastError: null,
    receiptDigest: null,
    createdAt: T0 + actionIndex,
    updatedAt: T0,
  };
}
