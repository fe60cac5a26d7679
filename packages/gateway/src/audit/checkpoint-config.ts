import { readFileSync } from 'node:fs';
import type { CheckpointKey } from '@handoff/lineage';
import type { JWK } from 'jose';
import type { Clock } from '../clock.js';
import { type LoadedConfig, resolveConfigPath } from '../config/load-config.js';
import { GatewayError } from '../errors.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { importCheckpointKey } from './checkpoint-key.js';
import { Checkpointer } from './checkpointer.js';
import { WitnessFile } from './witness-file.js';

/** How often a running gateway signs a checkpoint when `checkpoints.intervalMs` is not set: hourly. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 3_600_000;

/**
 * The {@link Checkpointer} the config's `checkpoints` section asks for (its `keyFile` is read relative to the
 * config file), or `undefined` when the section is absent.
 *
 * @throws GatewayError `CONFIG_INVALID` as {@link checkpointKeyFromConfig}.
 */
export async function checkpointerFromConfig(
  loaded: LoadedConfig,
  store: SqliteStore,
  clock: Clock,
  witness = witnessFromConfig(loaded),
): Promise<Checkpointer | undefined> {
  const key = await checkpointKeyFromConfig(loaded);
  if (key === undefined) return undefined;
  return new Checkpointer(store, {
    key,
    gatewayId: loaded.config.gatewayId,
    clock,
    ...(witness ? { witness } : {}),
  });
}

/**
 * The witness file of the config's `checkpoints.witnessFile` (relative to the config file), or `undefined` when
 * none is configured. Nothing is opened until the first checkpoint.
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
