import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { isGatewayError } from '../errors.js';

/**
 * The gateway's spans, through `@opentelemetry/api` only: with no SDK registered (tracing off, the default) the
 * API is a no-op and {@link inSpan} runs its function directly, so the hot path pays one boolean test. The SDK is
 * set up by `startTracing` (`tracing-setup.ts`) when `observability.tracing.enabled` is true.
 *
 * Attributes carry identifiers and outcomes only (tenant, plan id, option, decision, rule ids, cap ids, adapter,
 * outcome): never a plan payload, a token, an API key or a contact. Names and meanings: `docs/tracing.md`.
 */
export const TRACER_NAME = '@handoff/gateway';

/** The attribute names the gateway sets (ours under `handoff.*`; `gen_ai.*` from the GenAI conventions). */
export const ATTR = {
  genAiOperation: 'gen_ai.operation.name',
  genAiToolName: 'gen_ai.tool.name',
  tenant: 'handoff.tenant.id',
  planId: 'handoff.plan.id',
  option: 'handoff.option.id',
  decision: 'handoff.decision',
  guardrailDecision: 'handoff.guardrail.decision',
  ruleIds: 'handoff.policy.rule_ids',
  capIds: 'handoff.budget.cap_ids',
  adapter: 'handoff.adapter.id',
  attempt: 'handoff.dispatch.attempt',
  outcome: 'handoff.outcome',
  events: 'handoff.lineage.events',
  errorType: 'error.type',
} as const;

let enabled = false;

/** Turns span creation on or off (called by `startTracing` and its shutdown). */
export function setTracingEnabled(on: boolean): void {
  enabled = on;
}

/** True while an SDK started by `startTracing` is registered. */
export function tracingEnabled(): boolean {
  return enabled;
}

function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/** Ends `span` with the error's gateway code (or its class name) as `error.type` and an ERROR status. */
function fail(span: Span, error: unknown): void {
  const type = isGatewayError(error)
    ? error.code
    : error instanceof Error
      ? error.constructor.name
      : 'unknown';
  span.setAttributes({ [ATTR.errorType]: type, [ATTR.outcome]: 'error' });
  // The code only: messages can quote input.
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/**
 * Runs `fn` in a new active span `name` (child of the active one, or of `options.parent`), ending it when `fn`
 * settles; a thrown error is recorded by code and rethrown. With tracing off, runs `fn` with no span at all.
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span | undefined) => Promise<T>,
  options: { parent?: Context; kind?: SpanKind } = {},
): Promise<T> {
  // Off: `fn`'s own promise, no wrapper (the hot path pays one test).
  if (!enabled) return fn(undefined);
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    { attributes, kind: options.kind ?? SpanKind.INTERNAL },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Sets attributes on the active span (the request's, or a stage's), if tracing is on. */
export function annotateActiveSpan(attributes: Attributes): void {
  if (enabled) trace.getActiveSpan()?.setAttributes(attributes);
}

/**
 * Starts the server span of one HTTP request, continuing the W3C `traceparent` (and `tracestate`) the caller sent.
 * Returns the context to run the request in and a function ending the span with the response status; undefined
 * when tracing is off.
 */
export function startRequestSpan(
  method: string,
  path: string,
  headers: Record<string, string | string[] | undefined>,
): { context: Context; end(status: number): void } | undefined {
  if (!enabled) return undefined;
  const remote = propagation.extract(ROOT_CONTEXT, headers);
  const span = tracer().startSpan(
    `${method} ${path}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': method, 'url.path': path },
    },
    remote,
  );
  return {
    context: trace.setSpan(remote, span),
    end(status) {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/**
 * A `fetch` that adds the active context's `traceparent` (W3C Trace Context) to every request it makes: given to
 * adapters, so the platform (or a webhook receiver) sees the dispatch's trace. Existing headers are kept.
 */
export function tracingFetch(inner: typeof fetch): typeof fetch {
  return (input, init) => {
    if (!enabled) return inner(input, init);
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    if (Object.keys(carrier).length === 0) return inner(input, init);
    const headers = new Headers(init?.headers);
    for (const [name, value] of Object.entries(carrier)) headers.set(name, value);
    return inner(input, { ...init, headers });
  };
}

/** The active span's context, if a recording span is active. */
export function activeSpanContext(): SpanContext | undefined {
  if (!enabled) return undefined;
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext() : undefined;
}

/** A context whose parent is `spanContext` (a stored remote parent), or the root context. */
export function contextOf(spanContext: SpanContext | undefined): Context {
  return spanContext ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
}

/** `fn` bound to the active context (so work queued for later runs in its caller's trace); itself when off. */
export function bindToActiveContext<F extends (...args: never[]) => unknown>(fn: F): F {
  return enabled ? context.bind(context.active(), fn) : fn;
}

/**
 * {@link inSpan} for synchronous work. With `childOnly`, no span unless one is recording already: a stage outside
 * any request or dispatch (start-up seeding, say) is not worth a trace of its own.
 */
export function inSpanSync<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span | undefined) => T,
  options: { childOnly?: boolean } = {},
): T {
  if (!enabled) return fn(undefined);
  if (options.childOnly && !trace.getActiveSpan()?.isRecording()) return fn(undefined);
  return tracer().startActiveSpan(name, { attributes }, (span) => {
    try {
      return fn(span);
    } catch (error) {
      fail(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Runs `fn` outside any trace (in the root context), so its spans do not join the caller's; `fn()` when off. */
export function detached<T>(fn: () => T): T {
  return enabled ? context.with(ROOT_CONTEXT, fn) : fn();
}
