/**
 * The forecast of an option as a small SVG chart: the p10 to p90 interval as a bar on one axis, p50 as a mark,
 * each labelled with its value (a money forecast in its currency, a ratio as a percentage, a count as is).
 */
import { formatMoney } from '../lib/format.js';

/** The part of a `Forecast` the chart draws. */
export interface ForecastLike {
  unit: 'money' | 'ratio' | 'count';
  kpi: string;
  p10: number;
  p50: number;
  p90: number;
  currency?: string;
  of?: 'level' | 'change';
  confidence: number;
  horizonDays: number;
}

function label(forecast: ForecastLike, value: number): string {
  if (forecast.unit === 'money')
    return formatMoney({ amountMinor: value, currency: forecast.currency ?? 'EUR' });
  if (forecast.unit === 'ratio') return `${(value * 100).toFixed(2)}%`;
  return value.toLocaleString('en-GB');
}

const WIDTH = 360;
const PAD = 40;

export function ForecastChart({ forecast }: { forecast: ForecastLike }) {
  const low = Math.min(0, forecast.p10);
  const high = forecast.p90 === low ? low + 1 : forecast.p90;
  const x = (value: number) => PAD + ((value - low) / (high - low)) * (WIDTH - 2 * PAD);
  const points = [
    ['p10', forecast.p10],
    ['p50', forecast.p50],
    ['p90', forecast.p90],
  ] as const;
  return (
    <figure class="forecast" data-testid="forecast">
      <svg
        viewBox={`0 0 ${WIDTH} 70`}
        width={WIDTH}
        height={70}
        role="img"
        aria-label={`Forecast of ${forecast.kpi}`}
      >
        <line x1={PAD} x2={WIDTH - PAD} y1={40} y2={40} stroke="#999" />
        <rect
          x={x(forecast.p10)}
          y={30}
          width={Math.max(2, x(forecast.p90) - x(forecast.p10))}
          height={20}
          fill="#9cc3e6"
        />
        <line
          x1={x(forecast.p50)}
          x2={x(forecast.p50)}
          y1={24}
          y2={56}
          stroke="#1c4f80"
          stroke-width={3}
        />
        {points.map(([name, value], index) => (
          <text
            key={name}
            x={x(value)}
            y={index === 1 ? 16 : 68}
            text-anchor="middle"
            font-size="10"
          >
            {name} {label(forecast, value)}
          </text>
        ))}
      </svg>
      <figcaption>
        {forecast.kpi} ({forecast.of === 'change' ? 'change caused' : 'level'}),{' '}
        {forecast.horizonDays} days, confidence {Math.round(forecast.confidence * 100)}%
      </figcaption>
    </figure>
  );
}
