/**
 * What the gateway logs through: a subset of pino's API (`logger.info(facts, message)`), so a pino logger fits as
 * is. Facts are codes, paths and ids: never tokens, keys, API keys or whole payloads.
 */
export interface GatewayLogger {
  info(facts: Record<string, unknown>, message: string): void;
  warn(facts: Record<string, unknown>, message: string): void;
  error(facts: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything (the default for embedded use and tests). */
export const silentLogger: GatewayLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** The loggable facts of something thrown: its name, code and message, never its cause chain or payload. */
export function loggableError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error).slice(0, 500) };
  const code = (error as { code?: unknown }).code;
  return {
    error: error.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: error.message.slice(0, 500),
  };
}
