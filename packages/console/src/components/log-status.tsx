/**
 * The log's verification status on the auditor page: the latest signed tree head (`lineage.treeHead`: size,
 * root, time, key id) and, for a traced plan's events, whether each is included in the log, each inclusion proof
 * (`lineage.proveInclusion`) checked in this browser against the head's root with RFC 9162 hashing
 * (`lib/inclusion.ts`). The head's JWS signature is not checked here: `handoff lineage verify` does, offline,
 * against a witness file.
 */
import type { WireOutput } from '@handoff/protocol';
import { useEffect, useState } from 'preact/hooks';
import { verifyInclusion } from '../lib/inclusion.js';
import { query, RpcError } from '../lib/rpc.js';
import { describe } from './notice.js';

type Head = WireOutput<'lineage.treeHead'>;

/** What one event's inclusion came to: verified, a proof that does not verify, not yet signed, or an error. */
type Inclusion = { state: 'included' | 'mismatch' | 'pending' | 'error'; text: string };

async function inclusionOf(eventHash: string): Promise<Inclusion> {
  try {
    const proof = await query('lineage.proveInclusion', { eventHash });
    const root = proof.treeHead.rootHash;
    const size = proof.treeSize;
    return (await verifyInclusion(proof, root))
      ? {
          state: 'included',
          text: `included at log index ${proof.logIndex} (proof verified here against the root of the ${size}-leaf head)`,
        }
      : {
          state: 'mismatch',
          text: `the proof does NOT verify against the root of the ${size}-leaf head`,
        };
  } catch (error) {
    // An event sequenced after the latest head (or not sequenced yet) has no proof yet.
    if (error instanceof RpcError && error.code === 'NOT_FOUND') {
      return { state: 'pending', text: 'not yet in a signed tree head' };
    }
    return { state: 'error', text: describe(error) };
  }
}

/** The latest signed tree head and the inclusion of `events` (by their hashes). */
export function LogStatus({ events }: { events: readonly { hash: string; type: string }[] }) {
  const [head, setHead] = useState<Head | null>(null);
  const [headError, setHeadError] = useState<string | null>(null);
  const [included, setIncluded] = useState<Record<string, Inclusion>>({});
  const hashes = events.map((e) => e.hash).join(',');
  // Runs again when the traced events change (`hashes` stands for `events`).
  useEffect(() => {
    let live = true;
    setIncluded({});
    query('lineage.treeHead')
      .then((value) => live && setHead(value))
      .catch((error: unknown) => live && setHeadError(describe(error)));
    (async () => {
      for (const event of events) {
        const inclusion = await inclusionOf(event.hash);
        if (!live) return;
        setIncluded((before) => ({ ...before, [event.hash]: inclusion }));
      }
    })();
    return () => {
      live = false;
    };
  }, [hashes]);
  return (
    <section data-testid="log-status">
      <h3>Log verification status</h3>
      {head ? (
        <p data-testid="tree-head">
          Latest signed tree head: {head.treeSize} events, root{' '}
          <code class="hash">{head.rootHash}</code>, signed at {head.signedAt} with key{' '}
          <code>{head.kid}</code> (signature checked offline by <code>handoff lineage verify</code>,
          not here)
        </p>
      ) : (
        <p>{headError ? `No signed tree head: ${headError}` : 'Reading the signed tree head…'}</p>
      )}
      <ul data-testid="inclusions">
        {events.map((event) => {
          const inclusion = included[event.hash];
          return (
            <li key={event.hash} data-inclusion={inclusion?.state ?? 'checking'}>
              <code>{event.type}</code> <code class="hash">{event.hash}</code>:{' '}
              {inclusion?.text ?? 'checking…'}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
