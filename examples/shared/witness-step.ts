/**
 * The auditor's check of a story's lineage against its witness file: the signed tree heads the gateway appended
 * outside its database (`checkpoints.witnessFile`). The gateway's verifier proves the database still holds every
 * witnessed head (`verifyLineageAgainst`, trusting only the checkpoint JWKS); then the auditor asks the gateway
 * (`lineage.proveInclusion`) for an RFC 9162 inclusion proof of one event (the traced dispatch's) in a witnessed
 * head, and checks it with `@handoff/lineage` against the root in the witness file, not the one the gateway sends.
 */
import { readFileSync } from 'node:fs';
import {
  type AppRouter,
  openDatabaseSource,
  type VerifierTrust,
  verifyLineageAgainst,
  type WitnessLine,
} from '@handoff/gateway';
import { bytesOfDigest, eventLeafHash, verifyInclusion } from '@handoff/lineage';
import type { TRPCClient } from '@trpc/client';
import type { Expectations } from './expectations.js';
import { detail, paint, verdict } from './terminal.js';

/** What the witness check found, for the story's JSON report. */
export interface WitnessFindings {
  ok: boolean;
  heads: number;
  failures: string[];
  inclusion?: {
    eventHash: string;
    leafIndex: number;
    treeSize: number;
    path: string[];
    root: string;
    verified: boolean;
    head: Omit<WitnessLine, 'jws'>;
  };
}

/**
 * Verifies the gateway's `database` (its SQLite file or PostgreSQL URL) against `witnessFile`, and proves the event of `eventHash` (sequenced, one of the
 * auditor's tenant's) is included in the first witnessed head covering it, with a proof the gateway serves to
 * `auditor`. Prints both and records them as expectations.
 */
export async function checkAgainstWitness(input: {
  database: string;
  witnessFile: string;
  trust: VerifierTrust;
  auditor: TRPCClient<AppRouter>;
  eventHash: string;
  checks: Expectations;
}): Promise<WitnessFindings> {
  const { checks, eventHash } = input;
  const text = readFileSync(input.witnessFile, 'utf8');
  const source = await openDatabaseSource(input.database);
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
  // Where the event is in the log, then the first witnessed head that covers it.
  const { logIndex } = await input.auditor.lineage.proveInclusion.query({ eventHash });
  const at = witnessed.findIndex((h) => h.treeSize > logIndex);
  const head = witnessed[at];
  if (head === undefined) {
    checks.check(
      false,
      'a witnessed tree head covers the traced dispatch',
      `no head covers log index ${logIndex}`,
    );
    return { ok: false, heads, failures };
  }
  const proof = await input.auditor.lineage.proveInclusion.query({
    eventHash,
    treeSize: head.treeSize,
  });
  const path = proof.auditPath.map((p) => bytesOfDigest(p) ?? new Uint8Array());
  const signedRoot = bytesOfDigest(head.rootHash) ?? new Uint8Array();
  const verified = verifyInclusion(
    logIndex,
    head.treeSize,
    eventLeafHash(eventHash),
    path,
    signedRoot,
  );
  detail(
    `inclusion proof (RFC 9162 2.1.3, lineage.proveInclusion) of ${eventHash.slice(0, 19)}…, the traced dispatch's last event:`,
  );
  detail(`log index ${logIndex} in a tree of ${head.treeSize} leaves, audit path:`, 4);
  for (const [i, p] of proof.auditPath.entries()) detail(`${String(i).padStart(2)} ${p}`, 6);
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
      eventHash,
      leafIndex: logIndex,
      treeSize: head.treeSize,
      path: proof.auditPath,
      root: head.rootHash,
      verified,
      head: shown,
    },
  };
}
