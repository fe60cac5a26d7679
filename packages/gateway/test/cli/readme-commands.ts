import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A command a README shows: in a fenced shell block (`sh`, `bash`, `shell`, `console`) or as inline code. */
export interface ReadmeCommand {
  /** The README, relative to the repository root. */
  file: string;
  /** 1-based line of the command (its first line). */
  line: number;
  /** The command as written, without a prompt or a trailing comment; whitespace collapsed. */
  text: string;
}

const SHELL_FENCES = new Set(['sh', 'bash', 'shell', 'console']);
/** Inline code that is a command line: an optional `NAME=value` prefix, then one of these programs. */
const INLINE_COMMAND =
  /`((?:[A-Z][A-Z0-9_]*=\S+\s+)*(?:pnpm|npx|npm|node|corepack|cd|handoff)\s[^`]*)`/g;
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.handoff', 'dist']);

/** Documents read besides the READMEs: the contributor's guide, whose commands are run as a README's are. */
const ALSO_READ = ['CONTRIBUTING.md'];

/**
 * Every README.md under `root` (node_modules, .git, .handoff and dist excluded) and CONTRIBUTING.md, relative
 * paths, sorted.
 */
export function readmeFiles(root: string, dir = root): string[] {
  const found: string[] = dir === root ? ALSO_READ.filter((f) => existsSync(join(root, f))) : [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) {
      found.push(...readmeFiles(root, join(dir, entry.name)));
    } else if (entry.isFile() && entry.name === 'README.md') {
      found.push(relative(root, join(dir, entry.name)));
    }
  }
  return found.sort();
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** One shell line: no `$ ` prompt, no trailing `# comment`; `undefined` for a blank or comment-only line. */
function shellLine(raw: string, console: boolean): string | undefined {
  let line = raw.trim();
  if (console) {
    if (!line.startsWith('$ ')) return undefined; // output, not a command
    line = line.slice(2);
  }
  const text = collapse(line.replace(/(^|\s)#.*$/, ''));
  return text === '' ? undefined : text;
}

/** The commands of one README's text, in document order: fenced shell lines first, then inline commands. */
export function extractCommands(file: string, markdown: string): ReadmeCommand[] {
  const lines = markdown.split('\n');
  const commands: ReadmeCommand[] = [];
  const prose: string[] = [];
  let fence: { shell: boolean; console: boolean } | undefined;
  let pending: { line: number; text: string } | undefined;
  lines.forEach((raw, index) => {
    const opening = /^\s*```\s*([\w-]*)/.exec(raw);
    if (opening) {
      const language = opening[1] ?? '';
      fence = fence
        ? undefined
        : { shell: SHELL_FENCES.has(language), console: language === 'console' };
      prose.push('');
      return;
    }
    if (!fence) {
      prose.push(raw);
      return;
    }
    prose.push('');
    if (!fence.shell) return;
    const continued = /\\\s*$/.test(raw);
    const text = shellLine(raw.replace(/\\\s*$/, ''), fence.console && pending === undefined);
    if (text === undefined && pending === undefined) return;
    pending = pending
      ? { line: pending.line, text: `${pending.text} ${text ?? ''}`.trim() }
      : { line: index + 1, text: text ?? '' };
    if (!continued) {
      commands.push({ file, line: pending.line, text: pending.text });
      pending = undefined;
    }
  });
  const text = prose.join('\n');
  for (const match of text.matchAll(INLINE_COMMAND)) {
    const line = text.slice(0, match.index).split('\n').length;
    commands.push({ file, line, text: collapse(match[1] ?? '') });
  }
  return commands;
}

/** Every command of every README under `root`. */
export function readmeCommands(root: string): ReadmeCommand[] {
  return readmeFiles(root).flatMap((file) =>
    extractCommands(file, readFileSync(join(root, file), 'utf8')),
  );
}

/**
 * The command paths a `handoff …` reference names, its `a | b` alternatives expanded: `handoff keys generate |
 * api-key` names `keys generate` and `keys api-key`. A path ends at the first option or placeholder; `[]` is the
 * program itself (`handoff --version`).
 */
export function handoffPaths(reference: string): string[][] {
  const words = reference
    .replace(/^(?:[A-Z][A-Z0-9_]*=\S+\s+)*handoff\s+/, '')
    .split(/\s+/)
    .filter((w) => w !== '');
  const first: string[] = [];
  const alternatives: string[] = [];
  let inAlternatives = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (/^[-<[.…]/.test(word) || word.includes('…')) break;
    if (word === '|') {
      inAlternatives = true;
      continue;
    }
    if (inAlternatives) alternatives.push(word);
    else first.push(word);
  }
  const prefix = first.slice(0, -1);
  return [first, ...alternatives.map((a) => [...prefix, a])];
}

/** The long options (`--name`) a `handoff …` reference uses. */
export function handoffOptions(reference: string): string[] {
  return [...reference.matchAll(/(?:^|\s)(--[a-z][\w-]*)/g)].map((m) => m[1] ?? '');
}

const PNPM_BUILTINS = new Set([
  'install',
  'i',
  'add',
  'remove',
  'update',
  'exec',
  'dlx',
  'create',
  'pack',
]);

interface WorkspacePackage {
  dir: string;
  scripts: Record<string, string>;
}

/** Every workspace package by name (the root under `''`): its folder and scripts. */
function workspacePackages(root: string): Map<string, WorkspacePackage> {
  const packages = new Map<string, WorkspacePackage>();
  const read = (dir: string, name?: string) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name?: string;
      scripts?: Record<string, string>;
    };
    packages.set(name ?? manifest.name ?? dir, { dir, scripts: manifest.scripts ?? {} });
  };
  read(root, '');
  for (const parent of ['packages', '.']) {
    for (const entry of readdirSync(join(root, parent), { withFileTypes: true })) {
      const dir = join(root, parent, entry.name);
      if (
        entry.isDirectory() &&
        !SKIPPED_DIRS.has(entry.name) &&
        existsSync(join(dir, 'package.json'))
      ) {
        read(dir);
      }
    }
  }
  return packages;
}

/**
 * What is wrong with the pnpm invocations of `command` (each `&&` part starting with `pnpm`), or `undefined`:
 * `pnpm <script>` must name a root script, a pnpm command or a root bin, `pnpm --filter <pkg> [run] <script>` a
 * script (or bin) of that workspace package, and `pnpm --filter <pkg> exec <bin>` a bin in its node_modules/.bin.
 */
export function pnpmProblem(root: string, command: string): string | undefined {
  const packages = workspacePackages(root);
  for (const part of command.split('&&').map((p) => p.trim().split(/\s+/))) {
    if (part[0] !== 'pnpm') continue;
    const filtered = part[1] === '--filter';
    const name = filtered ? (part[2] ?? '') : '';
    const words = part.slice(filtered ? 3 : 1);
    const pkg = packages.get(name);
    if (pkg === undefined) return `no workspace package ${name}`;
    const label = name || 'the root package';
    if (words[0] === 'exec') {
      const bin = join(pkg.dir, 'node_modules/.bin', words[1] ?? '');
      if (!existsSync(bin))
        return `${label} has no bin ${words[1]} (pnpm answers: Command not found)`;
      continue;
    }
    const script = words[0] === 'run' ? words[1] : words[0];
    if (script === undefined) return `${command}: no script named`;
    if (!filtered && words[0] !== 'run' && PNPM_BUILTINS.has(script)) continue;
    // pnpm runs a bin of node_modules/.bin when no script has the name (`pnpm vitest run …`).
    if (!(script in pkg.scripts) && !existsSync(join(pkg.dir, 'node_modules/.bin', script))) {
      return `${label} has no script or bin ${script}`;
    }
  }
  return undefined;
}
