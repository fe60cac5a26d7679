import { GatewayError } from '../errors.js';
import type { Io } from './io.js';
import { unreachableIn } from './unreachable.js';

/** Prints a result: JSON (one document) with `--json`, else the human text. */
export function printResult(io: Io, json: boolean, value: unknown, text: () => string): void {
  io.out(json ? JSON.stringify(value, null, 2) : text());
}

/** The structured form of an error for `--json` output and its one-line human form. Never includes secrets. */
export function describeError(error: unknown): {
  code: string;
  message: string;
  issues: unknown[];
} {
  const unreachable = unreachableIn(error);
  if (unreachable) return { code: 'GATEWAY_UNREACHABLE', message: unreachable.message, issues: [] };
  if (error instanceof GatewayError)
    return { code: error.code, message: error.message, issues: [...error.issues] };
  if (error instanceof Error && 'data' in error) {
    const data = (
      error as { data?: { handoff?: { code: string; message: string; issues: unknown[] } } }
    ).data;
    if (data?.handoff)
      return {
        code: data.handoff.code,
        message: data.handoff.message,
        issues: data.handoff.issues,
      };
  }
  return {
    code: 'INTERNAL',
    message: error instanceof Error ? error.message : String(error),
    issues: [],
  };
}

/** Prints an error to stderr (text) or stdout (`--json`, so scripts parse one stream). */
export function printError(io: Io, json: boolean, error: unknown): void {
  const described = describeError(error);
  if (json) {
    io.out(JSON.stringify({ error: described }, null, 2));
    return;
  }
  io.err(`error ${described.code}: ${described.message}`);
  for (const issue of described.issues as { path?: string; code?: string; message?: string }[]) {
    io.err(`  ${issue.code ?? ''} at ${issue.path || '/'}: ${issue.message ?? ''}`);
  }
}
