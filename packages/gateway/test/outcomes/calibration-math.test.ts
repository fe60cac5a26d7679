import { describe, expect, test } from 'vitest';
import {
  calibrationFigures,
  forecastPinball,
  pinball,
  positionOf,
} from '../../src/outcomes/calibration-math.js';

/*
 * Four forecasts worked out by hand (p10 / p50 / p90 -> observed):
 *   A  10 / 20 / 30  -> 25   inside; pinball (0.1*15 + 0.5*5 + 0.1*5) / 3 = 4.5 / 3 = 1.5
 *   B  10 / 20 / 30  ->  5   below;  pinball (0.9*5 + 0.5*15 + 0.1*25) / 3 = 14.5 / 3
 *   C 100 /120 /140  -> 150  above;  pinball (0.1*50 + 0.5*30 + 0.9*10) / 3 = 29 / 3
 *   D   0 /  0 /  0  ->  0   inside; pinball 0
 * inside 2/4 (A, D), below 1/4 (B), above 1/4 (C); p50 bias (5 - 15 + 30 + 0) / 4 = 5;
 * relative bias (180 - 160) / 160 = 0.125; mean pinball (1.5 + 14.5/3 + 29/3 + 0) / 4 = (1.5 + 14.5) / 4 = 4.
 */
const FORECASTS = [
  { planId: 'A', p10: 10, p50: 20, p90: 30, observed: 25 },
  { planId: 'B', p10: 10, p50: 20, p90: 30, observed: 5 },
  { planId: 'C', p10: 100, p50: 120, p90: 140, observed: 150 },
  { planId: 'D', p10: 0, p50: 0, p90: 0, observed: 0 },
];

describe('calibration figures against a hand computation', () => {
  test('bands, shares, plans, bias, relative bias and pinball loss', () => {
    const figures = calibrationFigures(FORECASTS);
    expect(figures.outcomes).toBe(4);
    expect(figures.inside).toEqual({ count: 2, share: 0.5, planIds: ['A', 'D'] });
    expect(figures.below).toEqual({ count: 1, share: 0.25, planIds: ['B'] });
    expect(figures.above).toEqual({ count: 1, share: 0.25, planIds: ['C'] });
    expect(figures.p50Bias).toBe(5);
    expect(figures.p50RelativeBias).toBe(0.125);
    expect(figures.pinballLoss).toBeCloseTo(4, 12);
    expect(figures.planIds).toEqual(['A', 'B', 'C', 'D']);
  });

  test('each forecast loss and position as worked out', () => {
    expect(forecastPinball(25, FORECASTS[0] as never)).toBeCloseTo(1.5, 12);
    expect(forecastPinball(5, FORECASTS[1] as never)).toBeCloseTo(14.5 / 3, 12);
    expect(forecastPinball(150, FORECASTS[2] as never)).toBeCloseTo(29 / 3, 12);
    expect(pinball(7, 10, 0.1)).toBeCloseTo(2.7, 12);
    expect(pinball(13, 10, 0.1)).toBeCloseTo(0.3, 12);
  });

  test('the interval includes both ends; outside is strictly below p10 or above p90', () => {
    const q = { p10: 1, p50: 2, p90: 3 };
    expect([0.999, 1, 2, 3, 3.001].map((v) => positionOf(v, q))).toEqual([
      'below',
      'inside',
      'inside',
      'inside',
      'above',
    ]);
  });

  test('relative bias is null when every p50 is 0; an empty group has no figures', () => {
    expect(
      calibrationFigures([{ planId: 'Z', p10: 0, p50: 0, p90: 1, observed: 2 }]).p50RelativeBias,
    ).toBeNull();
    expect(() => calibrationFigures([])).toThrow(RangeError);
  });
});
