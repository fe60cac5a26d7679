import { randomBytes } from 'node:crypto';
import { SessionStore } from '../auth/sessions.js';
import type { Clock } from '../clock.js';
import type { PipelineDeps } from '../pipeline/deps.js';

/** The console's relying party (config `console`): its id (a domain; default `localhost`) and origin. */
export interface ConsoleOptions {
  /** The WebAuthn relying party id (W3C WebAuthn L3 section 5.1.2: a registrable domain; an IP address is not). */
  rpId: string;
  /** The console's origin (scheme, host, port), e.g. `https://handoff.example.com`; enrolment links start with it. */
  origin: string;
  /** How long an enrolment link stays valid, in milliseconds (default 72 hours). */
  invitationTtlMs?: number;
}

/** The default relying party: `localhost`, served over plain HTTP (a secure context in browsers). */
export const DEFAULT_CONSOLE: ConsoleOptions = { rpId: 'localhost', origin: 'http://localhost' };
/** How long a WebAuthn challenge (sign-in or approval) stays valid: 5 minutes, in milliseconds. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** How long an enrolment link stays valid by default: 72 hours, in milliseconds. */
export const INVITATION_TTL_MS = 72 * 60 * 60 * 1000;

/**
 * Single-use sign-in challenges, in memory: 32 random bytes each (W3C WebAuthn L3 section 13.4.3), valid for
 * {@link CHALLENGE_TTL_MS}; taking one removes it, so an assertion over it is accepted at most once.
 */
export class ChallengeStore {
  readonly #clock: Clock;
  readonly #open = new Map<string, number>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** A new challenge (base64url) and when it expires (epoch milliseconds). */
  issue(): { challenge: string; expiresAt: number } {
    const now = this.#clock.now();
    for (const [challenge, expiresAt] of this.#open) {
      if (expiresAt <= now) this.#open.delete(challenge);
    }
    const challenge = randomBytes(32).toString('base64url');
    const expiresAt = now + CHALLENGE_TTL_MS;
    this.#open.set(challenge, expiresAt);
    return { challenge, expiresAt };
  }

  /** True (and the challenge is used up) when `challenge` was issued and has not expired or been taken. */
  take(challenge: string): boolean {
    const expiresAt = this.#open.get(challenge);
    this.#open.delete(challenge);
    return expiresAt !== undefined && this.#clock.now() < expiresAt;
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
    challenges: new ChallengeStore(deps.clock),
  };
}
