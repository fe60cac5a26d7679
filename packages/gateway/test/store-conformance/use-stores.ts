import { afterEach } from 'vitest';
import type { GatewayStore } from '../../src/store/store.js';
import type { OpenedStores, StoreFactory } from './suite.js';

/**
 * Opens stores for one test and closes them after it: `const open = useStores(factory)`, then in a test
 * `const [a, b] = await open(2)`.
 */
export function useStores(factory: StoreFactory): (count: number) => Promise<GatewayStore[]> {
  let opened: OpenedStores | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });
  return async (count) => {
    opened = await factory(count);
    return opened.stores;
  };
}

/** Runs every task at once and answers their results in order (a race between stores). */
export function race<T>(tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  return Promise.all(tasks.map((task) => task()));
}
