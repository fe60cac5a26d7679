import { describe, expect, test } from 'vitest';
import { T0 } from '../store/fixtures.js';
import type { StoreFactory } from './suite.js';
import { race, useStores } from './use-stores.js';

/** Token replay is enforced by the database: a token id is used once, whichever store asks first. */
export function defineReplayConformance(factory: StoreFactory): void {
  describe('token replay', () => {
    const open = useStores(factory);

    test('two stores racing one token id: exactly one use is accepted', async () => {
      const [a, b] = await open(2);
      if (!a || !b) throw new Error('no stores');
      const uses = await race(
        [a, b, a, b].map(
          (store) => () => store.transaction((tx) => tx.useToken('jti-1', 'p-1', T0)),
        ),
      );
      expect(uses.filter(Boolean)).toHaveLength(1);
      expect(await b.transaction((tx) => tx.useToken('jti-1', 'p-2', T0 + 1))).toBe(false);
      expect(await b.transaction((tx) => tx.useToken('jti-2', 'p-1', T0 + 1))).toBe(true);
    });
  });
}
