import { cpus, freemem, loadavg, totalmem } from 'node:os';

/** One reported figure: its absolute value on this machine, its baseline from the same run, and the target. */
export interface Figure {
  id: string;
  name: string;
  value: number;
  unit: string;
  baselineName: string;
  baseline: number;
  /** value / baseline. */
  ratio: number;
  target: string;
  /** Whether the target holds (undefined when the issue sets none). */
  met: boolean | undefined;
}

/** The machine a run measured, and how busy it was (others share it: read the figures with the load). */
export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  platform: string;
  loadAverageStart: number[];
  loadAverageEnd: number[];
  freeMemoryGiBStart: number;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cpus: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageStart: loadavg().map((l) => Math.round(l * 100) / 100),
    loadAverageEnd: [],
    freeMemoryGiBStart: Math.round((freemem() / 2 ** 30) * 10) / 10,
  };
}

/** The markdown report: the machine, the figures table and the notes. */
export function markdownReport(input: {
  generatedAt: string;
  machine: MachineInfo;
  settings: Record<string, number | string>;
  figures: Figure[];
  notes: string[];
}): string {
  const { machine } = input;
  const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : String(n));
  const rows = input.figures.map(
    (f) =>
      `| ${f.name} | ${fmt(f.value)} ${f.unit} | ${f.baselineName}: ${fmt(f.baseline)} ${f.unit} | ${f.ratio}x | ${f.target} | ${f.met === undefined ? '-' : f.met ? 'yes' : 'NO'} |`,
  );
  return [
    '# Handoff benchmark results',
    '',
    `Generated ${input.generatedAt} by \`pnpm bench\`.`,
    '',
    `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}.`,
    `Load average (1, 5, 15 min) at start ${machine.loadAverageStart.join(', ')}, at end ${machine.loadAverageEnd.join(', ')}` +
      ` (other work shared the ${machine.cpus} cores: figures are noisy; re-measure on an idle machine).`,
    '',
    `Settings: ${Object.entries(input.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}.`,
    '',
    '| figure | value | baseline (same run) | ratio | target | met |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...input.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}
