import { readFileSync } from 'node:fs';
import type { VerificationReport } from '@handoff/lineage';
import { type Command, Option } from 'commander';
import type { JWK } from 'jose';
import { importCheckpointKey } from '../../audit/checkpoint-key.js';
import { openDatabaseSource } from '../../audit/database-source.js';
import { exportLineageJsonl } from '../../audit/export-jsonl.js';
import { exportOpenLineage } from '../../audit/export-openlineage.js';
import { openExportSource } from '../../audit/export-source.js';
import type { LineageSource } from '../../audit/lineage-source.js';
import { Sequencer } from '../../audit/sequencer.js';
import { verifyLineage } from '../../audit/verify-lineage.js';
import { verifyLineageAgainst } from '../../audit/verify-witness.js';
import { WitnessFile } from '../../audit/witness-file.js';
import { systemClock } from '../../clock.js';
import { GatewayError } from '../../errors.js';
import { openStoreReadOnly } from '../../store/open-read-only.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { printError, printResult } from '../output.js';
import { progressBar } from '../progress.js';
import { run } from '../run-command.js';
import {
  noAnchorError,
  readWitness,
  type TrustOptions,
  trustFromOptions,
  trustOptions,
} from './lineage-trust.js';

type SetExit = (code: ExitCode) => void;

interface VerifyOptions extends TrustOptions {
  db?: string;
  export?: string;
  against?: string;
  json?: boolean;
}

/** The human form of a verification report, one witness failure per extra line. */
function renderReport(report: VerificationReport, seconds: number): string {
  const witness = report.witness
    ? [`witness: ${report.witness.heads} signed tree heads checked`].concat(
        report.witness.failures.map(
          (f) => `witness line ${f.witnessLine}: ${f.code}: ${f.message}`,
        ),
      )
    : [];
  const head = report.ok
    ? `${report.anchored ? 'OK' : 'OK (UNANCHORED)'}: ${report.events} events (${report.mode}), ${report.checkpoints} checkpoints, ${report.approvals} approvals, ${report.documents} documents verified in ${seconds.toFixed(1)} s; head ${report.headHash}`
    : `BROKEN at seq ${report.failure.seq}${report.failure.chain ? ` of ${report.failure.chain}` : ''}${report.failure.line ? ` (line ${report.failure.line})` : ''}: ${report.failure.code}: ${report.failure.message}`;
  return [head, ...witness].join('\n');
}

const UNANCHORED_WARNING =
  'UNANCHORED: checked against the keys the file records itself, not against trust anchors: this shows the ' +
  'file is consistent, NOT that nobody rewrote it (give --checkpoint-keys/--approver-keys or --config)';

function registerVerify(lineage: Command, io: Io, setExit: SetExit): void {
  const verify = lineage
    .command('verify')
    .description(
      'verify a lineage offline against trust anchors given from outside it: hashes, chain, Merkle roots, ' +
        'checkpoint and approval signatures, stored documents against their digests',
    )
    .option(
      '--db <file>',
      'a gateway database, opened read-only: a SQLite file or a postgres:// URL',
    )
    .option('--export <file>', 'a JSON Lines bundle from `handoff lineage export`')
    .option(
      '--against <file>',
      'also prove the lineage still holds every signed tree head of this witness file (checkpoints.witnessFile, or JWS lines)',
    )
    .option('--json', 'print JSON');
  trustOptions(verify)
    .addHelpText(
      'after',
      '\nThe keys to trust come from outside the file: without --checkpoint-keys/--approver-keys or --config it\n' +
        'refuses (exit 2). Keep the JWKS the gateway signs with (`handoff lineage jwks` when a key is made, the\n' +
        "approvers' JWKS) where the database's writer cannot change them.",
    )
    .action(async (opts: VerifyOptions) => {
      const json = opts.json ?? false;
      setExit(
        await run(io, json, async () => {
          if ((opts.db === undefined) === (opts.export === undefined)) {
            throw new GatewayError('VALIDATION_FAILED', 'Give exactly one of --db and --export', {
              issues: [{ path: '', code: 'ONE_SOURCE', message: 'Use --db or --export' }],
            });
          }
          const trust = await trustFromOptions(opts);
          if (trust === undefined) {
            printError(io, json, noAnchorError());
            return EXIT.USAGE;
          }
          const source: LineageSource = opts.db
            ? await openDatabaseSource(opts.db)
            : await openExportSource(opts.export ?? '');
          const witness = opts.against === undefined ? undefined : readWitness(opts.against);
          const bar = progressBar('verifying', { json });
          const started = performance.now();
          try {
            const options = { trust, onProgress: (d: number, t?: number) => bar.update(d, t) };
            const report =
              witness === undefined
                ? await verifyLineage(source, options)
                : await verifyLineageAgainst(source, witness, options);
            bar.finish();
            const seconds = (performance.now() - started) / 1000;
            if (!report.anchored) io.err(UNANCHORED_WARNING);
            printResult(io, json, report, () => renderReport(report, seconds));
            return report.ok ? EXIT.OK : EXIT.REFUSED;
          } finally {
            source.close();
          }
        }),
      );
    });
}

interface ExportOptions {
  db: string;
  out: string;
  format: 'jsonl' | 'openlineage';
  plan?: string;
  tenant?: string;
  producer?: string;
  json?: boolean;
}

