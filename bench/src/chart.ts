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

const WIDTH = 900;
const BAR = 26;
const GAP = 10;
const LEFT = 260;
const COLOURS = ['#2f6db5', '#e07b39', '#3a9a5b', '#b8433f', '#7a5bb5', '#8c8c8c'];

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The panels as one SVG document: each a title, then one labelled bar per figure, scaled to its own maximum. */
export function chartSvg(title: string, subtitle: string, panels: Panel[]): string {
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
