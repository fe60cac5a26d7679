import { WIRE_PROCEDURES, type WireProcedurePath } from '@handoff/protocol';

/**
 * The procedures anyone may call, without a credential: `health`, and the console's enrolment (the one-time
 * enrolment token is the credential) and sign-in (the passkey assertion is).
 */
export const PUBLIC_PROCEDURES = [
  'health',
  'passkeys.enrolOptions',
  'passkeys.enrol',
  'session.signInOptions',
  'session.signIn',
] as const satisfies readonly WireProcedurePath[];

/** A gateway operation name (also its tRPC procedure path): every procedure of the wire API but the public ones. */
export type Operation = Exclude<WireProcedurePath, (typeof PUBLIC_PROCEDURES)[number]>;

/**
 * Which roles may call each gateway operation: the `roles` of each procedure of the wire API (`WIRE_PROCEDURES` of
 * `@handoff/protocol`), the single access table that the in-process API and the HTTP router both enforce (deny by
 * default: an operation missing here is refused). Reads are further limited to the caller's tenant, and a copilot
 * sees and cancels only the plans it submitted.
 */
export const OPERATION_ROLES = Object.fromEntries(
  Object.entries(WIRE_PROCEDURES)
    .filter(([path]) => !(PUBLIC_PROCEDURES as readonly string[]).includes(path))
    .map(([path, procedure]) => [path, procedure.roles]),
) as { readonly [O in Operation]: (typeof WIRE_PROCEDURES)[O]['roles'] };
