import { UpgradeError } from './errors.js';
import {
  isSupportedVersion,
  LATEST_PROTOCOL_VERSION,
  PROTOCOL_VERSION_1_0,
  PROTOCOL_VERSION_1_1,
} from './version.js';

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
 * The upgrade functions that let an older document be read as the latest shape: a chain of steps ends at the
 * latest version, or at a supported version no step leads on from (a minor of the latest major is readable as it
 * is). See VERSIONING.md.
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
      // A supported version with no further step is an end: every minor of the latest major is readable as is.
      if (!step && isSupportedVersion(at)) return chain;
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

/** Every document kind of protocol v1 (`DOCUMENT_KINDS`, repeated here because documents.ts imports this file). */
const V1_KINDS = [
  'HandoffPlan',
  'ApprovalClaims',
  'PolicyDecision',
  'LineageEvent',
  'DispatchReceipt',
  'ErrorEnvelope',
] as const;

/**
 * The 1.0 -> 1.1 step of each kind: 1.1 only added optional members, enum members and action types, so every 1.0
 * document is a 1.1 document once it says so; the step sets `protocolVersion` and changes nothing else.
 * `safeParseDocument` does not run it (it validates a 1.0 document as received, so its digest and signatures
 * stand); a reader that wants every document in the latest form calls `DEFAULT_UPGRADES.upgrade(kind, doc)`, and
 * gets a new document with a new digest.
 */
export const UPGRADES_1_0_TO_1_1: readonly DocumentUpgrade[] = V1_KINDS.map((kind) => ({
  kind,
  from: PROTOCOL_VERSION_1_0,
  to: PROTOCOL_VERSION_1_1,
  upgrade: (document) => ({ ...document, protocolVersion: PROTOCOL_VERSION_1_1 }),
}));

/** The registry `parseDocument` uses unless given another: the 1.0 -> 1.1 steps. */
export const DEFAULT_UPGRADES = new UpgradeRegistry(UPGRADES_1_0_TO_1_1);
