/**
 * Protocol versions of the handoff contract.
 *
 * Versions are `MAJOR.MINOR` strings. A minor version only adds (optional fields, new enum members, new action
 * types); a major version may remove or change. Every top-level document carries its version in
 * `protocolVersion`. See `VERSIONING.md` for the full compatibility policy.
 */
import { z } from 'zod';

/** Protocol 1.0: the first version of the contract. */
export const PROTOCOL_VERSION_1_0 = '1.0' as const;

/**
 * Protocol 1.1 (issue 21, additive): change forecasts with a basis, per-action audiences, any-of audience groups,
 * reach and impressions, `pause_campaign` / `resume_campaign` and campaign `level`, per-action paths in policy
 * decisions. See VERSIONING.md, "1.1".
 */
export const PROTOCOL_VERSION_1_1 = '1.1' as const;

/** The newest protocol version this package emits. */
export const LATEST_PROTOCOL_VERSION = PROTOCOL_VERSION_1_1;

/** Alias of {@link LATEST_PROTOCOL_VERSION}: the version a document this package emits carries. */
export const HANDOFF_PROTOCOL_VERSION = LATEST_PROTOCOL_VERSION;

/**
 * Every protocol version this package accepts, newest first. A document in any of these is accepted as received
 * (a minor version only adds, so a 1.0 document is validated as it is, keeping its `protocolVersion`, digest and
 * signatures; it may not use what a later minor added); anything else fails with `UNSUPPORTED_VERSION` unless an
 * upgrade step is registered for it (`UpgradeRegistry`).
 */
export const SUPPORTED_PROTOCOL_VERSIONS = [PROTOCOL_VERSION_1_1, PROTOCOL_VERSION_1_0] as const;

/** A protocol version this package supports. */
export type ProtocolVersion = (typeof SUPPORTED_PROTOCOL_VERSIONS)[number];

/**
 * `protocolVersion` of every top-level document: one of {@link SUPPORTED_PROTOCOL_VERSIONS}. What an older minor
 * version may not carry is a cross-field rule (`REQUIRES_NEWER_VERSION`).
 */
export const ProtocolVersionSchema = z
  .enum(SUPPORTED_PROTOCOL_VERSIONS)
  .meta({ id: 'ProtocolVersion' });

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
