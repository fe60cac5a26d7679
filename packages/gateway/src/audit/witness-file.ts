import { closeSync, constants, fsyncSync, openSync, writeSync } from 'node:fs';
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
  /** Events covered: seq 1..treeSize. */
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
 * disk. A failure is counted for {@link WitnessFile.health} and thrown, so the checkpointer can refuse to publish.
 */
export class WitnessFile {
  readonly #path: string;
  #health: WitnessHealth;

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
  }

  /** The state `health` reports. */
  health(): WitnessHealth {
    return { ...this.#health };
  }
}
