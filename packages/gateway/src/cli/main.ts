import { Command, CommanderError } from 'commander';
import { COMMANDS, requestedCommand } from './command-table.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { type Io, processIo } from './io.js';
import { versionText } from './version.js';

/** The code of the `CommanderError` that stops parsing at `--version` (printed by `main`, exit 0). */
const VERSION_REQUESTED = 'handoff.version';

/**
 * Builds the `handoff` program for `argv`. Every top-level command is listed with its description; only the one
 * `argv` names is loaded (its module imported, its options and subcommands added), so `handoff --help` and
 * `handoff --version` import commander and this folder's light modules alone. Each action stores its exit code in
 * `result.code`.
 */
export async function buildProgram(
  io: Io,
  result: { code: ExitCode },
  argv: readonly string[],
): Promise<Command> {
  const program = new Command('handoff')
    .description('Handoff: the gate between AI marketing copilots and marketing automation')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    })
    .option('-V, --version', 'print the gateway and protocol versions')
    .on('option:version', () => {
      throw new CommanderError(EXIT.OK, VERSION_REQUESTED, '');
    });
  const setExit = (code: ExitCode) => {
    result.code = code;
  };
  const wanted = requestedCommand(argv);
  for (const entry of COMMANDS) {
    const command = program.command(entry.name).description(entry.description);
    if (entry.name === wanted) (await entry.load())(command, io, setExit);
  }
  return program;
}

/**
 * Entry point: parses `argv` (as `process.argv`), runs the command, returns the exit code (see `EXIT`).
 * `--version` (`-V`) prints `@handoff/gateway <version> (protocol <version>)` and returns 0.
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<ExitCode> {
  const result: { code: ExitCode } = { code: EXIT.OK };
  try {
    const program = await buildProgram(io, result, argv);
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code !== VERSION_REQUESTED) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      io.out(await versionText());
      return EXIT.OK;
    }
    const { printError } = await import('./output.js');
    printError(io, false, error);
    return EXIT.RUNTIME;
  }
  return result.code;
}
