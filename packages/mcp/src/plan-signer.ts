import { readFile } from 'node:fs/promises';
import { PlanSigningError, signPlan } from '@handoff/copilot-adapter';
import type { HandoffPlan } from '@handoff/protocol';
import type { JWK } from 'jose';

/** Signs a plan's provenance (`signPlan` of `@handoff/copilot-adapter`): the compact JWS the gateway verifies. */
export type PlanSigner = (plan: HandoffPlan) => Promise<string>;

/** The environment variable holding the path of the copilot's private JWK file (JSON, with `d`). */
export const COPILOT_KEY_FILE_ENV = 'HANDOFF_COPILOT_KEY_FILE';
/** The environment variable holding the copilot's private JWK itself (JSON text), where a file is not practical. */
export const COPILOT_KEY_ENV = 'HANDOFF_COPILOT_PRIVATE_JWK';

/** A signer from a private JWK (Ed25519 or P-256, RFC 7517). The key stays in this process. */
export function jwkSigner(privateJwk: JWK): PlanSigner {
  return (plan) => signPlan(plan, privateJwk);
}

/**
 * The signer of an MCP server started with `env`: the private JWK in the file named by
 * {@link COPILOT_KEY_FILE_ENV}, or the JWK text of {@link COPILOT_KEY_ENV}; `undefined` when neither is set (the
 * server then submits unsigned plans, or the model passes its own `signature`).
 *
 * @throws PlanSigningError `INVALID_KEY` when both are set, the file cannot be read, the text is not JSON, or it is
 *   not a private key (`d` missing). The message never holds key material.
 */
export async function signerFromEnv(
  env: NodeJS.ProcessEnv,
  read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<PlanSigner | undefined> {
  const file = env[COPILOT_KEY_FILE_ENV];
  const inline = env[COPILOT_KEY_ENV];
  if (file && inline) {
    throw new PlanSigningError(
      'INVALID_KEY',
      `Set ${COPILOT_KEY_FILE_ENV} or ${COPILOT_KEY_ENV}, not both`,
    );
  }
  if (!file && !inline) return undefined;
  let text: string;
  try {
    text = file ? await read(file) : (inline as string);
  } catch {
    throw new PlanSigningError('INVALID_KEY', `The key file ${file} could not be read`);
  }
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw new PlanSigningError('INVALID_KEY', 'The copilot key is not JSON (a private JWK)');
  }
  if (typeof jwk !== 'object' || jwk === null || typeof (jwk as JWK).d !== 'string') {
    throw new PlanSigningError('INVALID_KEY', 'The copilot key is not a private JWK (no "d")');
  }
  return jwkSigner(jwk as JWK);
}
