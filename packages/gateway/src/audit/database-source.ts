import type { JWK } from 'jose';
import type { StoredDocument } from '../store/lineage-reads.js';
import { openStoreReadOnly } from '../store/open-read-only.js';
import type { GatewayStore } from '../store/store.js';
import {
  type LineageSource,
  recordedKey,
  recordedKeyId,
  type SourceApprovalRow,
  type SourceEvent,
} from './lineage-source.js';
import { logOrderRows } from './log-order-rows.js';

/**
 * Rows read per page: no read stays open between pages, so lookups can run in between; and a page is small enough
 * to die young in V8's heap (pages of thousands of rows get promoted and cost twice as much).
 */
const PAGE = 512;

/**
 * Opens a gateway's store read-only (`openStoreReadOnly`: a SQLite file, or a PostgreSQL URL) and reads it as a
 * {@link LineageSource}, so verification can never change the evidence. The source's `close` closes the store.
 *
 * @throws GatewayError `NOT_FOUND` when the file does not exist or is not a gateway database; `CONFIG_INVALID`
 *   for a store this build cannot open (see `openStoreReadOnly`).
 */
export async function openDatabaseSource(location: string): Promise<LineageSource> {
  const store = await openStoreReadOnly(location);
  try {
    return await storeSource(store, () => {
      store.close().catch(() => undefined);
    });
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * A {@link LineageSource} over a store's dialect-neutral `lineageReads` (a running store's, for tests and backups;
 * a read-only one for the CLI). Nothing is trusted: keys, checkpoints and approvals rows are read up front (they
 * are few) and the verifier checks them; events are paged in log order (`logOrderRows`: sequenced events by log
 * index, then the rest by position, as unsequenced) and handed over as their stored text with their columns, for
 * the verifier to parse, hash and compare.
 */
export async function storeSource(
  store: GatewayStore,
  close: () => void = () => {},
): Promise<LineageSource> {
  const reads = store.lineageReads;
  const keys = new Map<string, JWK>();
  for (const row of await reads.recordedKeys()) {
    try {
      keys.set(recordedKeyId(row.purpose, row.tenantId, row.kid), JSON.parse(row.jwk) as JWK);
    } catch {
      // An unreadable key is an unknown key: whatever it signed fails with *_KEY_UNKNOWN.
    }
  }
  const checkpoints = (await reads.treeHeads()).map((c) => ({ ...c }));
  const approvals = new Map<string, SourceApprovalRow>();
  for (const row of await reads.approvalRecords()) {
    const { jti, planId, optionId, approver, role, decision, kid } = row;
    approvals.set(row.tokenDigest, { jti, planId, optionId, approver, role, decision, kid });
  }
  // The last position, not a count: rows are numbered 1..n, and counting scans a whole index.
  const count = await reads.lastPosition();

  async function* events(): AsyncIterable<SourceEvent> {
    for await (const row of logOrderRows(reads, {}, { page: PAGE })) {
      const { position, seq, chain, logIndex, tenantId, planId, type, actorType, actorId } = row;
      const { occurredAt, body: text, prevHash, hash } = row;
      const format2 = chain !== undefined;
      const columns = {
        seq,
        ...(format2 ? { chain } : {}),
        tenantId,
        planId,
        type,
        actorType,
        actorId,
        occurredAt,
        prevHash,
        hash,
      };
      yield { body: undefined, text, columns, position, ...(format2 ? { logIndex } : {}) };
    }
  }

  async function* documents(): AsyncIterable<StoredDocument> {
    for (let after = ''; ; ) {
      const page = await reads.documents(after, PAGE);
      yield* page;
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE) return;
      after = last.digest;
    }
  }

  /** The first event (in log order) whose stored text names `digest`: a full scan, for failures only. */
  async function firstNaming(digest: string): Promise<number | undefined> {
    for await (const row of logOrderRows(reads, {}, { page: PAGE }))
      if (row.body.includes(digest)) return row.seq;
    return undefined;
  }

  return {
    mode: 'complete',
    checkpoints,
    consistency: [],
    key: (purpose, kid, tenantId) => recordedKey(keys, purpose, kid, tenantId),
    approvalToken: async (digest) => {
      const document = await reads.document(digest);
      return document?.kind === 'ApprovalJws' ? document.body : undefined;
    },
    approvalRows: () => approvals,
    documents,
    firstNaming,
    events,
    expectedEvents: count,
    database: true,
    close,
  };
}
