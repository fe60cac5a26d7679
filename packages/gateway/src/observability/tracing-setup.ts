import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { setTracingEnabled } from './tracing.js';
import type { TracingConfig } from './tracing-config.js';

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
  // The SDK is loaded only when tracing is on: a gateway without it never imports more than the API.
  const [
    { AsyncLocalStorageContextManager },
    { W3CTraceContextPropagator },
    { resourceFromAttributes },
    sdk,
  ] = await Promise.all([
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  const { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor } = sdk;
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
