import type { Command } from 'commander';
import type { ExitCode } from './exit-codes.js';
import type { Io } from './io.js';

/** Adds a top-level command's options, subcommands and actions to `command` (already named and described). */
export type RegisterCommand = (command: Command, io: Io, setExit: (code: ExitCode) => void) => void;

/** One top-level `handoff` command: what `handoff --help` lists, and how to load the rest of it. */
export interface CommandEntry {
  name: string;
  description: string;
  /** Imports the command's module (and with it the gateway code it runs) only when the command is used. */
  load: () => Promise<RegisterCommand>;
}

/**
 * Every top-level command, in the order `handoff --help` lists them. Only the names and descriptions are static:
 * `handoff --help` and `--version` load none of the command modules (and so none of the gateway, SQLite, jose,
 * pino or tRPC), and a command line loads the one module it names (see `requestedCommand`).
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'gateway',
    description: 'run the gateway',
    load: async () => (await import('./commands/gateway.js')).registerGateway,
  },
  {
    name: 'config',
    description: 'check a gateway configuration without starting',
    load: async () => (await import('./commands/config.js')).registerConfig,
  },
  {
    name: 'keys',
    description: 'signing keys and API keys',
    load: async () => (await import('./commands/keys.js')).registerKeys,
  },
  {
    name: 'approve',
    description: 'sign an approval for a plan (and optionally submit it)',
    load: async () => (await import('./commands/approve.js')).registerApprove,
  },
  {
    name: 'approvers',
    description: 'the approver registry: keys, identities, roles',
    load: async () => (await import('./commands/approvers.js')).registerApprovers,
  },
  {
    name: 'plan',
    description: 'validate, dry-run, submit, read and roll back plans',
    load: async () => (await import('./commands/plan.js')).registerPlan,
  },
  {
    name: 'lineage',
    description: 'query, trace, verify and export the lineage',
    load: async () => (await import('./commands/lineage.js')).registerLineage,
  },
  {
    name: 'dispatch',
    description: 'the outbox: dead letters and in-doubt dispatches',
    load: async () => (await import('./commands/dispatch.js')).registerDispatch,
  },
  {
    name: 'control',
    description: 'the kill switch: pause, resume and list pauses by scope',
    load: async () => (await import('./commands/control.js')).registerControl,
  },
  {
    name: 'caps',
    description: 'budget caps with their usage: get and set',
    load: async () => (await import('./commands/caps.js')).registerCaps,
  },
  {
    name: 'copilots',
    description: 'how well copilots forecast: calibration against reported outcomes',
    load: async () => (await import('./commands/copilots.js')).registerCopilots,
  },
  {
    name: 'policy',
    description: 'policy sets: replay a candidate in shadow',
    load: async () => (await import('./commands/policy.js')).registerPolicy,
  },
  {
    name: 'mcp',
    description: 'serve the Handoff MCP server over stdio for one copilot',
    load: async () => (await import('./commands/mcp.js')).registerMcp,
  },
  {
    name: 'db',
    description: 'the database: a verified online backup',
    load: async () => (await import('./commands/db.js')).registerDb,
  },
];

/**
 * The top-level command a command line names (`argv` as `process.argv`): its first operand, or the one after
 * `help` (`handoff help plan`). The root takes no option with a value, so every operand before it is a flag.
 */
export function requestedCommand(argv: readonly string[]): string | undefined {
  const operands = argv.slice(2).filter((arg) => !arg.startsWith('-'));
  return operands[0] === 'help' ? operands[1] : operands[0];
}
