import { createHash, randomBytes } from 'node:crypto';
import { SessionStore } from '../auth/sessions.js';
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { PipelineDeps } from '../pipeline/deps.js';
import type { GatewayStore } from '../store/store.js';

const hashOf = (challenge: string): string => createHash('sha256').update(challenge).digest('hex');

/** The console's relying party (config `console`): its id (a domain; default `localhost`) and origin. */
export interface ConsoleOptions {
  /** The WebAuthn relying party id (W3C WebAuthn L3 section 5.1.2: a registrable domain; an IP address is not). */
  rpId: string;
  /** The console's origin (scheme, host, port), e.g. `https://handoff.example.com`; enrolment links start with it. */
  origin: string;
  /** How long an enrolment link stays valid, in milliseconds (default 72 hours). */
  invitationTtlMs?: number;
  /**
   * The most sign-in challenges open at once (issued, neither answered nor expired), over all replicas and tenants;
   * default {@link MAX_OPEN_SIGN_IN_CHALLENGES}.
   */
  maxOpenSignInChallenges?: number;
}

/** The default relying party: `localhost`, served over plain HTTP (a secure context in browsers). */
export const DEFAULT_CONSOLE: ConsoleOptions = { rpId: 'localhost', origin: 'http://localhost' };
/** How long a WebAuthn challenge (sign-in or approval) stays valid: 5 minutes, in milliseconds. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
/**
 * How many sign-in challenges may be open at once by default: 10,000 (about 33 sign-ins a second for the
 * {@link CHALLENGE_TTL_MS}, a few MB of rows at most).
 */
export const MAX_OPEN_SIGN_IN_CHALLENGES = 10_000;
/** How long an enrolment link stays valid by default: 72 hours, in milliseconds. */
export const INVITATION_TTL_MS = 72 * 60 * 60 * 1000;

/**
 * Single-use sign-in challenges, in the store (`webauthn_challenges`), so a sign-in begun on one replica completes
 * on any other: 32 random bytes each (W3C WebAuthn L3 section 13.4.3), valid for {@link CHALLENGE_TTL_MS}, stored
 * only as their SHA-256. Taking one deletes its row, so an assertion over it is accepted at most once, by any
 * replica; issuing one clears the expired ones, and is refused while `maxOpen` are open (the procedure is public:
 * an unauthenticated caller must not grow the table without bound). Expiry is judged by the clock of the replica
 * that takes it (the replicas' clocks must agree to well within {@link CHALLENGE_TTL_MS}).
 */
export class ChallengeStore {
  readonly #store: GatewayStore;
  readonly #clock: Clock;
  readonly #maxOpen: number;

  /** @param maxOpen - how many challenges may be open at once, over all replicas (at least 1). */
  constructor(store: GatewayStore, clock: Clock, maxOpen: number) {
    this.#store = store;
    this.#clock = clock;
    this.#maxOpen = maxOpen;
  }

  /**
   * A new challenge (base64url) and when it expires (epoch milliseconds).
   * @throws GatewayError `RATE_LIMITED` (429) when `maxOpen` challenges are open already: nothing is stored.
   */
  async issue(): Promise<{ challenge: string; expiresAt: number }> {
    const now = this.#clock.now();
    const challenge = randomBytes(32).toString('base64url');
    const expiresAt = now + CHALLENGE_TTL_MS;
    const record = {
      challengeHash: hashOf(challenge),
      purpose: 'sign-in' as const,
      tenantId: null,
      expiresAt,
    };
    const issued = await this.#store.transaction((tx) =>
      tx.issueWebauthnChallenge(record, now, this.#maxOpen),
    );
    if (!issued) {
      throw new GatewayError(
        'RATE_LIMITED',
        `Too many sign-in challenges are open (at most ${this.#maxOpen}, each for ${CHALLENGE_TTL_MS / 60_000} minutes); retry later`,
      );
    }
    return { challenge, expiresAt };
  }

  /**
   * True when `challenge` was issued, has not expired (by this gateway's clock) or been taken, and may be
   * answered by a passkey of `tenantId`: a challenge issued for a tenant is answered only by that tenant's
   * passkeys, one issued for no tenant (sign-in with a discoverable passkey) by any. Whatever the answer, an
   * issued challenge is used up by this call (its row is deleted), on every replica.
   */
  async take(challenge: string, tenantId: string): Promise<boolean> {
    const now = this.#clock.now();
    const taken = await this.#store.transaction((tx) =>
      tx.takeWebauthnChallenge(hashOf(challenge), 'sign-in', now),
    );
    return taken !== undefined && (taken.tenantId === null || taken.tenantId === tenantId);
  }
}

/** What the console's procedures need: the pipeline's deps, the relying party, sessions and challenges. */
export interface ConsoleContext {
  deps: PipelineDeps;
  options: ConsoleOptions;
  sessions: SessionStore;
  challenges: ChallengeStore;
}

/** The console context of a gateway. */
export function consoleContext(deps: PipelineDeps, options?: ConsoleOptions): ConsoleContext {
  return {
    deps,
    options: options ?? DEFAULT_CONSOLE,
    sessions: new SessionStore(deps.store, deps.clock),
    challenges: new ChallengeStore(
      deps.store,
      deps.clock,
      options?.maxOpenSignInChallenges ?? MAX_OPEN_SIGN_IN_CHALLENGES,
    ),
  };
}
