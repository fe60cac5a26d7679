import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { WIRE_PROCEDURES } from '@handoff/protocol';
import type { GatewayMetrics } from '../observability/metrics.js';

const PROCEDURES = new Set<string>(Object.keys(WIRE_PROCEDURES));

/**
 * The procedure label of a request path: a wire procedure's name, `batch` for a tRPC batch (`a,b?batch=1`), else
 * `other`. Only names from a fixed list, so a caller cannot mint label values (nor smuggle an id into one).
 */
export function procedureLabel(url: string | undefined): string {
  const path = (url ?? '').split('?', 1)[0]?.replace(/^\/+/, '') ?? '';
  if (PROCEDURES.has(path)) return path;
  if (path.includes(',')) return 'batch';
  return 'other';
}

/**
 * Answers `GET /metrics` (Prometheus text format, unauthenticated like `/health`, outside tRPC and admission, so
 * a scrape is never queued behind requests). Returns false for any other request, which the caller serves.
 */
export function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  metrics: GatewayMetrics | undefined,
): boolean {
  if (!metrics || !/^\/metrics(\?|$)/.test(req.url ?? '')) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('GET /metrics\n');
    return true;
  }
  metrics.render().then(
    (text) => {
      res.writeHead(200, { 'content-type': metrics.contentType });
      res.end(req.method === 'HEAD' ? undefined : text);
    },
    () => {
      // The store is unavailable (closing, locked): the scrape fails visibly, with no details.
      res.writeHead(503, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
    },
  );
  return true;
}

/** Observes the request's latency, by procedure and status code, once its response is sent. */
export function timeRequest(
  req: IncomingMessage,
  res: ServerResponse,
  metrics: GatewayMetrics | undefined,
): void {
  if (!metrics) return;
  const started = performance.now();
  res.once('finish', () => {
    metrics.requestServed(
      procedureLabel(req.url),
      res.statusCode,
      (performance.now() - started) / 1000,
    );
  });
}
