import { describe, expect, test } from 'vitest';
import { extractCommands, handoffOptions, handoffPaths } from './readme-commands.js';

/** The extraction readme-commands.test.ts relies on: what counts as a README command, and what does not. */

const README = [
  '# x',
  '',
  'Run `pnpm handoff --help` first; `pnpm` alone, `node --cpu-prof` in prose.',
  '',
  '```sh',
  'pnpm install && pnpm demo   # a comment',
  '# a comment line',
  'pnpm handoff keys generate \\',
  '  --out keys',
  '```',
  '',
  '```console',
  '$ pnpm handoff --version',
  '@handoff/gateway 0.1.0 (protocol 1.0)',
  '```',
  '',
  '```ts',
  "import { x } from 'y'; // `pnpm not-a-command`",
  '```',
  '',
  'See `handoff plan validate | dry-run` and `NODE_OPTIONS=--max-old-space-size=128 handoff gateway start ...`.',
].join('\n');

describe('extractCommands', () => {
  test('fenced shell lines (comments, continuations, console prompts) and inline commands, with lines', () => {
    expect(extractCommands('README.md', README)).toEqual([
      { file: 'README.md', line: 6, text: 'pnpm install && pnpm demo' },
      { file: 'README.md', line: 8, text: 'pnpm handoff keys generate --out keys' },
      { file: 'README.md', line: 13, text: 'pnpm handoff --version' },
      { file: 'README.md', line: 3, text: 'pnpm handoff --help' },
      { file: 'README.md', line: 3, text: 'node --cpu-prof' },
      { file: 'README.md', line: 21, text: 'handoff plan validate | dry-run' },
      {
        file: 'README.md',
        line: 21,
        text: 'NODE_OPTIONS=--max-old-space-size=128 handoff gateway start ...',
      },
    ]);
  });
});

describe('handoff references', () => {
  test.each([
    [
      'handoff plan validate | dry-run | get',
      [
        ['plan', 'validate'],
        ['plan', 'dry-run'],
        ['plan', 'get'],
      ],
    ],
    ['handoff approvers revoke <kid> --reason …', [['approvers', 'revoke']]],
    ['NODE_OPTIONS=--max-old-space-size=128 handoff gateway start ...', [['gateway', 'start']]],
    ['handoff --version', [[]]],
  ])('%s names %j', (reference, paths) => {
    expect(handoffPaths(reference)).toEqual(paths);
  });

  test('the long options a reference uses', () => {
    expect(handoffOptions('handoff lineage verify --db FILE --config x')).toEqual([
      '--db',
      '--config',
    ]);
    expect(handoffOptions('NODE_OPTIONS=--max-old-space-size=128 handoff gateway start')).toEqual(
      [],
    );
  });
});
