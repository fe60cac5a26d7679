import type { z } from 'zod';
import type { Audience } from './audience.js';
import { rule } from './primitives.js';
import {
  PROTOCOL_VERSION_1_1,
  type ProtocolVersion,
  SUPPORTED_PROTOCOL_VERSIONS,
} from './version.js';

type Path = (string | number)[];

/** One use of something a later minor version added: where, and the version that added it. */
export interface VersionedFeature {
  path: Path;
  since: ProtocolVersion;
}

/** What the parts of a plan this module reads look like (a validated plan's shape fits). */
interface PlanParts {
  options: readonly {
    audience: Audience;
    forecast: { of?: string; basis?: unknown };
    actions: readonly { type: string; audience?: Audience; params: object }[];
  }[];
}

const CAMPAIGN_ACTIONS_1_1: ReadonlySet<string> = new Set(['pause_campaign', 'resume_campaign']);

function audienceFeatures(audience: Audience, at: Path, out: VersionedFeature[]): void {
  for (const key of ['anyOf', 'estimatedReach', 'estimatedImpressions'] as const) {
    if (audience[key] !== undefined) out.push({ path: [...at, key], since: PROTOCOL_VERSION_1_1 });
  }
}

/**
 * Every use in `plan` of what protocol 1.1 added: `forecast.of: "change"` and `forecast.basis`, an audience's
 * `anyOf`, `estimatedReach` and `estimatedImpressions`, an action's `audience`, the `pause_campaign` and
 * `resume_campaign` action types, and a campaign action's `params.level`.
 */
export function planFeatures(plan: PlanParts): VersionedFeature[] {
  const out: VersionedFeature[] = [];
  const since = PROTOCOL_VERSION_1_1;
  plan.options.forEach((option, i) => {
    const at: Path = ['options', i];
    if (option.forecast.of === 'change') out.push({ path: [...at, 'forecast', 'of'], since });
    if (option.forecast.basis !== undefined)
      out.push({ path: [...at, 'forecast', 'basis'], since });
    audienceFeatures(option.audience, [...at, 'audience'], out);
    option.actions.forEach((action, j) => {
      const actionAt: Path = [...at, 'actions', j];
      if (CAMPAIGN_ACTIONS_1_1.has(action.type)) out.push({ path: [...actionAt, 'type'], since });
      if ('level' in action.params && action.params.level !== undefined) {
        out.push({ path: [...actionAt, 'params', 'level'], since });
      }
      if (action.audience) {
        out.push({ path: [...actionAt, 'audience'], since });
      }
    });
  });
  return out;
}

/** Every use in a policy decision of what 1.1 added: `actionPaths`. */
export function policyDecisionFeatures(decision: { actionPaths?: unknown }): VersionedFeature[] {
  return decision.actionPaths === undefined
    ? []
    : [{ path: ['actionPaths'], since: PROTOCOL_VERSION_1_1 }];
}

/** True when `version` is older than `since` (both supported versions, newest first in the supported list). */
function olderThan(version: ProtocolVersion, since: ProtocolVersion): boolean {
  return SUPPORTED_PROTOCOL_VERSIONS.indexOf(version) > SUPPORTED_PROTOCOL_VERSIONS.indexOf(since);
}

/**
 * A refinement that refuses, with `REQUIRES_NEWER_VERSION` at each use, what a document's own
 * `protocolVersion` does not have yet: a 1.0 document is read as 1.0, and 1.0 had no such member (objects are
 * closed), so its producer must declare the version that added it.
 */
export function requireDeclaredVersion<T>(features: (document: T) => VersionedFeature[]) {
  return (document: T & { protocolVersion: ProtocolVersion }, ctx: z.RefinementCtx): void => {
    for (const { path, since } of features(document)) {
      if (!olderThan(document.protocolVersion, since)) continue;
      ctx.addIssue({
        code: 'custom',
        path,
        message: `Added in protocol ${since}; this document declares ${document.protocolVersion}: declare "protocolVersion": "${since}" (a receiver that only knows ${document.protocolVersion} then refuses it with UNSUPPORTED_VERSION)`,
        ...rule('REQUIRES_NEWER_VERSION'),
      });
    }
  };
}
