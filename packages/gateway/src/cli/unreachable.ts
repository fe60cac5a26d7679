/**
 * A gateway the CLI could not reach at all (connection refused, unknown host, reset, TLS failure): no answer, so
 * no envelope. Printed as `error GATEWAY_UNREACHABLE: Cannot reach the gateway at <url> (<reason>)`, exit 4. The
 * URL is the one the user gave (`--url`, `--submit`); credentials never appear in it.
 */
export class GatewayUnreachableError extends Error {
  override readonly name = 'GatewayUnreachableError';
  readonly url: string;

  constructor(url: string, reason: string) {
    super(`Cannot reach the gateway at ${url} (${reason}): is it running, and is the URL right?`);
    this.url = url;
  }
}

/** The system error code of a failed `fetch` (`ECONNREFUSED`, `ENOTFOUND`, ...), else its message. */
function reasonOf(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * `fetch` for the gateway at `url`: a request that gets no response at all fails with
 * {@link GatewayUnreachableError} naming `url`, instead of undici's bare `fetch failed`. Any HTTP answer (error
 * statuses included) passes through unchanged.
 */
export function reachingFetch(url: string, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    try {
      return await base(input, init);
    } catch (error) {
      if (init?.signal?.aborted) throw error;
      throw new GatewayUnreachableError(url, reasonOf(error));
    }
  };
}

/** The {@link GatewayUnreachableError} `error` is or wraps (tRPC wraps it as its `cause`), if any. */
export function unreachableIn(error: unknown): GatewayUnreachableError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof GatewayUnreachableError) return current;
    current = current.cause;
  }
  return undefined;
}
