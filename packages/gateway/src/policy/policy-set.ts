import { type Digest, documentDigest, IdentifierSchema, LIMITS } from '@handoff/protocol';
import { parseDocument as parseYamlDocument } from 'yaml';
import { z } from 'zod';
import { GatewayError } from '../errors.js';
import { policyIssues } from './config-issues.js';
import { RuleSchema } from './rule.js';

/** Shortest approval window a policy set may configure: one minute. */
export const MIN_APPROVAL_TTL_SECONDS = 60;
/** Longest approval window a policy set may configure: 30 days. */
export const MAX_APPROVAL_TTL_SECONDS = 2_592_000;
/** The approval window when a policy set configures none: 24 hours. */
export const DEFAULT_APPROVAL_TTL_SECONDS = 86_400;
/** Most rules in one policy set. */
export const MAX_RULES = 200;
/** Largest policy document {@link loadPolicySet} accepts, in bytes of UTF-8 text (512 KiB). */
export const MAX_POLICY_SET_BYTES = 524_288;

/**
 * A policy set: the declarative rules the gateway applies to every plan.
 *
 * - `id`: an identifier (letters, digits, `._:-`; 1-128 characters).
 * - `version`: a label for people (e.g. `"3"`; 1-64 characters). The version that binds decisions and approvals is
 *   the digest {@link policyVersion}, not this label.
 * - `description`: optional, 1-4,000 characters.
 * - `approvalTtlSeconds`: how long approvals may be collected, in whole seconds, 60..2,592,000 (one minute to 30
 *   days); absent means {@link DEFAULT_APPROVAL_TTL_SECONDS} (read it with {@link approvalWindowSeconds}).
 * - `rules`: 1..200 rules (see `RuleSchema`) with distinct `id`s; a repeated id is reported at
 *   `/rules/<i>/id` with `DUPLICATE_RULE_ID`.
 *
 * Objects are strict: unknown keys are rejected (`UNRECOGNIZED_KEY`). Parsing applies no defaults, so the
 * validated value equals the input and its digest is the digest of what the author wrote.
 */
export const PolicySetSchema = z
  .strictObject({
    id: IdentifierSchema,
    version: z.string().min(1).max(64),
    description: z.string().min(1).max(LIMITS.MAX_TEXT_LENGTH).optional(),
    approvalTtlSeconds: z
      .int()
      .min(MIN_APPROVAL_TTL_SECONDS)
      .max(MAX_APPROVAL_TTL_SECONDS)
      .optional(),
    rules: z.array(RuleSchema).min(1).max(MAX_RULES),
  })
  .superRefine((set, ctx) => {
    const firstIndex = new Map<string, number>();
    set.rules.forEach((rule, index) => {
      const earlier = firstIndex.get(rule.id);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'id'],
          message: `Rule id ${JSON.stringify(rule.id)} is already used by /rules/${earlier}`,
          params: { code: 'DUPLICATE_RULE_ID' },
        });
      } else {
        firstIndex.set(rule.id, index);
      }
    });
  });

/** A validated policy set (see {@link PolicySetSchema}). */
export type PolicySet = z.infer<typeof PolicySetSchema>;

/** The approval window of `set` in seconds: its `approvalTtlSeconds`, or {@link DEFAULT_APPROVAL_TTL_SECONDS}. */
export function approvalWindowSeconds(set: PolicySet): number {
  return set.approvalTtlSeconds ?? DEFAULT_APPROVAL_TTL_SECONDS;
}

/**
 * The version of a policy set that decisions record and approvals bind to: `sha256:<hex>` of its RFC 8785 canonical
 * JSON (`documentDigest` of `@handoff/protocol`). Any change to any rule changes it; key order and YAML vs JSON
 * formatting do not.
 */
export function policyVersion(set: PolicySet): Digest {
  return documentDigest(set);
}

function invalid(message: string, code: string, path = ''): GatewayError {
  return new GatewayError('VALIDATION_FAILED', message, { issues: [{ path, code, message }] });
}

function parseText(text: string, format: 'json' | 'yaml'): unknown {
  if (format === 'json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw invalid(`Policy set is not valid JSON: ${(error as Error).message}`, 'INVALID_JSON');
    }
  }
  const document = parseYamlDocument(text, { prettyErrors: false, uniqueKeys: true });
  const [error] = document.errors;
  if (error !== undefined) {
    throw invalid(`Policy set is not valid YAML: ${error.message}`, 'INVALID_YAML');
  }
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw invalid(`Policy set is not valid YAML: ${(cause as Error).message}`, 'INVALID_YAML');
  }
}

/**
 * Parses and validates a policy set from JSON or YAML text (YAML 1.2 core schema, via the `yaml` package; duplicate
 * keys are errors). Without `format`, text whose first non-blank character is `{` is read as JSON, anything else as
 * YAML.
 *
 * @throws GatewayError `VALIDATION_FAILED`, whose `issues` (`{ path, code, message }`, `path` a JSON Pointer into the
 *   policy document) say why: `DOCUMENT_TOO_LARGE` (over {@link MAX_POLICY_SET_BYTES}), `INVALID_JSON`,
 *   `INVALID_YAML`, or the schema issues listed at `policyIssues` (e.g. `/rules/2/type` `UNKNOWN_RULE_TYPE`,
 *   `/rules/1/id` `DUPLICATE_RULE_ID`, `/rules/0/spendAtLeast/0/currency` `UNKNOWN_CURRENCY`).
 */
export function loadPolicySet(text: string, format?: 'json' | 'yaml'): PolicySet {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_POLICY_SET_BYTES) {
    throw invalid(
      `Policy set is ${size} bytes; the limit is ${MAX_POLICY_SET_BYTES}`,
      'DOCUMENT_TOO_LARGE',
    );
  }
  const resolved = format ?? (text.trimStart().startsWith('{') ? 'json' : 'yaml');
  const result = PolicySetSchema.safeParse(parseText(text, resolved), { reportInput: true });
  if (result.success) return result.data;
  const issues = policyIssues(result.error.issues);
  const summary = issues
    .slice(0, 3)
    .map((issue) => `${issue.path || '/'}: ${issue.message}`)
    .join('; ');
  throw new GatewayError('VALIDATION_FAILED', `Policy set is invalid: ${summary}`, { issues });
}
