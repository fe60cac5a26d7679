/**
 * The digest the console binds an approval to: SHA-256 over the RFC 8785 (JSON Canonicalization Scheme) form of
 * a JSON value, rendered `sha256:<64 lower-case hex>`, the same text `@handoff/protocol`'s `canonicalJson` +
 * `sha256Digest` give on the gateway (https://www.rfc-editor.org/rfc/rfc8785; SHA-256: FIPS 180-4), computed
 * with the `canonicalize` package and Web Crypto (`crypto.subtle.digest`, available in secure contexts such as
 * `https://` and `http://localhost`).
 */
import canonicalize from 'canonicalize';

/** The RFC 8785 text of `value`; throws a TypeError for a value JSON cannot hold. */
export function canonicalText(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('Value has no RFC 8785 form: not a JSON value');
  return text;
}

/** `sha256:<hex>` of the RFC 8785 form of `value`. */
export async function jcsDigest(value: unknown): Promise<`sha256:${string}`> {
  const bytes = new TextEncoder().encode(canonicalText(value));
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return `sha256:${Array.from(hash, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
