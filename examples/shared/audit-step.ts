/**
 * The auditor's tools of a story, over the gateway's API with the auditor's own key: read the lineage, re-verify
 * its hash chains independently (every event's RFC 8785 + SHA-256 hash recomputed with `@handoff/lineage` and
 * linked to the one before in its plan's or tenant's chain, from the genesis hash), and check a copilot's plan
 * signature against its public key.
 */
import {
  type AppRouter,
  openDatabaseSource,
  type VerificationReport,
  type VerifierTrust,
  verifyLineage,
} from '@handoff/gateway';
import { eventHash } from '@handoff/lineage';
import { GENESIS_HASH, type LineageEvent } from '@handoff/protocol';
import type { TRPCClient } from '@trpc/client';
import { importJWK, type JWK, jwtVerify } from 'jose';
import type { Expectations } from './expectations.js';
import { detail, verdict } from './terminal.js';

/** Every lineage event the auditor may see (optionally of one plan), in insertion order, page by page. */
export async function readLineage(
  auditor: TRPCClient<AppRouter>,
  planId?: string,
): Promise<LineageEvent[]> {
  const events: LineageEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await auditor.lineage.query.query({
      limit: 500,
      ...(planId ? { planId } : {}),
      ...(cursor ? { cursor } : {}),
    });
    events.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return events;
}

/** The outcome of {@link verifyChain}: intact, or the first event where it breaks and why. */
export type ChainVerdict =
  | { ok: true; events: number; chains: number }
  | { ok: false; events: number; brokenAtSeq: number; reason: string };

/**
 * Re-verifies every chain of `events` (a whole lineage in insertion order): each event's plan chain (tenant and
 * plan) or tenant chain (no plan), or the one global chain of format-1 events (no `chain` member), must run seq 1,
 * 2, ... with each `prevHash` the hash before it (`GENESIS_HASH` first) and each hash recomputed.
 */
export function verifyChain(events: readonly LineageEvent[]): ChainVerdict {
  const heads = new Map<string, { seq: number; hash: string }>();
  for (const event of events) {
    const broken = (reason: string): ChainVerdict => ({
      ok: false,
      events: events.length,
      brokenAtSeq: event.seq,
      reason,
    });
    const key =
      event.chain === undefined
        ? 'format-1'
        : `${event.chain}\u0000${event.tenantId}\u0000${event.chain === 'plan' ? event.planId : ''}`;
    const head = heads.get(key) ?? { seq: 0, hash: GENESIS_HASH };
    if (event.seq !== head.seq + 1) return broken(`expected seq ${head.seq + 1} in its chain`);
    if (event.prevHash !== head.hash) return broken('prevHash does not link to the event before');
    if (eventHash(event) !== event.hash) return broken('hash does not match the event');
    heads.set(key, { seq: event.seq, hash: event.hash });
  }
  return { ok: true, events: events.length, chains: heads.size };
}

/** Verifies a copilot's `handoff-plan+jwt` against its public key; returns the claims, or why it failed. */
export async function verifyPlanSignature(
  jws: string,
  publicJwk: JWK,
): Promise<{ ok: true; planId: string; planDigest: string } | { ok: false; reason: string }> {
  try {
    const key = await importJWK(publicJwk, publicJwk.alg);
    const { payload } = await jwtVerify(jws, key, { typ: 'handoff-plan+jwt' });
    return { ok: true, planId: String(payload.planId), planDigest: String(payload.planDigest) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Recomputes the chains of `events` (the whole lineage), prints the verdict and records it as an expectation. */
export function checkChain(events: readonly LineageEvent[], checks: Expectations): ChainVerdict {
  const chain = verifyChain(events);
  detail(
    chain.ok
      ? `hash chains recomputed by the auditor: ${verdict('intact')}, ${chain.events} events in ${chain.chains} plan and tenant chains`
      : `hash chain: ${verdict('broken')} at seq ${chain.brokenAtSeq}: ${chain.reason}`,
  );
  checks.check(
    chain.ok,
    'every lineage event hash recomputes and links to the one before in its plan or tenant chain',
  );
  return chain;
}

/**
 * The gateway's own offline verifier (`verifyLineage`) over the story's database (its SQLite file or PostgreSQL
 * URL, see `story-database.ts`), opened read-only: every
 * event's hash, link and Merkle leaf, checkpoints, each stored document against its digest, and each stored
 * approval token's signature and claims against the keys the auditor trusts (`trust`: given from outside the
 * database, never read from it). Prints the verdict and records it as an expectation.
 */
export async function checkDatabaseOffline(
  database: string,
  trust: VerifierTrust,
  checks: Expectations,
): Promise<VerificationReport> {
  const source = await openDatabaseSource(database);
  try {
    const report = await verifyLineage(source, { trust });
    detail(
      report.ok
        ? `verifyLineage on the database, opened read-only: ${verdict('valid')}: ${report.events} events, ` +
            `${report.approvals} approval tokens re-verified against the approvers' JWKS, ${report.documents} ` +
            `stored documents re-hashed, Merkle root ${report.rootHash?.slice(0, 16)}…`
        : `verifyLineage: ${verdict('broken')}: ${report.failure.code} ${report.failure.message}`,
    );
    checks.check(
      report.ok,
      'the gateway verifier finds the database intact: hashes, links, documents, approval tokens',
      report.ok ? undefined : report.failure.code,
    );
    return report;
  } finally {
    source.close();
  }
}
