import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { GatewayError } from '../errors.js';

/**
 * The witness file: every signed tree head the gateway makes, appended OUTSIDE the database, one JSON line each.
 * Shipped off the machine (see the README, "Tree heads kept outside the database"), it lets
 * `handoff lineage verify --against` show that a database still holds everything each head committed to.
 *
 * A line is `{"kind":"LineageTreeHead","treeSize":n,"rootHash":"sha256:…","signedAt":"…","kid":"…","jws":"…"}`.
 * Only `jws` is trusted by a verifier (it carries the signed tree head); the other members are copies for people
 * reading the file, and a verifier refuses a line where they differ from what was signed.
 */
export interface WitnessLine {
  kind: 'LineageTreeHead';
  /** Events covered: log indexes 0..treeSize-1. */
  treeSize: number;
  /** RFC 9162 root over those events, `sha256:<64 hex>`. */
  rootHash: string;
  /** When it was signed, RFC 3339 UTC. */
  signedAt: string;
  /** The checkpoint key that signed. */
  kid: string;
  /** The signed tree head: a compact JWS (`handoff-checkpoint+jws`). */
  jws: string;
}

/** What `health` says of the witness file (never a key, a token or file contents). */
export interface WitnessHealth {
  /** `ok` until a write fails; `failing` from then until a write succeeds again. */
  status: 'ok' | 'failing';
  /** The configured path. */
  file: string;
  /** The tree size of the last head written, 0 before the first. */
  lastTreeSize: number;
  /** Writes that failed since the gateway started. */
  failedWrites: number;
  /** The error code (e.g. `ENOSPC`) of the last failed write, while `failing`. */
  lastError?: string;
}

/**
 * Appends tree heads to a witness file. Each {@link WitnessFile.append} opens the file with `O_APPEND` (created with
 * mode 0644 when missing), writes one line, `fsync`s and closes it, synchronously: when it returns, the line is on
 * disk. A failure is counted for {@link WitnessFile.health} and thrown; the sequencer appends the head again later.
 */
export class WitnessFile {
  readonly #path: string;
  #health: WitnessHealth;
  /** The tree size of the file's last head, read from the file on first use. */
  #last: number | undefined;

  constructor(path: string) {
    this.#path = path;
    this.#health = { status: 'ok', file: path, lastTreeSize: 0, failedWrites: 0 };
  }

  /**
   * Appends one line and fsyncs it.
   *
   * @throws GatewayError `INTERNAL` when the file cannot be opened, written or synced (the message names the path
   *   and the system error code, nothing else); the health then says `failing`.
   */
  append(line: WitnessLine): void {
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`, 'utf8');
    let fd: number | undefined;
    try {
      fd = openSync(this.#path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written);
      fsyncSync(fd);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
      this.#health = {
        ...this.#health,
        status: 'failing',
        failedWrites: this.#health.failedWrites + 1,
        lastError: code,
      };
      throw new GatewayError(
        'INTERNAL',
        `Cannot append to the witness file ${this.#path} (${code})`,
        {
          cause: error,
        },
      );
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    const { lastError: _, ...rest } = this.#health;
    this.#health = { ...rest, status: 'ok', lastTreeSize: line.treeSize };
    this.#last = line.treeSize;
  }

  /**
   * The tree size of the last head in the file (0 for a missing or empty file): read from the end of the file
   * once (the last line that parses with a `treeSize`), then kept as heads are appended. The sequencer appends
   * what the database holds beyond it, and refuses to sign when the file is ahead of the database.
   *
   * @throws GatewayError `INTERNAL` when the file exists but cannot be read (the message names the path and the
   *   system error code).
   */
  lastTreeSize(): number {
    this.#last ??= readLastTreeSize(this.#path);
    return this.#last;
  }

  /** The state `health` reports. */
  health(): WitnessHealth {
    return { ...this.#health };
  }
}

/** Bytes read from the end of the file to find its last line: a head's line is well under 2 KB. */
const TAIL_BYTES = 16_384;

/** The `treeSize` of the last parseable line of the file, or 0 (see {@link WitnessFile.lastTreeSize}). */
function readLastTreeSize(path: string): number {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY);
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const tail = Buffer.alloc(length);
    readSync(fd, tail, 0, length, size - length);
    const lines = tail.toString('utf8').split('\n').reverse();
    for (const text of lines) {
      const treeSize = treeSizeOf(text);
      if (treeSize !== undefined) return treeSize;
    }
    return 0;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
    if (code === 'ENOENT') return 0;
    throw new GatewayError('INTERNAL', `Cannot read the witness file ${path} (${code})`, {
      cause: error,
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function treeSizeOf(text: string): number | undefined {
  try {
    const size = (JSON.parse(text) as { treeSize?: unknown }).treeSize;
    return typeof size === 'number' && Number.isSafeInteger(size) ? size : undefined;
  } catch {
    return undefined;
  }
}
