import { type CheckpointKey, importCheckpointKey as importLineageKey } from '@handoff/lineage';
import type { JWK } from 'jose';
import { GatewayError } from '../errors.js';

/**
 * Imports the gateway's checkpoint key from a private JWK (RFC 7517) holding an Ed25519 key and a `kid` (e.g.
 * written by `handoff keys generate --alg EdDSA`), with `@handoff/lineage`'s `importCheckpointKey`, its refusal
 * told as the gateway's configuration error.
 *
 * @throws GatewayError `CONFIG_INVALID` when it is not a private Ed25519 JWK with a non-empty `kid`, or `d` and
 *   `x` are not one key pair; the message never quotes key material.
 */
export async function importCheckpointKey(privateJwk: JWK): Promise<CheckpointKey> {
  try {
    return await importLineageKey(privateJwk);
  } catch (error) {
    if (error instanceof TypeError) throw new GatewayError('CONFIG_INVALID', error.message);
    throw error;
  }
}
