/**
 * The console's open WebAuthn challenges (issue 15: no in-memory cache of anything another replica can change), in
 * `webauthn_challenges`, so a ceremony begun on one replica completes on any other behind a load balancer without
 * affinity. Only the challenge's SHA-256 is stored, with what it is for, whose it is and when it expires; a
 * challenge is taken at most once (a conditional delete returning the row), and an expired one is refused.
 *
 * Only sign-in challenges need a row: a registration challenge is kept with its invitation
 * (`PasskeysTx.setInvitationChallenge`), and an approval challenge is the SHA-256 of the decision's statement
 * (derived, not issued), replay-guarded by its token id.
 */
export interface WebauthnChallengeRecord {
  /** SHA-256 of the challenge's base64url text, lowercase hex (64 characters): the key. */
  challengeHash: string;
  /** What the challenge may answer: `sign-in` (the only ceremony with a server-issued, stored challenge). */
  purpose: WebauthnChallengePurpose;
  /** The tenant it was issued for; null when not yet known (sign-in with a discoverable passkey). */
  tenantId: string | null;
  /** Epoch ms from which it is no longer accepted. */
  expiresAt: number;
}

/** The ceremonies whose challenge is issued by the server and kept until answered. */
export type WebauthnChallengePurpose = 'sign-in';

/** The WebAuthn challenge methods of a transaction (see {@link WebauthnChallengeRecord}). */
export interface WebauthnChallengesTx {
  /**
   * Issues a challenge within a bound (a public procedure issues them, so anyone can ask): deletes every challenge
   * expired at `atMs` (epoch ms: `expiresAt <= atMs`), then stores `record` only when fewer than `maxOpen`
   * challenges remain, over all tenants and purposes; false, with nothing stored, when `maxOpen` are open
   * already. The count and the insert are serialised across replicas (SQLite: its single writer; PostgreSQL: a
   * transaction-level advisory lock), so challenges issued this way never number more than `maxOpen` at once.
   * @throws the store's unique-key error when the hash exists (never in practice).
   */
  issueWebauthnChallenge(
    record: WebauthnChallengeRecord,
    atMs: number,
    maxOpen: number,
  ): Promise<boolean>;
  /**
   * Takes the challenge of `challengeHash` for `purpose`: deletes its row and returns it when it was live at `atMs`
   * (epoch ms: `atMs < expiresAt`). Undefined when unknown, already taken (by any replica), issued for another
   * purpose, or expired (an expired row is deleted all the same). One conditional `DELETE ... RETURNING`, so of two
   * racing takes at most one gets the row.
   */
  takeWebauthnChallenge(
    challengeHash: string,
    purpose: WebauthnChallengePurpose,
    atMs: number,
  ): Promise<WebauthnChallengeRecord | undefined>;
  /** Deletes every challenge expired at `atMs` (epoch ms: `expiresAt <= atMs`); returns how many. */
  deleteExpiredWebauthnChallenges(atMs: number): Promise<number>;
}

/**
 * What a take answers for the row its conditional delete returned (both dialects): the record when the row was
 * live at `atMs` (epoch ms: `atMs < expiresAt`), else undefined (an expired row is gone all the same). `purpose`
 * is the one the delete matched on.
 */
export function takenChallenge(
  row: Omit<WebauthnChallengeRecord, 'purpose'> | undefined,
  purpose: WebauthnChallengePurpose,
  atMs: number,
): WebauthnChallengeRecord | undefined {
  return row && atMs < row.expiresAt ? { ...row, purpose } : undefined;
}
