import type { CopilotIdentity, Digest, HandoffPlan } from '@handoff/protocol';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose';
import { type Clock, systemClock } from '../build/time.js';
import type { PlanIssue } from '../validate/hints.js';
import { planDigest, validatePlan } from '../validate/validate-plan.js';

/**
 * The JWS `typ` of a plan provenance signature (RFC 8725 section 3.11 explicit typing), distinct from approvals'
 * `handoff-approval+jwt` so neither token can stand in for the other. The gateway pins the same value.
 */
export const PLAN_SIGNATURE_TYPE = 'handoff-plan+jwt';

/** The JWS algorithms a provenance signature may use: EdDSA (Ed25519, RFC 8037) and ES256 (ECDSA P-256). */
export const PLAN_SIGNATURE_ALGORITHMS = ['EdDSA', 'ES256'] as const;

/** One of {@link PLAN_SIGNATURE_ALGORITHMS}. */
export type PlanSignatureAlgorithm = (typeof PLAN_SIGNATURE_ALGORITHMS)[number];

/**
 * The signed payload: which plan (`planId`, `planDigest`: `sha256:<hex>` of its RFC 8785 canonical JSON), which
 * copilot produced it (the plan's own `copilot` identity, repeated so the signature vouches for it), and when
 * (`iat`, NumericDate: whole seconds since the epoch, RFC 7519 section 2).
 */
export interface PlanProvenanceClaims {
  planId: string;
  planDigest: Digest;
  copilot: CopilotIdentity;
  iat: number;
}

/** Why signing refused: `INVALID_PLAN` (with `issues`, each with a hint) or `INVALID_KEY`. */
export class PlanSigningError extends Error {
  readonly code: 'INVALID_PLAN' | 'INVALID_KEY';
  readonly issues: readonly PlanIssue[];

  constructor(code: 'INVALID_PLAN' | 'INVALID_KEY', message: string, issues: PlanIssue[] = []) {
    super(message);
    this.name = 'PlanSigningError';
    this.code = code;
    this.issues = issues;
  }
}

/** The algorithm a private JWK implies: OKP Ed25519 -> EdDSA, EC P-256 -> ES256, else `undefined`. */
function algorithmOf(jwk: JWK): PlanSignatureAlgorithm | undefined {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  return undefined;
}

/** Options of {@link signPlan}. */
export interface SignPlanOptions {
  /** Source of `iat`. Default: the system clock. */
  clock?: Clock;
  /** The `kid` header. Default: the JWK's `kid`, else its RFC 7638 SHA-256 thumbprint (base64url). */
  kid?: string;
}

/**
 * Signs a plan's provenance: a JWT (RFC 7519) in JWS compact serialization (RFC 7515) with the protected header
 * `{ alg, kid, typ: "handoff-plan+jwt" }` and the payload {@link PlanProvenanceClaims}. `alg` follows the key: an
 * Ed25519 OKP JWK signs `EdDSA`, a P-256 EC JWK signs `ES256`. The plan is validated first and the digest is taken
 * of the validated plan, exactly as the gateway computes it; any later change to the plan breaks the signature.
 *
 * The gateway verifies it with `verifyPlanSignature` against the copilot's public key (a JWKS keyed by `kid`).
 *
 * @param privateJwk - the copilot's private key (RFC 7517, with `d`); keep it out of prompts and logs.
 * @returns the compact JWS, `header.payload.signature`.
 * @throws PlanSigningError `INVALID_PLAN` (with issues and hints) when the plan does not validate; `INVALID_KEY`
 *   when the JWK is not a private Ed25519 or P-256 key, its `alg` disagrees with its type, or it cannot be imported.
 */
export async function signPlan(
  plan: HandoffPlan,
  privateJwk: JWK,
  options: SignPlanOptions = {},
): Promise<string> {
  const validation = validatePlan(plan);
  if (!validation.ok) {
    throw new PlanSigningError('INVALID_PLAN', 'The plan does not validate', validation.issues);
  }
  const alg = algorithmOf(privateJwk);
  if (alg === undefined || typeof privateJwk.d !== 'string') {
    throw new PlanSigningError(
      'INVALID_KEY',
      'Plans are signed with a private Ed25519 or P-256 JWK',
    );
  }
  if (privateJwk.alg !== undefined && privateJwk.alg !== alg) {
    throw new PlanSigningError(
      'INVALID_KEY',
      `The key's alg ${privateJwk.alg} does not match its type`,
    );
  }
  let key: Awaited<ReturnType<typeof importJWK>>;
  try {
    key = await importJWK({ ...privateJwk, alg }, alg);
  } catch {
    throw new PlanSigningError('INVALID_KEY', 'The private key could not be imported');
  }
  const kid = options.kid ?? privateJwk.kid ?? (await calculateJwkThumbprint(privateJwk, 'sha256'));
  const signed = validation.plan;
  const claims: PlanProvenanceClaims = {
    planId: signed.planId,
    planDigest: planDigest(signed),
    copilot: signed.copilot,
    iat: Math.floor((options.clock ?? systemClock).now() / 1000),
  };
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg, kid, typ: PLAN_SIGNATURE_TYPE })
    .sign(key);
}

/** A copilot's provenance key pair, both halves as JWKs with `kid`, `alg` and `use: "sig"`. */
export interface ProvenanceKeyPair {
  alg: PlanSignatureAlgorithm;
  kid: string;
  /** Secret: stays with the copilot. */
  privateJwk: JWK;
  /** Goes into the JWKS the gateway reads copilot keys from. */
  publicJwk: JWK;
}

/**
 * Generates a provenance key pair (WebCrypto via jose). `kid` defaults to the RFC 7638 thumbprint of the public key.
 *
 * @throws RangeError for an `alg` outside {@link PLAN_SIGNATURE_ALGORITHMS} or an empty `kid`.
 */
export async function generateProvenanceKeyPair(
  options: { alg?: PlanSignatureAlgorithm; kid?: string } = {},
): Promise<ProvenanceKeyPair> {
  const alg = options.alg ?? 'EdDSA';
  if (!PLAN_SIGNATURE_ALGORITHMS.includes(alg)) throw new RangeError(`Unsupported alg ${alg}`);
  if (options.kid === '') throw new RangeError('A kid is a non-empty string');
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicMaterial = await exportJWK(publicKey);
  const kid = options.kid ?? (await calculateJwkThumbprint(publicMaterial, 'sha256'));
  const meta = { kid, alg, use: 'sig' };
  return {
    alg,
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), ...meta },
    publicJwk: { ...publicMaterial, ...meta },
  };
}
