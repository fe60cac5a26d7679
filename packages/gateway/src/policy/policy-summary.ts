import type { PolicyRuleView, PolicySummary } from '@handoff/protocol';
import type { PolicySet } from './policy-set.js';
import type { Rule } from './rule.js';

/** A policy set with its version, as the gateway runs it (`PipelineDeps.policy`, `PipelineDeps.shadowPolicy`). */
export interface VersionedPolicySet {
  set: PolicySet;
  /** `sha256:` digest of the set's RFC 8785 form (see `policyVersion`). */
  version: string;
}

/**
 * One rule as `policy.get` shows it: the common members (`id`, `type`, `enforcement`, `description`, `appliesTo`,
 * `overrideRoles`) at the top, every other member (the type's own settings) under `settings`. Rule configs name
 * suppression lists by id only (their files live in the gateway config), so nothing here is a path or a secret.
 */
export function ruleView(rule: Rule): PolicyRuleView {
  const { id, type, enforcement, description, appliesTo, overrideRoles, ...settings } = rule;
  return {
    id,
    type,
    enforcement,
    ...(description !== undefined ? { description } : {}),
    ...(appliesTo !== undefined ? { appliesTo } : {}),
    ...(overrideRoles !== undefined ? { overrideRoles } : {}),
    settings,
  };
}

/**
 * The answer of `policy.get`: the active policy set's id, version and rules (in evaluation order), and the shadow
 * set's id and version (`null` without one).
 */
export function policySummary(
  active: VersionedPolicySet,
  shadow: VersionedPolicySet | undefined,
): PolicySummary {
  return {
    policySetId: active.set.id,
    policyVersion: active.version,
    rules: active.set.rules.map(ruleView),
    shadow: shadow ? { policySetId: shadow.set.id, policyVersion: shadow.version } : null,
  };
}
