/**
 * The types of the wire API (`WIRE_PROCEDURES`): one procedure's description, the procedure paths, and what a
 * caller sends to and receives from each.
 */
import type { z } from 'zod';
import type { ErrorCode } from './error-codes.js';
import type { WIRE_PROCEDURES } from './procedures.js';
import type { Role } from './vocabulary.js';

/** One procedure of the wire API. */
export interface WireProcedure {
  /** `query` (HTTP GET, no side effect) or `mutation` (HTTP POST). */
  kind: 'query' | 'mutation';
  /** The input's schema, or null for a procedure that takes none. */
  input: z.ZodType | null;
  /** The schema of what the procedure answers (`result.data`). */
  output: z.ZodType;
  /** The roles that may call it (empty: no credential needed). */
  roles: readonly Role[];
  /** One line for people. */
  summary: string;
  /** The error codes it may answer (see `ERROR_CODES` for their HTTP statuses). */
  errors: readonly ErrorCode[];
}

/** A procedure path of the wire API, e.g. `plans.submit`. */
export type WireProcedurePath = keyof typeof WIRE_PROCEDURES;

/** What a caller sends to procedure `P` (`undefined` for one without input). */
export type WireInput<P extends WireProcedurePath> =
  (typeof WIRE_PROCEDURES)[P]['input'] extends z.ZodType
    ? z.input<(typeof WIRE_PROCEDURES)[P]['input']>
    : undefined;

/** What procedure `P` answers (`result.data`). */
export type WireOutput<P extends WireProcedurePath> = z.output<
  (typeof WIRE_PROCEDURES)[P]['output']
>;
