import type { Action } from '@handoff/protocol';
import { setupServer } from 'msw/node';
import { afterEach } from 'vitest';
import type { AutomationAdapter, ExecuteContext } from '../../src/adapter.js';
import { CONFORMANCE_NOW_MS } from '../../src/testing/conformance.js';
import type { FakePlatform } from '../../src/testing/fake-platform.js';

/**
 * What the ad platform adapter tests share: `serve` puts a fake (and any extra msw handlers, which take
 * precedence) behind msw for the current test, closed after it or when another is served; `ctx` is an execute context on the conformance
 * clock; `preflight` calls an adapter's preflight (failing the test when it has none).
 */
export function adPlatformTest() {
  let close: (() => void) | undefined;
  afterEach(() => {
    close?.();
    close = undefined;
  });
  const ctx = (key = 'k-1'): ExecuteContext => ({
    idempotencyKey: key,
    signal: new AbortController().signal,
    fetch: (input, init) => globalThis.fetch(input, init),
    now: () => CONFORMANCE_NOW_MS,
    queuedAt: CONFORMANCE_NOW_MS,
    attempt: 1,
  });
  return {
    ctx,
    serve<F extends FakePlatform>(fake: F, ...extra: Parameters<typeof setupServer>): F {
      close?.(); // one fake at a time: serving another replaces the first
      const server = setupServer(...extra, ...fake.handlers);
      server.listen({ onUnhandledRequest: 'error' });
      close = () => server.close();
      return fake;
    },
    preflight(adapter: AutomationAdapter, action: Action) {
      if (!adapter.preflight) throw new Error('no preflight');
      return adapter.preflight(action, ctx());
    },
  };
}