function registerExport(lineage: Command, io: Io, setExit: SetExit): void {
  lineage
    .command('export')
    .description('export the lineage: a verifiable JSON Lines bundle, or OpenLineage RunEvents')
    .requiredOption(
      '--db <file>',
      'a gateway database, opened read-only: a SQLite file or a postgres:// URL',
    )
    .requiredOption('--out <file>', 'where to write')
    .addOption(
      new Option('--format <format>', 'bundle or OpenLineage')
        .choices(['jsonl', 'openlineage'])
        .default('jsonl'),
    )
    .option('--plan <planId>', 'only this plan (a bundle then carries inclusion proofs)')
    .option('--tenant <tenantId>', 'only this tenant (a bundle then carries inclusion proofs)')
    .option('--producer <uri>', 'OpenLineage: the producer URI')
    .option('--json', 'print JSON')
    .action(async (opts: ExportOptions) => {
      setExit(
        await run(io, opts.json ?? false, async () => {
          const store = await openStoreReadOnly(opts.db);
          const bar = progressBar('exporting', { json: opts.json ?? false });
          const onProgress = (done: number, total: number) => bar.update(done, total);
          try {
            const filter = {
              ...(opts.plan ? { planId: opts.plan } : {}),
              ...(opts.tenant ? { tenantId: opts.tenant } : {}),
            };
            const summary =
              opts.format === 'openlineage'
                ? await exportOpenLineage(store, opts.out, {
                    ...filter,
                    ...(opts.producer ? { producer: opts.producer } : {}),
                    onProgress,
                  })
                : await exportLineageJsonl(store, opts.out, {
                    ...(opts.plan || opts.tenant ? { filter } : {}),
                    onProgress,
                  });
            bar.finish();
            const result = { format: opts.format, out: opts.out, ...summary };
            printResult(io, opts.json ?? false, result, () =>
              Object.entries(result)
                .map(([k, v]) => `${k}: ${v}`)
                .join('\n'),
            );
            return EXIT.OK;
          } finally {
            await store.close();
          }
        }),
      );
    });
}

function readPrivateJwk(file: string): JWK {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch (error) {
    throw new GatewayError('CONFIG_INVALID', `Cannot read the key file ${file}`, { cause: error });
  }
}

interface CheckpointOptions {
  db: string;
  key: string;
  gatewayId: string;
  witness?: string;
  json?: boolean;
}

function registerCheckpoint(lineage: Command, io: Io, setExit: SetExit): void {
  lineage
    .command('checkpoint')
    .description(
      'sequence every waiting event of a gateway database now, one signed tree head (RFC 9162, Ed25519) per batch',
    )
    .requiredOption('--db <file>', 'the gateway database file')
    .requiredOption('--key <file>', 'the private Ed25519 JWK (`handoff keys generate --alg EdDSA`)')
    .requiredOption('--gateway-id <id>', 'this gateway id')
    .option(
      '--witness <file>',
      'also append the signed tree head to this witness file (as checkpoints.witnessFile; fsynced)',
    )
    .option('--json', 'print JSON')
    .action(async (opts: CheckpointOptions) => {
      setExit(
        await run(io, opts.json ?? false, async () => {
          const key = await importCheckpointKey(readPrivateJwk(opts.key));
          const store = openSqliteStore({ path: opts.db });
          try {
            const sequencer = new Sequencer(store, {
              key,
              gatewayId: opts.gatewayId,
              clock: systemClock,
              ...(opts.witness ? { witness: new WitnessFile(opts.witness) } : {}),
            });
            const record = await sequencer.sequenceAll();
            const result = record
              ? { signed: true, ...record, signature: undefined }
              : { signed: false };
            printResult(io, opts.json ?? false, result, () =>
              record
                ? `signed a tree head of ${record.treeSize} events, root ${record.rootHash}, key ${record.kid}`
                : 'nothing new to sign',
            );
            return EXIT.OK;
          } finally {
            await store.close();
          }
        }),
      );
    });
  lineage
    .command('jwks')
    .description("print the gateway's checkpoint public keys (every kid ever used) as a JWKS")
    .requiredOption(
      '--db <file>',
      'the gateway database, opened read-only: a SQLite file or a postgres:// URL',
    )
    .action(async (opts: { db: string }) => {
      setExit(
        await run(io, true, async () => {
          const store = await openStoreReadOnly(opts.db);
          try {
            const rows = (await store.lineageReads.recordedKeys())
              .filter((k) => k.purpose === 'checkpoint')
              .sort((a, b) => a.firstSeenAt - b.firstSeenAt);
            io.out(JSON.stringify({ keys: rows.map((r) => JSON.parse(r.jwk)) }, null, 2));
            return EXIT.OK;
          } finally {
            await store.close();
          }
        }),
      );
    });
}

/**
 * `handoff lineage verify|export|checkpoint|jwks`, the offline half of the auditors' commands (see
 * `registerLineage`): `verify` checks a database file or an export bundle against trust anchors from outside it
 * and exits 1 at the first broken point (2 without anchors);
 * `export` writes a verifiable JSON Lines bundle or OpenLineage events; `checkpoint` signs a tree head now;
 * `jwks` prints the checkpoint keys.
 */
export function registerLineageAudit(lineage: Command, io: Io, setExit: SetExit): void {
  registerVerify(lineage, io, setExit);
  registerExport(lineage, io, setExit);
  registerCheckpoint(lineage, io, setExit);
}
