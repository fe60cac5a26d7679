import { z } from 'zod';

/** The name of an environment variable holding a secret: secrets never sit in the config file. */
export const EnvNameSchema = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/)
  .max(100)
  .meta({ description: 'Name of the environment variable that holds the secret.' });

/** An http(s) URL (a platform's base URL; a local fake in tests). */
export const HttpUrlSchema = z.url({ protocol: /^https?$/ });
/** A per-request timeout in milliseconds. */
export const TimeoutSchema = z.int().min(100).max(120_000).optional();
