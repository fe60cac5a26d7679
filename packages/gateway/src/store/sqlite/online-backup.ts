import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { VerificationReport } from '@handoff/lineage';
import Database from 'better-sqlite3';
import { openDatabaseSource } from '../../audit/database-source.js';
import type { VerifierTrust } from '../../audit/trust-anchors.js';
import { verifyLineage } from '../../audit/verify-lineage.js';
import { verifyLineageAgainst } from '../../audit/verify-witness.js';
import { GatewayError } from '../../errors.js';

/** Options of {@link backupDatabase}. */
export interface BackupOptions {
  /** The gateway database file to copy (a running gateway may be writing it). */
  source: string;
  /** Where the verified copy goes. Its folder must exist. */
  target: string;
  /** Replace an existing `target` (default: refuse). */
  force?: boolean;
  /** The trust anchors the copy is verified against (as `handoff lineage verify` takes them). */
  trust: VerifierTrust;
  /** The text of a witness file: the copy must also hold every signed tree head in it. */
  witness?: string;
  /** Verification progress, as `verifyLineage` reports it. */
  onProgress?: (done: number, total: number | undefined) => void;
}

/** What {@link backupDatabase} did: `ok` only when the copy verified and was moved to the target. */
export type BackupOutcome =
  | { ok: true; target: string; bytes: number; report: VerificationReport }
  | { ok: false; target: string; report: VerificationReport };

/** Pages per backup step: all of them, so the copy is one read transaction's snapshot (see below). */
const ALL_PAGES = 0x7fffffff;

function refuseTarget(target: string, code: string, message: string): GatewayError {
  return new GatewayError('VALIDATION_FAILED', message, {
    issues: [{ path: '', code, message }],
    details: { target },
  });
}

/** The checks made before anything is written. @throws GatewayError (see {@link backupDatabase}). */
function checkTarget(source: string, target: string, force: boolean): void {
  if (!existsSync(dirname(target))) {
    throw refuseTarget(target, 'NO_FOLDER', `The folder of ${target} does not exist`);
  }
  if (!existsSync(target)) return;
  if (realpathSync(target) === realpathSync(source)) {
    throw refuseTarget(target, 'TARGET_IS_SOURCE', `${target} is the database being backed up`);
  }
  if (!force) {
    throw refuseTarget(
      target,
      'TARGET_EXISTS',
      `${target} exists: give another file, or --force to replace it`,
    );
  }
  if (!statSync(target).isFile()) {
    throw refuseTarget(target, 'TARGET_NOT_FILE', `${target} exists and is not a file`);
  }
}

/** Removes a SQLite file and the journals SQLite may have left beside it. */
function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm'])
    rmSync(`${path}${suffix}`, { force: true });
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Copies `source` to `temp` with SQLite's online backup API, as one self-contained file (no WAL). */
async function copyOnline(source: string, temp: string): Promise<void> {
  let db: Database.Database;
  try {
    // A reader: no writer lock (`<database>.lock`) is taken or waited for; WAL lets the gateway write meanwhile.
    db = new Database(source, { readonly: true, fileMustExist: true });
    db.prepare('select 1 from lineage_events limit 1').get();
  } catch (error) {
    throw new GatewayError('NOT_FOUND', `${source} is not a readable gateway database`, {
      cause: error,
    });
  }
  try {
    // Every page in one step: the copy is the snapshot of one read transaction, and a gateway writing between
    // steps cannot restart it over and over.
    await db.backup(temp, { progress: () => ALL_PAGES });
  } finally {
    db.close();
  }
  const copy = new Database(temp);
  try {
    // The copy carries the source's WAL mode; a backup is better one file that can be copied as it is.
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/**
 * Takes a consistent online copy of a gateway database and verifies the copy's lineage before it counts.
 *
 * 1. Refuses before writing anything when the target's folder does not exist, or the target exists (unless
 *    `force`), is the source itself, or (with `force`) is not a regular file.
 * 2. Copies the source with SQLite's backup API (`better-sqlite3`'s `db.backup`) on a read-only connection, all
 *    pages in one step: the copy is one consistent snapshot even while a gateway writes the file. The gateway's
 *    writer lock (`<database>.lock`) is neither taken nor waited for, so a running gateway goes on serving.
 *    The copy goes to a temporary file beside the target (`.<name>.<pid>.<random>.tmp`), in rollback-journal
 *    mode (one self-contained file).
 * 3. Verifies the copy with {@link verifyLineage} against `trust` (and the `witness` heads, when given).
 * 4. Only when it holds: fsyncs the copy and moves it to the target, atomically (a hard link, which fails if a
 *    file appeared there meanwhile; with `force`, a rename over it), then fsyncs the folder.
 *
 * Whatever fails, the temporary file is removed and the target is untouched: a copy that does not verify is
 * never left where a restore would find it.
 *
 * @returns `{ ok: true, target, bytes, report }`, or `{ ok: false, target, report }` when the copy's lineage
 *   does not verify (`report.failure` names the first broken point).
 * @throws GatewayError `VALIDATION_FAILED` (issue codes `NO_FOLDER`, `TARGET_EXISTS`, `TARGET_IS_SOURCE`,
 *   `TARGET_NOT_FILE`) for a target refused before copying, or `TARGET_EXISTS` when one appeared during it;
 *   `NOT_FOUND` when the source is not a readable gateway database; `VALIDATION_FAILED` from
 *   `verifyLineageAgainst` for a witness that cannot be checked. I/O errors are thrown as they are.
 */
export async function backupDatabase(options: BackupOptions): Promise<BackupOutcome> {
  const source = resolve(options.source);
  const target = resolve(options.target);
  checkTarget(source, target, options.force ?? false);
  const temp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`,
  );
  try {
    await copyOnline(source, temp);
    const copy = await openDatabaseSource(temp);
    let report: VerificationReport;
    try {
      const verify = {
        trust: options.trust,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      };
      report =
        options.witness === undefined
          ? await verifyLineage(copy, verify)
          : await verifyLineageAgainst(copy, options.witness, verify);
    } finally {
      copy.close();
    }
    if (!report.ok) return { ok: false, target, report };
    fsyncPath(temp);
    if (options.force) {
      renameSync(temp, target);
    } else {
      try {
        linkSync(temp, target);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
        throw refuseTarget(
          target,
          'TARGET_EXISTS',
          `${target} appeared during the backup; nothing was replaced`,
        );
      }
    }
    try {
      fsyncPath(dirname(target));
    } catch {
      // Not every platform can open a folder to fsync it (Windows): the rename is done either way.
    }
    return { ok: true, target, bytes: statSync(target).size, report };
  } finally {
    removeDatabaseFiles(temp);
  }
}
