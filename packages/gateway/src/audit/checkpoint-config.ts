import { readFileSync } from 'node:fs';
import type { CheckpointKey } from '@handoff/lineage';
import type { JWK } from 'jose';
import type { Clock } from '../clock.js';
import { type LoadedConfig, resolveConfigPath } from '../config/load-config.js';
import { GatewayError } from '../errors.js';
import type { GatewayStore } from '../store/store.js';
import { importCheckpointKey } from './checkpoint-key.js';
import { Sequencer } from './sequencer.js';
import { WitnessFile } from './witness-file.js';

/**
 * How often a running gateway sequences a batch when `checkpoints.intervalMs` is not set: every 250 ms (issue
 * 14). With `maxBatch` (default 1,000 events) this bounds the maximum merge delay, see {@link maxMergeDelayMs}.
 */
export const DEFAULT_SEQUENCE_INTERVAL_MS = 250;

/**
 * The gateway's stated maximum merge delay (RFC 9162 section 4.1's MMD, here for the lineage log), in ms: an
 * event committed at time t has a log index and a signed tree head covering it, stored and in the witness file,
 * by t + 4 x `intervalMs` (1 s at the default 250 ms). A batch starts at most `intervalMs` after the event's
 * commit (sooner once `maxBatch` events wait), and a batch of at most `maxBatch` events takes well under one
 * interval (one SQLite transaction and one Ed25519 signature); the bound leaves the rest as margin for a batch
 * queued behind a group commit or a backlog drained at `maxBatch` per batch, back to back. It holds while events
 * arrive slower than `maxBatch` per batch time; `health` and the log show when it does not (see the README).
 */
export function maxMergeDelayMs(intervalMs = DEFAULT_SEQUENCE_INTERVAL_MS): number {
  return 4 * intervalMs;
}

/**
 * The {@link Sequencer} the config's `checkpoints` section asks for (its `keyFile` is read relative to the config
 * file; `maxBatch` as configured), or `undefined` when the section is absent.
 *
 * @throws GatewayError `CONFIG_INVALID` as {@link checkpointKeyFromConfig}.
 */
export async function sequencerFromConfig(
  loaded: LoadedConfig,
  store: GatewayStore,
  clock: Clock,
  witness = witnessFromConfig(loaded),
): Promise<Sequencer | undefined> {
  const key = await checkpointKeyFromConfig(loaded);
  if (key === undefined) return undefined;
  const maxBatch = loaded.config.checkpoints?.maxBatch;
  return new Sequencer(store, {
    key,
    gatewayId: loaded.config.gatewayId,
    clock,
    ...(witness ? { witness } : {}),
    ...(maxBatch === undefined ? {} : { maxBatch }),
  });
}

/**
 * The witness file of the config's `checkpoints.witnessFile` (relative to the config file), or `undefined` when
 * none is configured. Nothing is opened until the sequencer first runs.
 */
export function witnessFromConfig(loaded: LoadedConfig): WitnessFile | undefined {
  const file = loaded.config.checkpoints?.witnessFile;
  return file === undefined ? undefined : new WitnessFile(resolveConfigPath(loaded, file));
}

/**
 * The checkpoint key of the config's `checkpoints.keyFile` (relative to the config file), or `undefined` when
 * the section is absent. The offline verifier trusts its `publicJwk` (`handoff lineage verify --config`).
 *
 * @throws GatewayError `CONFIG_INVALID` when the key file cannot be read, is not JSON, or is not a private Ed25519
 *   JWK with a kid; the message names the file, never the key.
 */
export async function checkpointKeyFromConfig(
  loaded: LoadedConfig,
): Promise<CheckpointKey | undefined> {
  const section = loaded.config.checkpoints;
  if (section === undefined) return undefined;
  const file = resolveConfigPath(loaded, section.keyFile);
  let jwk: JWK;
  try {
    jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch {
    throw new GatewayError('CONFIG_INVALID', `Cannot read the checkpoint key file ${file}`, {
      issues: [
        {
          path: '/checkpoints/keyFile',
          code: 'UNREADABLE',
          message: `Not a readable JWK file: ${file}`,
        },
      ],
    });
  }
  return importCheckpointKey(jwk);
}
