import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { JWK } from 'jose';
import {
  combineKeySources,
  createKeySource,
  type KeySource,
  type KeySourceConfig,
} from '../../approvals/key-source.js';
import { checkpointKeyFromConfig } from '../../audit/checkpoint-config.js';
import type { ApproverIdentity, VerifierTrust } from '../../audit/trust-anchors.js';
import { loadConfigFile } from '../../config/load-config.js';
import { GatewayError } from '../../errors.js';
import { keySourceConfig } from '../../runtime-auth.js';

/** The trust options of `handoff lineage verify`. */
export interface TrustOptions {
  checkpointKeys?: string[];
  approverKeys?: string[];
  config?: string;
  unanchored?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds `--checkpoint-keys`, `--approver-keys` (repeatable), `--config` and `--unanchored` to `command`. */
export function trustOptions(command: Command): Command {
  return command
    .option(
      '--checkpoint-keys <jwks>',
      'trust checkpoints signed by these keys: a JWKS file or https URL, kept OUTSIDE the database (repeatable)',
      collect,
    )
    .option(
      '--approver-keys <jwks>',
      'trust approvals signed by these keys: a JWKS file or https URL (repeatable)',
      collect,
    )
    .option(
      '--config <file>',
      "trust the gateway config's keys: the public half of checkpoints.keyFile, approvals.keys and approvals.approvers (bound to their registration)",
    )
    .option(
      '--unanchored',
      'no trust anchors: check against the keys the file records ITSELF (proves nothing against its writer)',
    );
}

/**
 * A `--checkpoint-keys` / `--approver-keys` value as a key source: an http(s) URL, else a file, which must be
 * readable now (a key source reads it lazily, and would name it an approver key file).
 *
 * @throws GatewayError `CONFIG_INVALID` when the file cannot be read.
 */
function sourceOf(value: string, option: string): KeySourceConfig {
  if (/^https?:\/\//i.test(value)) return { type: 'url', url: value };
  const path = resolve(value);
  try {
    readFileSync(path);
  } catch (error) {
    throw new GatewayError('CONFIG_INVALID', `Cannot read the ${option} file ${path}`, {
      cause: error,
      issues: [{ path: '', code: 'UNREADABLE', message: `${option}: not a readable JWKS file` }],
    });
  }
  return { type: 'file', path };
}

/**
 * The trust `verifyLineage` is given: the keys named by the options, combined per purpose (a config's
 * checkpoint key and its approver sources, then each `--checkpoint-keys` / `--approver-keys`), or `'unanchored'`
 * with `--unanchored`. The config's `approvals.approvers` also give each kid's registrations, per tenant (subject,
 * roles and, when inline, the pinned `jwk`): an approval by a listed kid must be one of its event's tenant's
 * registration, verify with its key and name its subject and a role. A purpose with no key trusts none: a lineage
 * with checkpoints (or approvals) then fails `CHECKPOINT_KEY_UNTRUSTED` (`APPROVAL_KEY_UNTRUSTED`).
 *
 * @returns `undefined` when no anchor and no `--unanchored` was given: the caller refuses to verify.
 * @throws GatewayError `VALIDATION_FAILED` for `--unanchored` together with anchors; `CONFIG_INVALID` when the
 *   config, its checkpoint key file or a JWKS file cannot be read or is invalid, or a key source is malformed.
 */
export async function trustFromOptions(opts: TrustOptions): Promise<VerifierTrust | undefined> {
  const checkpoint: KeySource[] = [];
  const approver: KeySource[] = [];
  const identities = new Map<string, ApproverIdentity[]>();
  if (opts.config !== undefined) {
    const loaded = loadConfigFile(opts.config);
    // Who each configured approver key is registered to, per tenant (kids are per tenant): an approval recorded in
    // that tenant must verify with that registration's key and name that person and one of its roles.
    for (const a of loaded.config.approvals.approvers ?? []) {
      const identity: ApproverIdentity = {
        subject: a.subject,
        tenantId: a.tenantId,
        roles: a.roles,
        ...(a.jwk ? { jwk: a.jwk as JWK } : {}),
      };
      identities.set(a.kid, [...(identities.get(a.kid) ?? []), identity]);
    }
    const key = await checkpointKeyFromConfig(loaded);
    if (key) checkpoint.push(createKeySource({ type: 'inline', jwks: { keys: [key.publicJwk] } }));
    for (const k of loaded.config.approvals.keys ?? []) {
      approver.push(createKeySource(keySourceConfig(loaded, k)));
    }
  }
  for (const value of opts.checkpointKeys ?? []) {
    checkpoint.push(createKeySource(sourceOf(value, '--checkpoint-keys')));
  }
  for (const value of opts.approverKeys ?? []) {
    approver.push(createKeySource(sourceOf(value, '--approver-keys')));
  }
  // A configured registration with an inline `jwk` is an approver key anchor too.
  const pinned = [...identities.values()].some((list) => list.some((i) => i.jwk !== undefined));
  const anchored = checkpoint.length + approver.length > 0 || pinned;
  if (opts.unanchored) {
    if (anchored) {
      throw new GatewayError('VALIDATION_FAILED', 'Give trust anchors or --unanchored, not both', {
        issues: [{ path: '', code: 'ANCHORS_AND_UNANCHORED', message: 'Drop --unanchored' }],
      });
    }
    return 'unanchored';
  }
  if (!anchored) return undefined;
  return {
    checkpointKeys: combineKeySources(checkpoint),
    approverKeys: combineKeySources(approver),
    ...(identities.size > 0 ? { approverIdentities: identities } : {}),
  };
}

/** The text of a `--against` witness file. @throws GatewayError `NOT_FOUND` when it cannot be read. */
export function readWitness(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new GatewayError('NOT_FOUND', `Cannot read the witness file ${path}`, { cause: error });
  }
}

/** The refusal when `lineage verify` is given no trust anchor. */
export function noAnchorError(): GatewayError {
  return new GatewayError(
    'VALIDATION_FAILED',
    'NOT VERIFIED: no trust anchors. A lineage cannot vouch for itself (its own keys table can be rewritten with ' +
      'it): give the keys to trust from outside the database with --checkpoint-keys and --approver-keys ' +
      '(JWKS files or URLs) or --config handoff.config.json; --unanchored checks it against its own keys only',
    {
      issues: [
        {
          path: '',
          code: 'NO_TRUST_ANCHOR',
          message: 'Use --checkpoint-keys/--approver-keys, --config, or --unanchored',
        },
      ],
    },
  );
}
