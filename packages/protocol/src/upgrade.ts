import { UpgradeError } from './errors.js';
import { LATEST_PROTOCOL_VERSION } from './version.js';

/** A JSON object document, before validation. */
export type RawDocument = Record<string, unknown>;

/**
 * One step that rewrites a document of `kind` from protocol version `from` to `to` (e.g. renaming a field that a
 * major version renamed). Steps chain until the document reaches {@link LATEST_PROTOCOL_VERSION}.
 */
export interface DocumentUpgrade {
  kind: string;
  from: string;
  to: string;
  upgrade: (document: RawDocument) => RawDocument;
}

/**
 * The upgrade functions that let an older document be read as the latest shape. v1 is the first protocol
 * version, so the default registry is empty; each future version registers its step here (see VERSIONING.md).
 */
export class UpgradeRegistry {
  readonly #steps = new Map<string, DocumentUpgrade>();

  constructor(steps: readonly DocumentUpgrade[] = []) {
    for (const step of steps) this.register(step);
  }

  /** Adds a step. @throws UpgradeError (`UPGRADE_FAILED`) when a step from the same kind and version exists. */
  register(step: DocumentUpgrade): this {
    const key = `${step.kind}@${step.from}`;
    if (this.#steps.has(key))
      throw new UpgradeError(`An upgrade from ${key} is already registered`);
    this.#steps.set(key, step);
    return this;
  }

  /** The older versions of `kind` this registry can upgrade to the latest. */
  versionsFor(kind: string): string[] {
    return [...this.#steps.values()].filter((s) => s.kind === kind).map((s) => s.from);
  }

  /** True when `version` of `kind` can be brought to the latest version. */
  canUpgrade(kind: string, version: string): boolean {
    return this.#chain(kind, version) !== undefined;
  }

  #chain(kind: string, version: string): DocumentUpgrade[] | undefined {
    const chain: DocumentUpgrade[] = [];
    const seen = new Set<string>();
    let at = version;
    while (at !== LATEST_PROTOCOL_VERSION) {
      const step = this.#steps.get(`${kind}@${at}`);
      if (!step || seen.has(at)) return undefined;
      seen.add(at);
      chain.push(step);
      at = step.to;
    }
    return chain;
  }

  /**
   * Runs every step from the document's `protocolVersion` to the latest, returning a new document (the input is
   * not changed). The result still needs validation.
   *
   * @throws UpgradeError (`UPGRADE_FAILED`) when no chain leads to the latest version, a step throws, or a step
   *   does not set `protocolVersion` to its `to` version.
   */
  upgrade(kind: string, document: RawDocument): RawDocument {
    const from = String(document.protocolVersion);
    const chain = this.#chain(kind, from);
    if (!chain)
      throw new UpgradeError(
        `No upgrade path for ${kind} from ${from} to ${LATEST_PROTOCOL_VERSION}`,
      );
    let current: RawDocument = structuredClone(document);
    for (const step of chain) {
      try {
        current = step.upgrade(current);
      } catch (cause) {
        throw new UpgradeError(
          `Upgrade of ${kind} from ${step.from} to ${step.to} failed: ${String(cause)}`,
        );
      }
      if (typeof current !== 'object' || current === null || Array.isArray(current)) {
        throw new UpgradeError(`Upgrade of ${kind} from ${step.from} did not return an object`);
      }
      if (current.protocolVersion !== step.to) {
        throw new UpgradeError(
          `Upgrade of ${kind} from ${step.from} did not set protocolVersion to ${step.to}`,
        );
      }
    }
    return current;
  }
}

/** The registry `parseDocument` uses unless given another. Empty in v1. */
export const DEFAULT_UPGRADES = new UpgradeRegistry();
