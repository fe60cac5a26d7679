import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { setTracingEnabled } from './tracing.js';

/**
 * `observability.tracing`: OpenTelemetry traces, off unless `enabled`. `exporter`: `otlp` (OTLP over HTTP/JSON to
 * `endpoint`, default `http://localhost:4318/v1/traces` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), `console`
 * (spans printed to stdout) or `none` (spans made, exported nowhere). `serviceName` default `handoff-gateway`.
 */
export const TracingConfigSchema = z.strictObject({
  enabled: z.boolean(),
  exporter: z.enum(['otlp', 'console', 'none']).optional().meta({
    description: 'Where spans go: otlp (default), console or none.',
  }),
  endpoint: z.url().optional().meta({
    description: 'OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces.',
  }),
  serviceName: z.string().min(1).max(200).optional(),
});

/** A validated `observability.tracing` section. */
export type TracingConfig = z.infer<typeof TracingConfigSchema>;

/** Tracing as started: {@link shutdown} flushes pending spans and unregisters the SDK. */
export interface RunningTracing {
  shutdown(): Promise<void>;
}

const OFF: RunningTracing = { shutdown: async () => undefined };

type OtlpModule = typeof import('@opentelemetry/exporter-trace-otlp-http');

function otlpExporter(endpoint: string | undefined): SpanExporter {
  // Loaded only when asked for: a gateway without OTLP export never loads the exporter. Its CommonJS build (the
  // package's `main`, what Node itself picks): its ESM build has extensionless imports that only bundlers resolve.
  const { OTLPTraceExporter } = createRequire(import.meta.url)(
    '@opentelemetry/exporter-trace-otlp-http',
  ) as OtlpModule;
  return new OTLPTraceExporter(endpoint ? { url: endpoint } : {});
}

/**
 * Registers an OpenTelemetry SDK (BasicTracerProvider, W3C Trace Context propagation, AsyncLocalStorage context)
 * as the process's global tracer provider when `config.enabled`; otherwise does nothing and the gateway's spans
 * stay no-ops. `spanExporter` replaces the configured exporter (tests pass an `InMemorySpanExporter`); it is sent
 * each span as it ends, the OTLP exporter in batches.
 */
export async function startTracing(
  config: TracingConfig | undefined,
  options: { spanExporter?: SpanExporter } = {},
): Promise<RunningTracing> {
  if (!config?.enabled) return OFF;
  const processors: SpanProcessor[] = [];
  if (options.spanExporter) processors.push(new SimpleSpanProcessor(options.spanExporter));
  else if (config.exporter === 'console')
    processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
  else if (config.exporter !== 'none')
    processors.push(new BatchSpanProcessor(otlpExporter(config.endpoint)));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName ?? 'handoff-gateway' }),
    spanProcessors: processors,
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  setTracingEnabled(true);
  return {
    async shutdown() {
      setTracingEnabled(false);
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        propagation.disable();
        context.disable();
      }
    },
  };
}
