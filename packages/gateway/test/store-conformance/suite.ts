import { describe } from 'vitest';
import type { GatewayStore } from '../../src/store/store.js';
import { defineAuditReadsConformance } from './audit-reads.js';
import { defineBudgetConformance } from './budget.js';
import { defineIdempotencyConformance } from './idempotency.js';
import { defineLineageConformance } from './lineage.js';
import { defineLineageReadsConformance } from './lineage-reads.js';
import { defineLogOrderConformance } from './log-order.js';
import { defineOutboxConformance } from './outbox.js';
import { definePasskeyConformance } from './passkeys.js';
import { definePlanConformance } from './plans.js';
import { defineReplayConformance } from './replay.js';
import { defineSessionConformance } from './sessions.js';
import { defineStoreStatusConformance } from './store-status.js';
import { defineTransactionConformance } from './transactions.js';
import { defineWebauthnChallengeConformance } from './webauthn-challenges.js';

/** `count` stores opened on ONE fresh, migrated database, and how to close them all (and drop the database). */
export interface OpenedStores {
  stores: GatewayStore[];
  close(): Promise<void>;
}

/**
 * How a dialect opens stores for the conformance suite: `open(count)` gives `count` stores (connections, or pools)
 * on one fresh database, so a test can race two of them as two replicas would. A dialect whose stores share one
 * writer may answer with fewer distinct connections; it says so in its test file.
 */
export type StoreFactory = (count: number) => Promise<OpenedStores>;

/**
 * The store conformance suite (issue 15, brief decision 9), as drizzle runs one suite against every driver: what
 * every `GatewayStore` must do, whatever its dialect. One file per concept: plans (compare-and-set), budget
 * (conditional reservation, no overspend under a race), outbox (claims never handed out twice, lease expiry),
 * replay (a token id used once), idempotent submission, lineage (per-chain `seq` unique, no fork under a race,
 * the sequencer's writes), console sessions, passkey signature counters (only ever raised), WebAuthn challenges
 * (taken once, bounded), transactions (one that throws leaves nothing), and the reads of the audit (a trace's
 * reads, the export's and verifier's pages, their log order) and of metrics and readiness (snapshot, health).
 */
export function defineStoreConformance(name: string, factory: StoreFactory): void {
  describe(`store conformance: ${name}`, () => {
    definePlanConformance(factory);
    defineBudgetConformance(factory);
    defineOutboxConformance(factory);
    defineReplayConformance(factory);
    defineIdempotencyConformance(factory);
    defineLineageConformance(factory);
    defineSessionConformance(factory);
    definePasskeyConformance(factory);
    defineWebauthnChallengeConformance(factory);
    defineTransactionConformance(factory);
    defineAuditReadsConformance(factory);
    defineLineageReadsConformance(factory);
    defineLogOrderConformance(factory);
    defineStoreStatusConformance(factory);
  });
}
