import { eventLeafHash, hexOf, MerkleTree } from '@handoff/lineage';
import type { Digest } from '@handoff/protocol';
import { OPERATION_ROLES } from '../access.js';
import { type Principal, requireRole } from '../auth/principal.js';
import { GatewayError } from '../errors.js';
import type { TreeHeadRecord } from '../store/lineage-log.js';
import type { GatewayStore, StoreTx } from '../store/store.js';
import { witnessLineOf } from './sequencer.js';
import type { WitnessLine } from './witness-file.js';

/** A signed tree head as the API answers it: a witness file line (`lineage.treeHead`). */
export type SignedTreeHead = WitnessLine;

/** An RFC 9162 section 2.1.3 inclusion proof with the head it is against (`lineage.proveInclusion`). */
export interface InclusionProof {
  logIndex: number;
  eventHash: Digest;
  treeSize: number;
  auditPath: Digest[];
  treeHead: SignedTreeHead;
}

/** An RFC 9162 section 2.1.4 consistency proof between two signed heads (`lineage.proveConsistency`). */
export interface ConsistencyProof {
  from: SignedTreeHead;
  to: SignedTreeHead;
  proof: Digest[];
}

/**
 * The latest signed tree head of the lineage's transparency log, or the one of `treeSize` (auditor, operator).
 * The log is the gateway's, shared by every tenant: a head tells its size and root, nothing of any event.
 *
 * @throws GatewayError `FORBIDDEN` (role), `NOT_FOUND` (no head yet, or none of that size).
 */
export async function treeHead(
  store: GatewayStore,
  principal: Principal,
  input?: { treeSize?: number | undefined },
): Promise<SignedTreeHead> {
  requireRole(principal, ...OPERATION_ROLES['lineage.treeHead']);
  return store.transaction(async (tx) => witnessLineOf(await signedHead(tx, input?.treeSize)));
}

/**
 * An inclusion proof (RFC 9162 section 2.1.3) of one of the caller's tenant's events, by its hash or its log
 * index, against the signed head of `treeSize` (default: the latest). Builds the tree of the first `treeSize`
 * leaves from the database: O(treeSize) time and memory per call (about a second per million events).
 *
 * @throws GatewayError `FORBIDDEN` (role); `NOT_FOUND` when the event is unknown, another tenant's, not yet
 *   sequenced, or not within the head, or no head of that size exists.
 */
export async function proveInclusion(
  store: GatewayStore,
  principal: Principal,
  input: { eventHash: string; treeSize?: number } | { logIndex: number; treeSize?: number },
): Promise<InclusionProof> {
  requireRole(principal, ...OPERATION_ROLES['lineage.proveInclusion']);
  return store.transaction(async (tx) => {
    const head = await signedHead(tx, input.treeSize);
    const by = 'logIndex' in input ? { logIndex: input.logIndex } : { eventHash: input.eventHash };
    const entry = await tx.logEntry(principal.tenantId, by);
    if (entry === undefined || entry.logIndex >= head.treeSize) {
      throw new GatewayError(
        'NOT_FOUND',
        `No sequenced event of this tenant ${'logIndex' in by ? `at log index ${by.logIndex}` : `with hash ${by.eventHash}`} within the tree head of ${head.treeSize} events`,
      );
    }
    const tree = await treeOf(tx, head.treeSize);
    return {
      logIndex: entry.logIndex,
      eventHash: entry.hash as Digest,
      treeSize: head.treeSize,
      auditPath: tree.inclusionProof(entry.logIndex, head.treeSize).map(digestOf),
      treeHead: witnessLineOf(head),
    };
  });
}

/**
 * A consistency proof (RFC 9162 section 2.1.4) that the signed head of `to` leaves (default: the latest)
 * extends the signed head of `from` leaves: what a witness asks before it accepts a newer head.
 *
 * @throws GatewayError `FORBIDDEN` (role); `NOT_FOUND` when either size has no signed head (a head a witness
 *   holds that the database lacks is itself the finding); `VALIDATION_FAILED` when `from` is above `to`.
 */
export async function proveConsistency(
  store: GatewayStore,
  principal: Principal,
  input: { from: number; to?: number | undefined },
): Promise<ConsistencyProof> {
  requireRole(principal, ...OPERATION_ROLES['lineage.proveConsistency']);
  return store.transaction(async (tx) => {
    const to = await signedHead(tx, input.to);
    if (input.from > to.treeSize) {
      throw new GatewayError(
        'VALIDATION_FAILED',
        `from (${input.from}) must not be above to (${to.treeSize})`,
        {
          issues: [{ path: '/from', code: 'TOO_BIG', message: `Expected at most ${to.treeSize}` }],
        },
      );
    }
    const from = await signedHead(tx, input.from);
    const tree = await treeOf(tx, to.treeSize);
    return {
      from: witnessLineOf(from),
      to: witnessLineOf(to),
      proof: tree.consistencyProof(from.treeSize, to.treeSize).map(digestOf),
    };
  });
}

/** The stored head of `treeSize` (the latest when undefined). */
async function signedHead(tx: StoreTx, treeSize: number | undefined): Promise<TreeHeadRecord> {
  const head = await tx.treeHead(treeSize);
  if (head === undefined) {
    throw new GatewayError(
      'NOT_FOUND',
      treeSize === undefined
        ? 'No signed tree head yet: the log has not been sequenced'
        : `No signed tree head of ${treeSize} events`,
    );
  }
  return head;
}

/** The tree of the first `treeSize` leaves. */
async function treeOf(tx: StoreTx, treeSize: number): Promise<MerkleTree> {
  const hashes = await tx.logLeaves(treeSize);
  if (hashes.length !== treeSize) {
    throw new GatewayError(
      'INTERNAL',
      `The log holds ${hashes.length} sequenced events below a tree head of ${treeSize}`,
    );
  }
  return new MerkleTree(hashes.map((hash) => eventLeafHash(hash)));
}

function digestOf(bytes: Uint8Array): Digest {
  return `sha256:${hexOf(bytes)}`;
}
