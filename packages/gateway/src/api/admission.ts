import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * How many requests the HTTP server works on at once by default. Each admitted request may hold a parsed body of
 * up to `maxBodyBytes` (a batch of up to `MAX_BATCH_PLANS` plans) and the pipeline's work on it; with a bound, a
 * burst from many connections waits in the kernel's socket buffers instead of in the gateway's heap. 16 keeps a
 * 2-core machine busy (the pipeline's transactions are serialised anyway; concurrent ones share commits) and the
 * gateway's memory flat under 50 connections of 50-plan batches.
 */
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 16;

/**
 * Admission control of an HTTP server: at most `limit` requests are admitted at once; the others wait, first in
 * first out, with their bodies unread (a request's body is read only once it is admitted, so a waiting request
 * costs its socket and headers, nothing more). A request leaves when its response is finished or its
 * connection closes.
 */
export class Admission {
  readonly #limit: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  /** @throws RangeError unless `limit` is a positive integer. */
  constructor(limit: number) {
    if (!(Number.isSafeInteger(limit) && limit >= 1)) {
      throw new RangeError('The concurrent request limit must be a positive integer');
    }
    this.#limit = limit;
  }

  /** Requests being worked on now. */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Calls `start` once the request may proceed (at once when a slot is free), and frees the slot when `res`
   * closes. A request whose connection closes while it waits is dropped without starting.
   */
  admit(req: IncomingMessage, res: ServerResponse, start: () => void): void {
    const run = () => {
      this.#active += 1;
      res.once('close', () => this.#release());
      start();
    };
    if (this.#active < this.#limit) {
      run();
      return;
    }
    const turn = () => {
      if (req.destroyed || res.destroyed) this.#next();
      else run();
    };
    this.#waiting.push(turn);
  }

  #release(): void {
    this.#active -= 1;
    this.#next();
  }

  #next(): void {
    if (this.#active < this.#limit) this.#waiting.shift()?.();
  }
}
