/**
 * `@handoff/lineage`: the Handoff lineage on its own, what an auditor installs without the gateway. Event
 * hashing and chaining, the RFC 9162 log (hashes, tree, proofs) and signed tree heads.
 */

export { ChainCheck, type EventAt, parseEvent } from './chain-check.js';
export {
  type ChainHead,
  type ChainOptions,
  chainEvents,
  chainOfDraft,
  type LineageEventDraft,
} from './chain-events.js';
export {
  ChainWorkers,
  type ChainWorkersReport,
  checkChainsInWorkers,
  defaultThreads,
  type RoutedEvent,
} from './chain-workers.js';
export { chainKey, eventHash, type LineageChain } from './event-hash.js';
export * from './export-format.js';
export { inclusionFailure, type LogAt, LogCheck, type LogTreeHead } from './log-check.js';
export { MerkleAccumulator, type MerkleSubtree, merkleRoot } from './merkle-accumulator.js';
export {
  bytesOfDigest,
  emptyRoot,
  eventLeafHash,
  HASH_BYTES,
  hexOf,
  isDigest,
  isPowerOfTwo,
  largestPowerOfTwoBelow,
  leafHash,
  nodeHash,
} from './merkle-hash.js';
export { MerkleTree } from './merkle-tree.js';
export { verifyConsistency, verifyInclusion } from './merkle-verify.js';
export {
  CHECKPOINT_TYPE,
  type CheckpointKey,
  importCheckpointKey,
  signTreeHead,
  type TreeHead,
  type TreeHeadFailure,
  type TreeHeadVerdict,
  verifyTreeHead,
} from './tree-head.js';
export type * from './verification-failure.js';
