import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { VerificationFailure } from '@handoff/lineage';
import { EXPORT_FORMAT, type ExportLine } from '@handoff/lineage';
import type { JWK } from 'jose';
import { GatewayError } from '../errors.js';
import {
  type LineageSource,
  recordedKey,
  recordedKeyId,
  type SourceCheckpoint,
  type SourceConsistency,
  type SourceEvent,
} from './lineage-source.js';

type Parsed = { ok: true; line: ExportLine } | { ok: false };

function parse(text: string): Parsed {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && 'kind' in value) {
      return { ok: true, line: value as ExportLine };
    }
  } catch {
    // reported as EXPORT_MALFORMED below
  }
  return { ok: false };
}

function malformed(line: number, seq: number, message: string): VerificationFailure {
  return { code: 'EXPORT_MALFORMED', seq, line, message };
}

/**
 * Opens a JSON Lines bundle written by `exportLineageJsonl` as a {@link LineageSource}: the header, keys,
 * checkpoints, consistency proofs and approval tokens are read up front (they come first and are few), then the
 * events stream line by line, so a bundle of millions of events needs little memory. A malformed or misplaced
 * line is reported as `EXPORT_MALFORMED` with its line number.
 *
 * @throws GatewayError `NOT_FOUND` when the file cannot be read.
 */
export async function openExportSource(path: string): Promise<LineageSource> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    throw new GatewayError('NOT_FOUND', `Cannot read the export ${path}`, { cause: error });
  }
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })[
    Symbol.asyncIterator
  ]();
  const keys = new Map<string, JWK>();
  const tokens = new Map<string, string>();
  const checkpoints: SourceCheckpoint[] = [];
  const consistency: SourceConsistency[] = [];
  let mode: 'complete' | 'subset' = 'complete';
  let expectedEvents: number | undefined;
  let openingFailure: VerificationFailure | undefined;
  let lineNo = 0;
  let firstEvent: { text: string; line: number } | undefined;

  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    lineNo += 1;
    const text = next.value;
    if (text.trim() === '') continue;
    const parsed = parse(text);
    if (!parsed.ok) {
      openingFailure = malformed(lineNo, 1, `Line ${lineNo} is not a bundle record`);
      break;
    }
    const { line } = parsed;
    if (lineNo === 1) {
      if (line.kind !== 'header' || line.format !== EXPORT_FORMAT || line.version !== 1) {
        openingFailure = malformed(1, 1, `Not a ${EXPORT_FORMAT} version 1 bundle`);
        break;
      }
      mode = line.mode === 'subset' ? 'subset' : 'complete';
      expectedEvents = line.events;
      continue;
    }
    if (line.kind === 'event') {
      firstEvent = { text, line: lineNo };
      break;
    }
    if (line.kind === 'key') {
      keys.set(recordedKeyId(line.purpose, line.tenantId ?? '', line.kid), line.jwk);
    } else if (line.kind === 'approval-token') tokens.set(line.digest, line.token);
    else if (line.kind === 'consistency') consistency.push({ ...line, line: lineNo });
    else if (line.kind === 'checkpoint') {
      checkpoints.push({
        treeSize: line.treeSize,
        rootHash: line.rootHash,
        signedAt: Date.parse(line.signedAt),
        kid: line.kid,
        signature: line.jws,
        line: lineNo,
      });
    } else {
      openingFailure = malformed(lineNo, 1, `Line ${lineNo} is out of place`);
      break;
    }
  }

  async function* events(): AsyncIterable<SourceEvent> {
    if (openingFailure) return;
    let pending = firstEvent;
    let line = lineNo;
    while (pending !== undefined) {
      const parsed = parse(pending.text);
      if (!parsed.ok || parsed.line.kind !== 'event') {
        // Not an event where events must be: surfaced as a malformed body at this line.
        yield { body: undefined, position: pending.line, line: pending.line };
      } else {
        const { event, proof, logIndex } = parsed.line;
        yield {
          body: event,
          position: pending.line,
          line: pending.line,
          ...(proof ? { proof } : {}),
          ...(typeof logIndex === 'number' ? { logIndex } : {}),
        };
      }
      pending = undefined;
      for (let next = await lines.next(); !next.done; next = await lines.next()) {
        line += 1;
        if (next.value.trim() === '') continue;
        pending = { text: next.value, line };
        break;
      }
    }
  }

  return {
    mode,
    checkpoints: checkpoints.sort((a, b) => a.treeSize - b.treeSize),
    consistency,
    key: (purpose, kid, tenantId) => recordedKey(keys, purpose, kid, tenantId),
    approvalToken: (digest) => tokens.get(digest),
    approvalRows: () => undefined,
    events,
    ...(openingFailure ? { openingFailure } : {}),
    ...(expectedEvents === undefined ? {} : { expectedEvents }),
    close: () => input.destroy(),
  };
}
