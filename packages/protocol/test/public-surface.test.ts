import { describe, expect, test } from 'vitest';
import {
  HANDOFF_PROTOCOL_VERSION,
  JSON_SCHEMA_UNEXPRESSED_CODES,
  LATEST_PROTOCOL_VERSION,
  LINEAGE_EVENT_TYPES,
  PROTOCOL_ISSUE_CODES,
  PROTOCOL_VERSION_1_0,
  PROTOCOL_VERSION_1_1,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '../src/index.js';

/*
 * Surface pins: the names below are public. Producers, receivers and auditors in any language match on them, so
 * renaming or removing one is a breaking change (next major version) and this test fails on purpose.
 *
 * (The document kinds are pinned in documents.test.ts.)
 *
 * Adding one (a new issue code, lineage event type or supported version) is additive: append it
 * to its list in the source AND here, run `pnpm generate` (the JSON Schema and declarations list them), and
 * release it in the next minor version, as packages/protocol/VERSIONING.md says. The lists are literal on
 * purpose: a change to the public surface must be a visible edit of this file in review.
 */

describe('protocol surface pins', () => {
  test('version constants', () => {
    expect(LATEST_PROTOCOL_VERSION).toBe('1.1');
    expect(HANDOFF_PROTOCOL_VERSION).toBe('1.1');
    expect([...SUPPORTED_PROTOCOL_VERSIONS]).toEqual(['1.1', '1.0']);
    expect([PROTOCOL_VERSION_1_0, PROTOCOL_VERSION_1_1]).toEqual(['1.0', '1.1']);
  });

  test('lineage event types, in order (new ones go at the end)', () => {
    expect([...LINEAGE_EVENT_TYPES]).toEqual([
      'plan.received',
      'plan.rejected',
      'plan.provenance_verified',
      'plan.state_changed',
      'policy.evaluated',
      'budget.reserved',
      'budget.refused',
      'budget.committed',
      'budget.released',
      'approval.accepted',
      'approval.refused',
      'approval.escalated',
      'dispatch.queued',
      'dispatch.attempted',
      'dispatch.succeeded',
      'dispatch.failed',
      'dispatch.retry_scheduled',
      'dispatch.in_doubt',
      'dispatch.dead_lettered',
      'dispatch.retried',
      'dispatch.abandoned',
      'control.paused',
      'control.resumed',
      'control.caps_set',
      'control.policy_set',
      'control.key_registered',
      'control.approver_registered',
      'control.approver_revoked',
      'control.held',
      'checkpoint.signed',
      'rollback.requested',
      'rollback.approved',
      'rollback.queued',
      'rollback.irreversible',
      'rollback.attempted',
      'rollback.succeeded',
      'rollback.failed',
      'rollback.retry_scheduled',
      'rollback.in_doubt',
      'rollback.dead_lettered',
      'rollback.completed',
      'outcome.reported',
      'policy.shadow_evaluated',
      'dispatch.preflight_failed',
    ]);
  });

  test('protocol issue codes', () => {
    expect([...PROTOCOL_ISSUE_CODES]).toEqual([
      'INVALID_JSON',
      'DOCUMENT_TOO_LARGE',
      'UNSUPPORTED_VERSION',
      'REQUIRED',
      'INVALID_TYPE',
      'INVALID_VALUE',
      'INVALID_FORMAT',
      'INVALID_DISCRIMINATOR',
      'UNRECOGNIZED_KEY',
      'TOO_SMALL',
      'TOO_BIG',
      'NOT_INTEGER',
      'DUPLICATE_ITEM',
      'FORBIDDEN_KEY',
      'MISSING_ONE_OF',
      'INVALID_INPUT',
      'MONEY_NOT_INTEGER',
      'MONEY_NEGATIVE',
      'MONEY_UNSAFE_INTEGER',
      'UNKNOWN_CURRENCY',
      'RECOMMENDED_OPTION_NOT_FOUND',
      'DUPLICATE_OPTION_ID',
      'DUPLICATE_ACTION_ID',
      'ACTIONS_EXCEED_BUDGET',
      'CURRENCY_MISMATCH',
      'FORECAST_NOT_MONOTONIC',
      'EXPIRY_NOT_AFTER_CREATION',
      'UNKNOWN_INPUT_REFERENCE',
      'DUPLICATE_INPUT_ID',
      'REQUIRES_NEWER_VERSION',
    ]);
  });

  test('the issue codes JSON Schema cannot express (only zod and conforming validators check them)', () => {
    expect([...JSON_SCHEMA_UNEXPRESSED_CODES]).toEqual([
      'DOCUMENT_TOO_LARGE',
      'RECOMMENDED_OPTION_NOT_FOUND',
      'DUPLICATE_OPTION_ID',
      'DUPLICATE_ACTION_ID',
      'ACTIONS_EXCEED_BUDGET',
      'CURRENCY_MISMATCH',
      'FORECAST_NOT_MONOTONIC',
      'EXPIRY_NOT_AFTER_CREATION',
      'UNKNOWN_INPUT_REFERENCE',
      'DUPLICATE_INPUT_ID',
      'REQUIRES_NEWER_VERSION',
    ]);
  });
});
