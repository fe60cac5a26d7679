/**
 * Protocol versions of the handoff contract.
 *
 * Versions are `MAJOR.MINOR` strings. A minor version only adds (optional fields, new enum members, new action
 * types); a major version may remove or change. Every top-level document carries its version in
 * `protocolVersion`. See `VERSIONING.md` for the full compatibility policy.
 */

/** The newest protocol version this package emits. */
export const LATEST_PROTOCOL_VERSION = '1.0' as const;

/** Alias of {@link LATEST_PROTOCOL_VERSION}: the literal every v1 document carries in `protocolVersion`. */
export const HANDOFF_PROTOCOL_VERSION = LATEST_PROTOCOL_VERSION;

/**
 * Every protocol version this package accepts, newest first. A document in any of these is accepted (older ones
 * are upgraded to the latest shape with `upgradeDocument`); anything else fails with `UNSUPPORTED_VERSION`.
 */
export const SUPPORTED_PROTOCOL_VERSIONS = [LATEST_PROTOCOL_VERSION] as const;

/** A protocol version this package supports. */
export type ProtocolVersion = (typeof SUPPORTED_PROTOCOL_VERSIONS)[number];

/** True when `version` is one of {@link SUPPORTED_PROTOCOL_VERSIONS}. */
export function isSupportedVersion(version: unknown): version is ProtocolVersion {
  return (SUPPORTED_PROTOCOL_VERSIONS as readonly unknown[]).includes(version);
}

/** The result of {@link negotiateVersion}. */
export type VersionNegotiation =
  | { ok: true; version: ProtocolVersion }
  | {
      ok: false;
      code: 'UNSUPPORTED_VERSION';
      requested: readonly string[];
      supported: readonly ProtocolVersion[];
    };

/**
 * Picks the protocol version two parties will speak, as MCP's initialize handshake does: the newest version that
 * the peer offers and this package supports.
 *
 * @param offered - the version the peer wants, or every version it can speak (any order).
 * @returns `{ ok: true, version }`, or `{ ok: false, code: 'UNSUPPORTED_VERSION', requested, supported }` when the
 *   two sets do not meet, so the caller can report the supported list to the peer.
 */
export function negotiateVersion(offered: string | readonly string[]): VersionNegotiation {
  const requested = typeof offered === 'string' ? [offered] : [...offered];
  for (const version of SUPPORTED_PROTOCOL_VERSIONS) {
    if (requested.includes(version)) return { ok: true, version };
  }
  return {
    ok: false,
    code: 'UNSUPPORTED_VERSION',
    requested,
    supported: SUPPORTED_PROTOCOL_VERSIONS,
  };
}
