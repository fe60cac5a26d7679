import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Summarises V8 CPU profiles (`node --cpu-prof --cpu-prof-dir=DIR`): self time and inclusive time per function,
 * the hottest first. Usage: `tsx src/profile-summary.ts DIR [top]`.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url
    .replace(/^.*node_modules\/\.pnpm\/([^/]+)\/node_modules\//, '$1: ')
    .replace(/^file:\/\/.*\/main\//, '');
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

export function summarise(profile: Profile): {
  self: Map<string, number>;
  total: Map<string, number>;
  ms: number;
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let ms = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    ms += dt;
    const node = byId.get(id);
    if (!node) return;
    self.set(label(node), (self.get(label(node)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(byId.get(at) as ProfileNode);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + dt);
    }
  });
  return { self, total, ms };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? '.';
  const top = Number(process.argv[3] ?? 25);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const { self, total, ms } = summarise(
      JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile,
    );
    const show = (title: string, map: Map<string, number>) => {
      console.log(`\n${title} (${file}, ${Math.round(ms)} ms sampled)`);
      for (const [name, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
        console.log(
          `${t.toFixed(0).padStart(7)} ms ${((t / ms) * 100).toFixed(1).padStart(5)}%  ${name}`,
        );
      }
    };
    show('self time', self);
    show('inclusive time', total);
  }
}
