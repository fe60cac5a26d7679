import { type RunningServer, startHttpServer } from './api/http-server.js';
import { DEFAULT_SEQUENCE_INTERVAL_MS } from './audit/checkpoint-config.js';
import { DEFAULT_MAX_BATCH, startSequencing } from './audit/sequencer.js';
import { type GatewayLogger, loggableError, silentLogger } from './logger.js';
import { readinessOf } from './readiness.js';
import type { GatewayRuntime } from './runtime.js';

/** A gateway serving HTTP, with its expiry sweep running. */
export interface RunningGateway {
  runtime: GatewayRuntime;
  server: RunningServer;
  /**
   * Shuts down gracefully: `/ready` answers 503 from now on, the server stops accepting connections and lets
   * the requests under way finish, the dispatcher starts no new send and waits for those already sent to be
   * answered and recorded, then timers stop and the store (with its WAL worker thread) and the writer lock are
   * closed. Unbounded by itself: `handoff gateway start` bounds it (see `SHUTDOWN_TIMEOUT_MS`). Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Starts the HTTP server of a runtime (with `GET /ready`, see `readinessOf`) and a timer that expires plans past
 * their window. When the server cannot start (e.g. `EADDRINUSE`), the runtime is closed before the error is
 * rethrown, so nothing is left open.
 */
export async function startGateway(
  runtime: GatewayRuntime,
  options: { logger?: GatewayLogger } = {},
): Promise<RunningGateway> {
  const { config } = runtime.loaded;
  const logger = options.logger ?? silentLogger;
  if (options.logger) runtime.gateway.deps.decisionLog?.use(options.logger);
  let shuttingDown = false;
  let server: RunningServer;
  try {
    server = await startHttpServer({
      onError: ({ path, code, message, requestId }) =>
        code === 'INTERNAL_SERVER_ERROR'
          ? logger.error({ path, code, message, requestId }, 'request failed')
          : logger.warn({ path, code, requestId }, 'request refused'),
      gateway: runtime.gateway,
      authenticator: runtime.authenticator,
      ...(runtime.gateway.deps.metrics ? { metrics: runtime.gateway.deps.metrics } : {}),
      ready: () => readinessOf(runtime, () => shuttingDown),
      ...(config.listen?.host ? { host: config.listen.host } : {}),
      ...(config.listen?.port !== undefined ? { port: config.listen.port } : {}),
      ...(config.listen?.maxBodyBytes ? { maxBodyBytes: config.listen.maxBodyBytes } : {}),
      ...(config.listen?.maxConcurrentRequests
        ? { maxConcurrentRequests: config.listen.maxConcurrentRequests }
        : {}),
    });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  runtime.startDispatching(undefined, logger);
  const sweep = setInterval(() => {
    runtime.gateway
      .expireDue()
      .catch((error: unknown) => logger.error(loggableError(error), 'expiry sweep failed'));
  }, config.expirySweepMs ?? 60_000);
  sweep.unref();
  // The transparency log's sequencer: a batch every intervalMs or maxBatch events, whichever comes first; a
  // failure is retried at the next tick (`handoff lineage verify --against` tells why).
  const sequencing = runtime.sequencer
    ? startSequencing(
        runtime.sequencer,
        {
          intervalMs: config.checkpoints?.intervalMs ?? DEFAULT_SEQUENCE_INTERVAL_MS,
          maxBatch: config.checkpoints?.maxBatch ?? DEFAULT_MAX_BATCH,
        },
        (error) => logger.error(loggableError(error), 'lineage sequencing failed'),
      )
    : undefined;
  if (sequencing) runtime.store.onLineageAppended(sequencing.notify);
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    shuttingDown = true;
    clearInterval(sweep);
    await sequencing?.stop();
    // Requests under way may queue dispatches: the server drains first, then the dispatcher.
    await server.drain();
    await runtime.dispatcher.drain();
    await runtime.close();
  };
  return {
    runtime,
    server,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}
