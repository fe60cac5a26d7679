import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Summarises the main thread's V8 CPU profile (`node --cpu-prof --cpu-prof-dir=DIR`; worker threads' profiles,
 * e.g. the WAL checkpointer's, are skipped): self time by category (where the CPU goes: SQLite, canonical JSON
 * and hashing, zod, GC...), then self and inclusive time per function, the hottest first; with `plans`, also in
 * ms per plan. Usage: `tsx src/profile-summary.ts DIR [top] [plans]`.
 *
 * Its ms per plan divide the WHOLE process by the plans: start-up (module loading, migrations) and the harness's
 * own work (signing each approval token in `prepareChunk`) count too. The `cpuMsPerPlan` that `profile.ts` prints
 * (and `pnpm bench` reports) counts only the timed sections, so it leaves both out; compare functions, not totals.
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

/** Ordered: the first rule whose test matches a frame names its category. */
const CATEGORIES: readonly [string, (f: ProfileNode['callFrame']) => boolean][] = [
  ['GC', (f) => f.functionName === '(garbage collector)'],
  ['idle, program', (f) => f.functionName === '(idle)' || f.functionName === '(program)'],
  [
    'SQLite statements (native time, seen in the JS frame that calls it)',
    (f) =>
      f.url.includes('better-sqlite3/lib/') ||
      (f.url.includes('drizzle-orm/better-sqlite3/session.js') &&
        ['run', 'get', 'all', 'values'].includes(f.functionName)),
  ],
  ['drizzle (query building, row mapping)', (f) => f.url.includes('drizzle-orm')],
  [
    'RFC 8785 canonical JSON and SHA-256',
    (f) =>
      f.url.includes('canonicalize') ||
      f.url.includes('node:internal/crypto/hash') ||
      ['chainCanonical', 'canonicalJson', 'assertNoFunctions', 'sha256Digest'].includes(
        f.functionName,
      ),
  ],
  ['zod', (f) => f.url.includes('zod@')],
  [
    'jose and WebCrypto (JWS)',
    (f) => f.url.includes('jose@') || /node:internal\/crypto\//.test(f.url),
  ],
  ['module loading', (f) => /node:internal\/modules|tsx@|esbuild@/.test(f.url)],
  ['bench harness', (f) => f.url.includes('/bench/src/')],
  ['gateway code', (f) => f.url.includes('/packages/gateway/src/')],
  ['protocol code', (f) => f.url.includes('/packages/protocol/src/')],
  ['Node internals, other', () => true],
];

/** The category of a frame's self time (see {@link CATEGORIES}). */
function categoryOf(node: ProfileNode): string {
  return CATEGORIES.find(([, test]) => test(node.callFrame))?.[0] ?? 'other';
}

export function summarise(profile: Profile): {
  self: Map<string, number>;
  total: Map<string, number>;
  /** Self time by category, ms. */
  categories: Map<string, number>;
  ms: number;
} {
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const categories = new Map<string, number>();
  let ms = 0;
  // Labels and categories once per node, not once per sample and frame.
  const labels = new Map(profile.nodes.map((n) => [n.id, label(n)]));
  const kinds = new Map(profile.nodes.map((n) => [n.id, categoryOf(n)]));
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    ms += dt;
    const name = labels.get(id);
    const category = kinds.get(id);
    if (name === undefined || category === undefined) return;
    self.set(name, (self.get(name) ?? 0) + dt);
    categories.set(category, (categories.get(category) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = labels.get(at) as string;
      if (seen.has(frame)) continue;
      seen.add(frame);
      total.set(frame, (total.get(frame) ?? 0) + dt);
    }
  });
  return { self, total, categories, ms };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? '.';
  const top = Number(process.argv[3] ?? 25);
  const plans = Number(process.argv[4] ?? 0);
  // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main thread.
  for (const file of readdirSync(dir).filter((f) => /\.0\.\d+\.cpuprofile$/.test(f))) {
    const { self, total, categories, ms } = summarise(
      JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile,
    );
    const show = (title: string, map: Map<string, number>, count = top) => {
      console.log(`\n${title} (${file}, ${Math.round(ms)} ms sampled)`);
      for (const [name, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
        const perPlan = plans > 0 ? `${(t / plans).toFixed(3).padStart(7)} ms/plan ` : '';
        console.log(
          `${t.toFixed(0).padStart(7)} ms ${((t / ms) * 100).toFixed(1).padStart(5)}% ${perPlan} ${name}`,
        );
      }
    };
    if (plans > 0) {
      console.log(
        '\nms/plan below: the whole process / plans (start-up and token signing included; cpuMsPerPlan above leaves them out)',
      );
    }
    show('self time by category', categories, CATEGORIES.length);
    show('self time', self);
    show('inclusive time', total);
  }
}
