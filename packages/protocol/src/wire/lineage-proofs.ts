/**
 * The `lineage.treeHead`, `lineage.proveInclusion` and `lineage.proveConsistency` procedures' inputs and outputs
 * (issue 14): the lineage's transparency log, an RFC 9162 Merkle tree whose leaf `i` is the leaf hash of the
 * `hash` bytes of the event with log index `i`, and its signed tree heads. Hashes are `sha256:<64 hex>`; proofs
 * are RFC 9162 section 2.1.3 (inclusion) and 2.1.4 (consistency) paths, in order.
 */
import { z } from 'zod';
import { DigestSchema, TimestampSchema } from '../primitives.js';

/** A size of the log (a number of leaves), as the procedures accept it. */
const TreeSizeSchema = z.int().min(1).max(Number.MAX_SAFE_INTEGER);

/** A signed tree head: the same members as a witness file line. */
export const SignedTreeHeadSchema = z
  .strictObject({
    kind: z.literal('LineageTreeHead'),
    treeSize: z.int().min(0),
    rootHash: DigestSchema,
    signedAt: TimestampSchema,
    kid: z.string(),
    jws: z.string().meta({
      description:
        'The signed head: a compact JWS (typ handoff-checkpoint+jws, EdDSA) over {kind, gatewayId, treeSize, rootHash, signedAt}. Only this is trusted; the other members are copies.',
    }),
  })
  .meta({
    id: 'SignedTreeHead',
    description: "A signed tree head of the lineage's transparency log (RFC 9162 section 4.10).",
  });

/** The input of `lineage.treeHead`: nothing (the latest head), or the head of one size. */
export const TreeHeadInputSchema = z
  .strictObject({ treeSize: TreeSizeSchema.optional() })
  .optional();

/**
 * The input of `lineage.proveInclusion`: the event, by its `eventHash` or its `logIndex` (exactly one), and the
 * size of a signed tree head to prove it against (default: the latest head).
 */
export const ProveInclusionInputSchema = z.union(
  [
    z.strictObject({ eventHash: DigestSchema, treeSize: TreeSizeSchema.optional() }),
    z.strictObject({
      logIndex: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
      treeSize: TreeSizeSchema.optional(),
    }),
  ],
  { error: 'Expected exactly one of eventHash or logIndex, and optionally treeSize' },
);

/** An RFC 9162 inclusion proof of one event, with the signed head it is against. */
export const InclusionProofSchema = z
  .strictObject({
    logIndex: z.int().min(0),
    eventHash: DigestSchema,
    treeSize: z.int().min(1),
    auditPath: z.array(DigestSchema),
    treeHead: SignedTreeHeadSchema,
  })
  .meta({
    id: 'InclusionProof',
    description:
      'RFC 9162 section 2.1.3 inclusion proof: leaf logIndex (the leaf hash of eventHash) of the tree of treeSize leaves whose signed root is treeHead.rootHash.',
  });

/** The input of `lineage.proveConsistency`: two signed tree sizes, `from` < `to` (default: the latest head). */
export const ProveConsistencyInputSchema = z.strictObject({
  from: TreeSizeSchema,
  to: TreeSizeSchema.optional(),
});

/** An RFC 9162 consistency proof between two signed heads. */
export const ConsistencyProofSchema = z
  .strictObject({
    from: SignedTreeHeadSchema,
    to: SignedTreeHeadSchema,
    proof: z.array(DigestSchema),
  })
  .meta({
    id: 'ConsistencyProof',
    description:
      'RFC 9162 section 2.1.4 consistency proof that the tree of to.treeSize leaves extends the tree of from.treeSize leaves.',
  });
