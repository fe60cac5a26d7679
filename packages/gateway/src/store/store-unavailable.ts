/**
 * Whether an error means the store's database could not be reached (as opposed to a bug or a refused write): the
 * request changed nothing and may be retried later or on another replica. The API answers it 503
 * `DATABASE_UNAVAILABLE` instead of 500 `INTERNAL` (`api/trpc.ts`), so clients retry and load balancers move on.
 * Dialect-neutral: it reads the error's `code` (and its causes' codes), never its message.
 *
 * What counts as unreachable:
 * - a Node.js socket error code: `ECONNREFUSED`, `ECONNRESET`, `ETIMEDOUT`, `EPIPE`, `EHOSTUNREACH`, `ENETUNREACH`,
 *   `ENOTFOUND`, `EAI_AGAIN` (https://nodejs.org/api/errors.html#common-system-errors);
 * - a PostgreSQL SQLSTATE of class 08 (connection exception), `57P01` admin_shutdown, `57P02` crash_shutdown,
 *   `57P03` cannot_connect_now, `53300` too_many_connections
 *   (https://www.postgresql.org/docs/15/errcodes-appendix.html);
 * - a {@link StoreUnavailableError}, which a store throws when its driver reports a lost connection without a code
 *   (e.g. `pg`'s "Connection terminated unexpectedly").
 */
export function isStoreUnavailable(error: unknown): boolean {
  for (let at = error, depth = 0; at instanceof Error && depth < 5; depth += 1) {
    if (at instanceof StoreUnavailableError) return true;
    const code = (at as { code?: unknown }).code;
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || isConnectionSqlState(code))) {
      return true;
    }
    at = at.cause;
  }
  return false;
}

/** Thrown by a store when its database cannot be reached and the driver gave no code to tell (see above). */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

const SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const isConnectionSqlState = (code: string): boolean =>
  /^08[0-9A-Z]{3}$/.test(code) || ['57P01', '57P02', '57P03', '53300'].includes(code);
