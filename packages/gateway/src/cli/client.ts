import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '../api/router.js';
import { reachingFetch } from './unreachable.js';

/**
 * A typed tRPC client for a gateway at `url`, authenticating with `Authorization: Bearer <credential>` (an API
 * key or a JWT). The credential is read from the option or the `HANDOFF_API_KEY` environment variable and never
 * printed. A gateway that cannot be reached fails with `GatewayUnreachableError`, naming `url`.
 */
export function gatewayClient(url: string, credential: string | undefined) {
  const token = credential ?? process.env.HANDOFF_API_KEY;
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url,
        fetch: reachingFetch(url),
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
      }),
    ],
  });
}
