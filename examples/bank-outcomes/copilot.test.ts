import { describe, expect, test } from 'vitest';
import { loadBankData } from '../shared/bank-data.js';
import { conversionsForecast, jobSegments } from './copilot.js';
import { close, handFigures } from './hand-calibration.js';
import { isHeldOut } from './settings.js';

const data = loadBankData();
const segments = jobSegments(data);

describe('the outcomes copilot', () => {
  test('forecasts from the history half only: a segment counts exactly its odd-row clients', () => {
    for (const s of segments) {
      const history = data.clients.filter((c) => c.job === s.job && !isHeldOut(c));
      expect(s.history).toEqual({
        n: history.length,
        k: history.filter((c) => c.subscribed).length,
      });
      expect(s.heldOut.every((c) => c.clientId % 2 === 0 && c.job === s.job)).toBe(true);
    }
  });

  test('the overconfident interval keeps the p50 and lies inside the honest one', () => {
    for (const s of segments) {
      const honest = conversionsForecast(s, 'honest');
      const narrow = conversionsForecast(s, 'overconfident');
      expect(narrow.p50).toBe(honest.p50);
      expect(narrow.p10).toBeGreaterThanOrEqual(honest.p10);
      expect(narrow.p90).toBeLessThanOrEqual(honest.p90);
      expect(narrow.p10).toBeLessThanOrEqual(narrow.p50);
    }
  });

  test('the hand computation on a worked example', () => {
    const figures = handFigures([
      { planId: 'a', p10: 2, p50: 4, p90: 6, observed: 6 },
      { planId: 'b', p10: 2, p50: 4, p90: 6, observed: 1 },
    ]);
    expect(figures).toMatchObject({ inside: ['a'], below: ['b'], above: [], coverage: 0.5 });
    // bias ((6-4) + (1-4)) / 2 = -0.5; relative (7 - 8) / 8; pinball a: (0.4+1+0)/3, b: (0.9+1.5+0.5)/3.
    expect(figures.p50Bias).toBe(-0.5);
    expect(figures.p50RelativeBias).toBe(-0.125);
    expect(close(figures.pinballLoss, (1.4 / 3 + 2.9 / 3) / 2)).toBe(true);
  });
});
