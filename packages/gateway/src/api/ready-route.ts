import type { IncomingMessage, ServerResponse } from 'node:http';

/** One readiness check: its name and whether it passed (with why not, never a secret). */
export interface ReadyCheck {
  name: 'database' | 'keySources' | 'shuttingDown';
  ok: boolean;
  message?: string;
}

/** What `GET /ready` answers: ready when every check passed. */
export interface ReadyReport {
  ready: boolean;
  checks: ReadyCheck[];
}

/** Runs the readiness checks of a gateway (see `readinessOf`). */
export type ReadinessProbe = () => Promise<ReadyReport>;

/** True for `GET /ready` (with or without a query string). */
export function isReadyRequest(req: IncomingMessage): boolean {
  return req.method === 'GET' && /^\/ready(\?|$)/.test(req.url ?? '');
}

/**
 * Answers `GET /ready`, unauthenticated, outside tRPC (as a load balancer probes it): HTTP 200 with the report
 * when every check passed, 503 otherwise (the database is not writable, a key source cannot be read, or the
 * gateway is shutting down). A probe that throws counts as not ready.
 */
export async function serveReady(res: ServerResponse, probe: ReadinessProbe): Promise<void> {
  let report: ReadyReport;
  try {
    report = await probe();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    report = { ready: false, checks: [{ name: 'database', ok: false, message }] };
  }
  res.writeHead(report.ready ? 200 : 503, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify(report));
}
