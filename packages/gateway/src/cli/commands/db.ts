import type { Command } from 'commander';
import { loadConfigFile, resolveConfigPath } from '../../config/load-config.js';
import { GatewayError } from '../../errors.js';
import { backupDatabase } from '../../store/sqlite/online-backup.js';
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

interface BackupCliOptions extends TrustOptions {
  db?: string;
  to: string;
  force?: boolean;
  against?: string;
  json?: boolean;
}

/** The database to copy: `--db`, else the `database.path` of `--config`. */
function sourceOf(opts: BackupCliOptions): string {
  if (opts.db !== undefined) return opts.db;
  if (opts.config !== undefined) {
    const loaded = loadConfigFile(opts.config);
    const { database } = loaded.config;
    if ('path' in database) return resolveConfigPath(loaded, database.path);
    throw new GatewayError('VALIDATION_FAILED', 'db backup copies a SQLite file (database.path)', {
      issues: [
        {
          path: '/database/url',
          code: 'NOT_SQLITE',
          message: 'A PostgreSQL database is backed up with pg_dump; give --db <file> for SQLite',
        },
      ],
    });
  }
  throw new GatewayError('VALIDATION_FAILED', 'Give --db, or --config to back up its database', {
    issues: [{ path: '', code: 'NO_SOURCE', message: 'Use --db <file> or --config <file>' }],
  });
}

/** A refusal of the command line itself (no source; a target refused before copying): exit 2, not 1. */
function isUsageRefusal(error: unknown): error is GatewayError {
  return (
    error instanceof GatewayError &&
    error.code === 'VALIDATION_FAILED' &&
    error.issues.some((i) =>
      ['NO_SOURCE', 'NO_FOLDER', 'TARGET_EXISTS', 'TARGET_IS_SOURCE', 'TARGET_NOT_FILE'].includes(
        i.code,
      ),
    )
  );
}

function registerBackup(db: Command, io: Io, setExit: (code: ExitCode) => void): void {
  const backup = db
    .command('backup')
    .description(
      'copy a gateway database online (SQLite backup API; a running gateway goes on) and verify the copy',
    )
    .option('--db <file>', 'the gateway database file (default: database.path of --config)')
    .requiredOption('--to <file>', 'where the verified copy goes (its folder must exist)')
    .option('--force', 'replace an existing --to file')
    .option(
      '--against <file>',
      'also prove the copy holds every signed tree head of this witness file (checkpoints.witnessFile)',
    )
    .option('--json', 'print JSON');
  trustOptions(backup)
    .addHelpText(
      'after',
      '\nThe copy is written beside --to under a temporary name, verified as `handoff lineage verify` would, and\n' +
        'only then moved to --to: a copy that does not verify is removed (exit 1). Exit codes: 0 verified copy\n' +
        'written; 1 the copy did not verify, or --db is not a gateway database; 2 usage (no trust anchors, --to\n' +
        'exists without --force, its folder is missing); 3 a config or key file unreadable; 4 I/O failure.',
    )
    .action(async (opts: BackupCliOptions) => {
      const json = opts.json ?? false;
      setExit(
        await run(io, json, async () => {
          const trust = await trustFromOptions(opts);
          if (trust === undefined) {
            printError(io, json, noAnchorError());
            return EXIT.USAGE;
          }
          const witness = opts.against === undefined ? undefined : readWitness(opts.against);
          const bar = progressBar('verifying', { json });
          let outcome: Awaited<ReturnType<typeof backupDatabase>>;
          try {
            outcome = await backupDatabase({
              source: sourceOf(opts),
              target: opts.to,
              ...(opts.force ? { force: true } : {}),
              trust,
              ...(witness === undefined ? {} : { witness }),
              onProgress: (done, total) => bar.update(done, total),
            });
          } catch (error) {
            if (!isUsageRefusal(error)) throw error;
            printError(io, json, error);
            return EXIT.USAGE;
          } finally {
            bar.finish();
          }
          const { report } = outcome;
          printResult(io, json, outcome, () =>
            report.ok
              ? `backed up to ${outcome.target}: ${outcome.ok ? outcome.bytes : 0} bytes, ${report.events} events, ` +
                `${report.checkpoints} checkpoints, ${report.approvals} approvals verified` +
                `${report.anchored ? '' : ' (UNANCHORED)'}; head ${report.headHash}`
              : `NOT BACKED UP: the copy is BROKEN at seq ${report.failure.seq}: ${report.failure.code}: ` +
                `${report.failure.message}; nothing was written to ${outcome.target}`,
          );
          return outcome.ok ? EXIT.OK : EXIT.REFUSED;
        }),
      );
    });
}

/**
 * `handoff db backup --to FILE [--db FILE] (--config FILE | --checkpoint-keys JWKS … | --unanchored) [--force]`:
 * a consistent online copy of a gateway database, verified before it counts (see `backupDatabase`). Exit codes:
 * 0 a verified copy is at `--to`; 1 the copy did not verify (nothing is left at `--to`) or the source is not a
 * gateway database; 2 usage (no trust anchors, `--to` exists without `--force`, its folder is missing, it is the
 * source); 3 a config or JWKS file unreadable or invalid; 4 an I/O failure.
 */
export function registerDb(db: Command, io: Io, setExit: (code: ExitCode) => void): void {
  registerBackup(db, io, setExit);
}
