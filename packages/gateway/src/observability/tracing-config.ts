import { z } from 'zod';

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
