/**
 * The auditor's check of a story's lineage against its witness file: the signed tree heads the gateway appended
 * outside its database (`checkpoints.witnessFile`). The gateway's verifier proves the database still holds every
 * witnessed head (`verifyLineageAgainst`, trusting only the checkpoint JWKS); then the auditor builds an RFC 9162
 * inclusion proof of one event (the traced dispatch's) in a witnessed head, and checks it against the signed root.
 */
import { readFileSync } from 'node:fs';
import {
  eventLeafHash,
  MerkleTree,
  openDatabaseSource,
  type VerifierTrust,
  verifyInclusion,
  verifyLineageAgainst,
  type WitnessLine,
} from '@handoff/gateway';
import type { LineageEvent } from '@handoff/protocol';
import type { Expectations } from './expectations.js';
import { detail, paint, verdict } from './terminal.js';

/** What the witness check found, for the story's JSON report. */
export interface WitnessFindings {
  ok: boolean;
  heads: number;
  failures: string[];
  inclusion?: {
    seq: number;
    leafIndex: number;
    treeSize: number;
    path: string[];
    root: string;
    verified: boolean;
    head: Omit<WitnessLine, 'jws'>;
  };
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * Verifies `databaseFile` against `witnessFile`, and proves event `seq` (from `events`, the whole lineage in seq
 * order) is included in the first witnessed head covering it. Prints both and records them as expectations.
 */
export async function checkAgainstWitness(input: {
  databaseFile: string;
  witnessFile: string;
  trust: VerifierTrust;
  events: readonly LineageEvent[];
  seq: number;
  checks: Expectations;
}): Promise<WitnessFindings> {
  const { checks, seq } = input;
  const text = readFileSync(input.witnessFile, 'utf8');
  const source = openDatabaseSource(input.databaseFile);
  const report = await verifyLineageAgainst(source, text, { trust: input.trust }).finally(() =>
    source.close(),
  );
  const failures = report.witness?.failures.map((f) => `${f.code} (line ${f.witnessLine})`) ?? [];
  const heads = report.witness?.heads ?? 0;
  detail(
    report.ok
      ? `verifyLineageAgainst the witness file: ${verdict('valid')}: the database holds every one of its ${heads} signed tree head(s)`
      : `verifyLineageAgainst the witness file: ${verdict('broken')}: ${report.failure.code} ${report.failure.message}`,
  );
  checks.check(
    report.ok && heads > 0,
    'the database still holds every signed tree head kept outside it (witness file, trusted checkpoint key)',
    report.ok ? undefined : report.failure.code,
  );

  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const witnessed = lines.map((l) => JSON.parse(l) as WitnessLine);
  const at = witnessed.findIndex((h) => h.treeSize >= seq);
  const head = witnessed[at];
  if (head === undefined) {
    checks.check(
      false,
      'a witnessed tree head covers the traced dispatch',
      `no head covers seq ${seq}`,
    );
    return { ok: false, heads, failures };
  }
  const leaves = input.events.slice(0, head.treeSize).map((e) => eventLeafHash(e.hash));
  const leafIndex = seq - 1;
  const path = new MerkleTree(leaves).inclusionProof(leafIndex, head.treeSize);
  const signedRoot = Buffer.from(head.rootHash.slice('sha256:'.length), 'hex');
  const leaf = leaves[leafIndex];
  const verified =
    leaf !== undefined && verifyInclusion(leafIndex, head.treeSize, leaf, path, signedRoot);
  detail(`inclusion proof (RFC 9162 2.1.3) of event #${seq}, the traced dispatch's last event:`);
  detail(`leaf index ${leafIndex} in a tree of ${head.treeSize} leaves, audit path:`, 4);
  for (const [i, p] of path.entries()) detail(`${String(i).padStart(2)} ${hex(p)}`, 6);
  detail(
    `reaches root ${head.rootHash}: ${verdict(verified ? 'valid' : 'broken')}, the root of the tree head ` +
      `signed by ${paint('bold', head.kid)} at ${head.signedAt} (witness line ${at + 1})`,
    4,
  );
  checks.check(
    verified,
    "the traced dispatch's event is in a signed tree head of the witness file (inclusion proof checked)",
  );
  const { jws: _, ...shown } = head;
  return {
    ok: report.ok && verified,
    heads,
    failures,
    inclusion: {
      seq,
      leafIndex,
      treeSize: head.treeSize,
      path: path.map(hex),
      root: head.rootHash,
      verified,
      head: shown,
    },
  };
}
