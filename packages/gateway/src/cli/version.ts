import { createRequire } from 'node:module';

/**
 * The version of the `@handoff/gateway` package this CLI ships in, read from its `package.json` at run time. The
 * file is found by the package's own name (a self-reference through its `exports` map, which must keep
 * `./package.json`), so the TypeScript source, the built `dist/` and an installed package all read the same file.
 */
export function gatewayVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('@handoff/gateway/package.json') as { version: string }).version;
}

/**
 * What `handoff --version` prints: `@handoff/gateway <semver> (protocol <MAJOR.MINOR>)`, the protocol version
 * being the one the gateway emits (`HANDOFF_PROTOCOL_VERSION`). `@handoff/protocol` is imported here, not before:
 * `handoff --help` never loads it.
 */
export async function versionText(): Promise<string> {
  const { HANDOFF_PROTOCOL_VERSION } = await import('@handoff/protocol');
  return `@handoff/gateway ${gatewayVersion()} (protocol ${HANDOFF_PROTOCOL_VERSION})`;
}
