import { type AnyColumn, eq, lt, type SQL } from 'drizzle-orm';

/*
 * The SQL of the passkey signature counter, shared by both dialects' passkey stores. Kept out of
 * `passkey-records.ts`, whose types the package's public declarations reach: no public type may pull in
 * drizzle-orm's declarations (a consumer type-checking with `skipLibCheck: false` would check them).
 */

/**
 * The condition under which a passkey's stored counter (`column`, `sign_count`) may become `signCount` (see
 * `PasskeysTx.raisePasskeySignCount`): strictly lower than it, or both 0 (an authenticator that keeps no
 * counter). A counter is only ever raised, so two replicas verifying the same passkey at once can never lower it
 * (WebAuthn Level 3, section 6.1.1: a counter that does not increase may signal a cloned authenticator).
 */
export function signCountRaisable(column: AnyColumn, signCount: number): SQL {
  return signCount === 0 ? eq(column, 0) : lt(column, signCount);
}
