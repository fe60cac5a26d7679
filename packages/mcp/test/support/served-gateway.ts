import { startHttpServer } from '../../../gateway/src/api/http-server.js';
import {
  createHarness,
  fixturePlan,
  type Harness,
  TENANT,
} from '../../../gateway/test/support/harness.js';

/**
 * The gateway package's test harness (frozen clock 2026-11-21T09:30:00Z, tenant `acme-bank`, caps EUR 1,000.00 a
 * month for the tenant and EUR 700.00 for hubspot) served over HTTP on 127.0.0.1: its `/mcp` endpoint and tRPC API.
 * Relative imports: `@handoff/mcp` never depends on the gateway, its tests use the gateway's own harness.
 */
export async function serveGateway(): Promise<{
  harness: Harness;
  url: string;
  close(): Promise<void>;
}> {
  const harness = await createHarness();
  const server = await startHttpServer({
    gateway: harness.gateway,
    authenticator: harness.runtime.authenticator,
  });
  return {
    harness,
    url: server.url,
    close: async () => {
      await server.close();
      await harness.close();
    },
  };
}

export { fixturePlan, TENANT };
