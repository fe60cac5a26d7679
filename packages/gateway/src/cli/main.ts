import { Command, CommanderError } from 'commander';
import { registerApprove } from './commands/approve.js';
import { registerApprovers } from './commands/approvers.js';
import { registerDispatch } from './commands/dispatch.js';
import { registerGateway } from './commands/gateway.js';
import { registerKeys } from './commands/keys.js';
import { registerLineage } from './commands/lineage.js';
import { registerPlan } from './commands/plan.js';
import { EXIT, type ExitCode, exitCodeOf } from './exit-codes.js';
import { type Io, printError, processIo } from './output.js';

/** What each command returns: its exit code (see `EXIT`). */
export type CommandResult = Promise<ExitCode>;

/** Runs a command body, turning an error into its printed form and exit code. */
export async function run(io: Io, json: boolean, body: () => CommandResult): CommandResult {
  try {
    return await body();
  } catch (error) {
    printError(io, json, error);
    return exitCodeOf(error);
  }
}

/** Builds the `handoff` program. Each action stores its exit code in `result.code`. */
export function buildProgram(io: Io, result: { code: ExitCode }): Command {
  const program = new Command('handoff')
    .description('Handoff: the gate between AI marketing copilots and marketing automation')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    });
  const setExit = (code: ExitCode) => {
    result.code = code;
  };
  registerGateway(program, io, setExit);
  registerKeys(program, io, setExit);
  registerApprove(program, io, setExit);
  registerApprovers(program, io, setExit);
  registerPlan(program, io, setExit);
  registerLineage(program, io, setExit);
  registerDispatch(program, io, setExit);
  return program;
}

/** Entry point: parses `argv` (as `process.argv`), runs the command, returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<ExitCode> {
  const result: { code: ExitCode } = { code: EXIT.OK };
  const program = buildProgram(io, result);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    printError(io, false, error);
    return EXIT.RUNTIME;
  }
  return result.code;
}
