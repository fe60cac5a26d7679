import type { VerificationReport } from '@handoff/lineage';
import { GatewayError } from '../errors.js';
import type { LineageSource, SourceEvent } from './lineage-source.js';
import { type VerifyLineageOptions, verifyLineage } from './verify-lineage.js';
import { verifyWitnessHeads, WitnessMatcher } from './witness-check.js';

/** The `hash` an event claims: its column (a database), else its body's, else its stored text's. */
function hashOf(item: SourceEvent): unknown {
  if (item.columns) return item.columns.hash;
  if (item.body !== undefined) return (item.body as { hash?: unknown } | null)?.hash;
  try {
    return (JSON.parse(item.text ?? '') as { hash?: unknown } | null)?.hash;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a lineage as {@link verifyLineage} does AND against the signed tree heads of a witness file (its text:
 * witness JSON lines or bare checkpoint JWS lines), kept outside the database: each head must verify with a
 * trusted checkpoint key, and the lineage's first `treeSize` events must have the signed root (see
 * `verifyWitnessHeads`, `WitnessMatcher`). The witness check sees every event even when the chain check stops at
 * its first failure, so the report lists every witness failure (`report.witness.failures`); `failure` is the
 * chain's first failure, else the first witness failure. Verifies on this thread only (no worker threads).
 *
 * Detects: a deleted tail or a database rolled back past a witnessed head (`WITNESS_TREE_TRUNCATED`), history
 * rewritten at or before a witnessed size (`WITNESS_ROOT_MISMATCH`), heads signed by a key not trusted
 * (`WITNESS_KEY_UNTRUSTED`, `WITNESS_SIGNATURE_INVALID`), a damaged or forked witness (`WITNESS_MALFORMED`, `WITNESS_INCONSISTENT`). Cannot
 * detect: changes to events after the last witnessed head (the chain and the database's own checkpoints cover
 * those only against clumsy edits).
 *
 * @throws GatewayError `VALIDATION_FAILED` for a filtered (subset) export: it lacks the events to recompute roots;
 *   `KEY_SOURCE_UNAVAILABLE` / `CONFIG_INVALID` when a trust anchor cannot be read.
 */
export async function verifyLineageAgainst(
  source: LineageSource,
  witnessText: string,
  options: VerifyLineageOptions,
): Promise<VerificationReport> {
  if (source.mode === 'subset') {
    throw new GatewayError(
      'VALIDATION_FAILED',
      'A filtered export cannot be checked against a witness',
      {
        issues: [
          {
            path: '',
            code: 'SUBSET_EXPORT',
            message: 'Export the whole lineage (no --plan/--tenant)',
          },
        ],
      },
    );
  }
  const witnessed = await verifyWitnessHeads(witnessText, options.trust);
  const matcher = new WitnessMatcher(witnessed.heads);
  // One pass over the events: each is handed to the matcher as the chain check pulls it; what the chain check
  // leaves unread (it stops at its first failure) is drained into the matcher afterwards.
  const events = source.events();
  const sync = Symbol.iterator in events ? events[Symbol.iterator]() : undefined;
  const async = sync ? undefined : (events as AsyncIterable<SourceEvent>)[Symbol.asyncIterator]();
  const tapped: LineageSource = Object.create(source, {
    events: {
      value: sync
        ? function* () {
            for (let n = sync.next(); !n.done; n = sync.next()) {
              matcher.push(hashOf(n.value));
              yield n.value;
            }
          }
        : async function* () {
            for (let n = await async?.next(); n && !n.done; n = await async?.next()) {
              matcher.push(hashOf(n.value));
              yield n.value;
            }
          },
    },
  });
  const report = await verifyLineage(tapped, { ...options, threads: 1 });
  if (sync) for (let n = sync.next(); !n.done; n = sync.next()) matcher.push(hashOf(n.value));
  else
    for (let n = await async?.next(); n && !n.done; n = await async?.next())
      matcher.push(hashOf(n.value));
  const failures = [...witnessed.failures, ...matcher.finish()].sort(
    (a, b) => a.witnessLine - b.witnessLine,
  );
  const witness = { heads: witnessed.heads.length, failures };
  const first = failures[0];
  if (!report.ok) return { ...report, witness };
  return first ? { ...report, ok: false, failure: first, witness } : { ...report, witness };
}
