// The install test (`pnpm test:install`, run by CI): installs the packages as someone outside this repository
// does. It builds (skip with --no-build), packs every public package with `pnpm pack`, checks the packed
// manifests, then for each Node.js major (20, 22, 24; pick with --node 22,24) makes a scratch project under the
// OS temp folder, installs the tarballs there with npm, and runs, on that Node:
//   - consumer/smoke.mjs: each package imported from plain ESM JavaScript (validate a corpus plan, build and sign
//     a plan, start a gateway on `:memory:` and submit to it with the copilot client);
//   - consumer/conformance.test.mjs under Vitest: the adapter conformance kit against a shipped fake;
//   - consumer/mcp.mjs: an MCP client of the official SDK lists the tools of @handoff/mcp and hands off a plan
//     over stdio (the installed `handoff-mcp` bin) and over Streamable HTTP (the gateway's `/mcp`);
//   - `tsc` on consumer.ts: strict, no skipLibCheck, against the installed `.d.ts`;
//   - `npx handoff --help`: the CLI from the installed gateway.
// Then, with the first Node, a project with only @handoff/copilot-adapter (and the protocol it depends on), as a
// copilot vendor installs it: copilot-only/smoke.mjs and a strict `tsc` of copilot-only/consumer.ts.
// Prints one line per Node version and exits non-zero when any step failed on any of them. --keep keeps the
// scratch projects; --from-source makes npm build better-sqlite3 again (see scratch.mjs).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nodeOfMajor } from './node-binary.mjs';
import { checkPackedManifests, PUBLIC_PACKAGES, packWorkspace } from './pack.mjs';
import { installInScratch, runStep, typecheckInScratch } from './scratch.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
const majors = (args.includes('--node') ? args[args.indexOf('--node') + 1] : '20,22,24').split(',');
const keep = args.includes('--keep');
const fromSource = args.includes('--from-source');

const started = performance.now();
const seconds = (from) => `${((performance.now() - from) / 1000).toFixed(0)} s`;
if (!args.includes('--no-build')) {
  console.log('install-test: pnpm build');
  execFileSync('pnpm', ['build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
const work = mkdtempSync(join(tmpdir(), 'handoff-install-test-'));
const tarballs = packWorkspace(ROOT, join(work, 'tarballs'));
for (const line of checkPackedManifests(tarballs)) console.log(`install-test: ${line}`);

/** The ranges the workspace itself uses, so the scratch project gets what the packages are tested with. */
const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const adapterManifest = JSON.parse(
  readFileSync(join(ROOT, 'packages', 'automation-adapter', 'package.json'), 'utf8'),
);
const mcpManifest = JSON.parse(readFileSync(join(ROOT, 'packages', 'mcp', 'package.json'), 'utf8'));
const registryDeps = [
  `msw@${adapterManifest.peerDependencies.msw}`,
  // The official MCP SDK, for the client of the MCP step (the server's own copy comes with @handoff/mcp).
  `@modelcontextprotocol/sdk@${mcpManifest.dependencies['@modelcontextprotocol/sdk']}`,
  `vitest@${rootManifest.devDependencies.vitest}`,
  `typescript@${rootManifest.devDependencies.typescript}`,
  `@types/node@${rootManifest.devDependencies['@types/node']}`,
];

/** A scratch project in `work/name` with the files of `source` and a manifest of its own. */
function scratchProject(name, source) {
  const project = join(work, name);
  mkdirSync(project, { recursive: true });
  cpSync(join(import.meta.dirname, source), project, { recursive: true });
  const manifest = { name: `handoff-install-test-${name}`, private: true, type: 'module' };
  writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return project;
}

/** The environment of npm and of the steps: `node` first on PATH, node-gyp pointed at its headers. */
function envOf(node) {
  return {
    ...process.env,
    PATH: `${dirname(node.bin)}:${process.env.PATH}`,
    ...(node.nodedir ? { npm_config_nodedir: node.nodedir } : {}),
    JOBS: 'max',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

/** Prints the output of the failed steps and one line for the run; true when every step held. */
function report(label, steps, from) {
  const failed = steps.filter((s) => !s.ok);
  for (const step of failed) console.log(`\n---- ${step.name} (${label})\n${step.output}`);
  const summary = steps.map(
    (s) => `${s.name} ${s.ok ? 'ok' : 'FAILED'}${s.note ? ` (${s.note})` : ''}`,
  );
  console.log(`install-test: ${label}: ${summary.join(', ')} [${seconds(from)}]`);
  return failed.length === 0;
}

const results = [];
for (const major of majors) {
  const from = performance.now();
  const node = nodeOfMajor(Number(major));
  const project = scratchProject(`node-${major}`, 'consumer');
  const env = envOf(node);
  const specs = [...Object.values(tarballs), ...registryDeps];
  const install = installInScratch(project, specs, env, { nodeBin: node.bin, fromSource });
  const steps = [install];
  if (install.ok) {
    steps.push(runStep('smoke', project, env, [node.bin, 'smoke.mjs'], /smoke: every step held/));
    steps.push(
      runStep('conformance', project, env, ['npx', 'vitest', 'run'], /Tests\s+\d+ passed/),
    );
    steps.push(runStep('mcp', project, env, [node.bin, 'mcp.mjs'], /mcp: every step held/));
    steps.push(typecheckInScratch(project, env));
    steps.push(
      runStep('npx handoff --help', project, env, ['npx', 'handoff', '--help'], /Usage: handoff/),
    );
  }
  results.push(report(`node ${node.version}`, steps, from));
}

// A copilot vendor installs the copilot adapter alone: it must load and type-check without the gateway.
{
  const from = performance.now();
  const node = nodeOfMajor(Number(majors[0]));
  const project = scratchProject('copilot-only', 'copilot-only');
  const env = envOf(node);
  const specs = [
    tarballs['@handoff/protocol'],
    tarballs['@handoff/copilot-adapter'],
    ...registryDeps.filter((spec) => /^(typescript|@types\/node)@/.test(spec)),
  ];
  const install = runStep('npm install', project, env, ['npm', 'install', ...specs], null);
  const steps = [install];
  if (install.ok) {
    steps.push(runStep('smoke', project, env, [node.bin, 'smoke.mjs'], /copilot-only: /));
    steps.push(typecheckInScratch(project, env));
  }
  results.push(report(`@handoff/copilot-adapter alone on node ${node.version}`, steps, from));
}

if (keep) console.log(`install-test: scratch projects kept in ${work}`);
else rmSync(work, { recursive: true, force: true });
const passed = results.filter(Boolean).length;
console.log(
  `install-test: ${PUBLIC_PACKAGES.length} packages, ${majors.length} Node versions and the copilot adapter alone: ${passed} passed, ${results.length - passed} failed [${seconds(started)}]`,
);
process.exit(passed === results.length ? 0 : 1);
