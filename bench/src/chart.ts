import { Resvg } from '@resvg/resvg-js';

/** One bar of a panel. */
export interface Bar {
  label: string;
  value: number;
}

/** A panel of horizontal bars with its title and unit. */
export interface Panel {
  title: string;
  unit: string;
  bars: Bar[];
}

/** One curve of a {@link CurvePanel}: its label and its points (x, y). */
export interface Curve {
  label: string;
  points: readonly (readonly [number, number])[];
  /** Drawn dashed (e.g. a p50 beside its p99). */
  dashed?: boolean;
  colour: string;
}

/** A panel of curves: y (`unit`) against x (`xUnit`), both axes linear from 0, with a horizontal target line. */
export interface CurvePanel {
  title: string;
  unit: string;
  xUnit: string;
  curves: Curve[];
  /** A y value drawn as a red line (e.g. the p99 target). */
  target?: { value: number; label: string };
}

const WIDTH = 900;
const BAR = 26;
const GAP = 10;
const LEFT = 260;
const COLOURS = ['#2f6db5', '#e07b39', '#3a9a5b', '#b8433f', '#7a5bb5', '#8c8c8c'];

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const PLOT = { height: 260, right: 40 };

/** The SVG parts of a curve panel drawn from `top`, and the y after it. */
function curveParts(panel: CurvePanel, top: number): { parts: string[]; y: number } {
  const left = 80;
  const width = WIDTH - left - PLOT.right;
  const bottom = top + 30 + PLOT.height;
  const points = panel.curves.flatMap((c) => c.points);
  const maxX = Math.max(...points.map(([x]) => x), 1e-9) * 1.05;
  const maxY = Math.max(...points.map(([, y]) => y), panel.target?.value ?? 0, 1e-9) * 1.1;
  const px = (x: number) => left + (width * x) / maxX;
  const py = (y: number) => bottom - (PLOT.height * y) / maxY;
  const parts = [
    `<text x="20" y="${top + 20}" font-size="15" font-weight="bold">${xmlText(panel.title)} (${xmlText(panel.unit)} against ${xmlText(panel.xUnit)})</text>`,
    `<line x1="${left}" y1="${bottom}" x2="${left + width}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${left}" y1="${bottom}" x2="${left}" y2="${bottom - PLOT.height}" stroke="#333"/>`,
  ];
  for (let i = 0; i <= 4; i += 1) {
    const x = (maxX * i) / 4;
    const y = (maxY * i) / 4;
    parts.push(
      `<text x="${px(x)}" y="${bottom + 16}" font-size="11" text-anchor="middle">${Math.round(x)}</text>`,
      `<text x="${left - 6}" y="${py(y) + 4}" font-size="11" text-anchor="end">${y.toFixed(1)}</text>`,
    );
  }
  if (panel.target) {
    const y = py(panel.target.value);
    parts.push(
      `<line x1="${left}" y1="${y}" x2="${left + width}" y2="${y}" stroke="#c00" stroke-dasharray="2 3"/>`,
      `<text x="${left + width}" y="${y - 4}" font-size="11" fill="#c00" text-anchor="end">${xmlText(panel.target.label)}</text>`,
    );
  }
  panel.curves.forEach((curve, index) => {
    const path = curve.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    const dash = curve.dashed ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<polyline points="${path}" fill="none" stroke="${curve.colour}" stroke-width="2"${dash}/>`,
      ...curve.points.map(
        ([x, y]) =>
          `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${curve.colour}"/>`,
      ),
      `<text x="${left + 10}" y="${top + 44 + index * 16}" font-size="12" fill="${curve.colour}">${xmlText(curve.label)}</text>`,
    );
  });
  return { parts, y: bottom + 30 };
}

/**
 * The panels as one SVG document: each bar panel a title, then one labelled bar per figure, scaled to its own
 * maximum; then each curve panel (e.g. latency against offered load, where the knee of each curve shows).
 */
export function chartSvg(
  title: string,
  subtitle: string,
  panels: Panel[],
  curvePanels: CurvePanel[] = [],
): string {
  let y = 70;
  const parts: string[] = [
    `<text x="20" y="30" font-size="20" font-weight="bold">${xmlText(title)}</text>`,
    `<text x="20" y="52" font-size="12" fill="#555">${xmlText(subtitle)}</text>`,
  ];
  for (const panel of panels) {
    y += 24;
    parts.push(
      `<text x="20" y="${y}" font-size="15" font-weight="bold">${xmlText(panel.title)} (${xmlText(panel.unit)})</text>`,
    );
    y += 10;
    const max = Math.max(...panel.bars.map((b) => b.value), 1e-9);
    panel.bars.forEach((bar, index) => {
      const width = Math.max(1, ((WIDTH - LEFT - 120) * bar.value) / max);
      parts.push(
        `<text x="${LEFT - 10}" y="${y + BAR * 0.7}" font-size="12" text-anchor="end">${xmlText(bar.label)}</text>`,
        `<rect x="${LEFT}" y="${y}" width="${width.toFixed(1)}" height="${BAR}" fill="${COLOURS[index % COLOURS.length]}"/>`,
        `<text x="${LEFT + width + 6}" y="${y + BAR * 0.7}" font-size="12">${bar.value.toLocaleString('en-US')}</text>`,
      );
      y += BAR + GAP;
    });
  }
  for (const panel of curvePanels) {
    const drawn = curveParts(panel, y + 10);
    parts.push(...drawn.parts);
    y = drawn.y;
  }
  const height = y + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    ...parts,
    '</svg>',
  ].join('\n');
}

/** Renders an SVG document to PNG bytes (resvg, its binary shipped in the npm package; system fonts). */
export function renderPng(svg: string): Buffer {
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } })
    .render()
    .asPng();
}
