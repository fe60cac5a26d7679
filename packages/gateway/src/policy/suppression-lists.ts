import { readFileSync, statSync } from 'node:fs';
import { IdentifierSchema } from '@handoff/protocol';
import { z } from 'zod';
import { GatewayError } from '../errors.js';
import type { SuppressionLookup } from './policy-facts.js';

/**
 * One configured suppression list (`suppressionLists` in the gateway config): its id, as `suppression` rules
 * name it, and a text file (relative to the config file) of lowercase hex SHA-256 digests of normalised emails or
 * ids, one per line (blank lines and `#` comments ignored). The file is read at start and again whenever its
 * size or modification time changes, so a contact added after a plan was approved is caught at dispatch.
 */
export const SuppressionListConfigSchema = z.strictObject({
  id: IdentifierSchema,
  file: z.string().min(1).meta({ description: 'Hashes file, relative to the config file.' }),
});

const HEX_DIGEST = /^[0-9a-f]{64}$/;

/**
 * Parses a suppression list file's text into its digests.
 *
 * @throws GatewayError `CONFIG_INVALID` naming the first line that is not a hex SHA-256 (never its content).
 */
export function parseSuppressionList(text: string, listId: string): Set<string> {
  const hashes = new Set<string>();
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim().toLowerCase();
    if (line === '' || line.startsWith('#')) continue;
    if (!HEX_DIGEST.test(line)) {
      throw new GatewayError('CONFIG_INVALID', `Suppression list ${listId} has a bad line`, {
        issues: [
          {
            path: '',
            code: 'INVALID_FORMAT',
            message: `Line ${index + 1} of list ${listId} is not a hex SHA-256 digest (64 hex digits)`,
          },
        ],
      });
    }
    hashes.add(line);
  }
  return hashes;
}

interface FileList {
  path: string;
  stamp: string;
  hashes: Set<string>;
}

/**
 * The gateway's suppression lists: in memory (`replace`) or read from files (`addFile`), re-read when a file
 * changes. Reading a file that has become unreadable or malformed throws, so a rule or the dispatch check that
 * needs it fails closed.
 */
export class SuppressionLists implements SuppressionLookup {
  readonly #memory = new Map<string, Set<string>>();
  readonly #files = new Map<string, FileList>();

  /** Sets list `listId` to exactly `hashes` (lowercase hex SHA-256). */
  replace(listId: string, hashes: Iterable<string>): void {
    this.#memory.set(listId, new Set([...hashes].map((h) => h.toLowerCase())));
  }

  /** Adds a list read from `path` now and whenever the file changes. @throws GatewayError `CONFIG_INVALID`. */
  addFile(listId: string, path: string): void {
    this.#files.set(listId, this.#read(listId, path, undefined));
  }

  knows(listId: string): boolean {
    return this.#memory.has(listId) || this.#files.has(listId);
  }

  has(listId: string, hash: string): boolean {
    const memory = this.#memory.get(listId);
    if (memory !== undefined) return memory.has(hash);
    const file = this.#files.get(listId);
    if (file === undefined) return false;
    const fresh = this.#read(listId, file.path, file);
    this.#files.set(listId, fresh);
    return fresh.hashes.has(hash);
  }

  #read(listId: string, path: string, previous: FileList | undefined): FileList {
    const stat = statSync(path);
    const stamp = `${stat.size}:${stat.mtimeMs}`;
    if (previous !== undefined && previous.stamp === stamp) return previous;
    return { path, stamp, hashes: parseSuppressionList(readFileSync(path, 'utf8'), listId) };
  }
}
