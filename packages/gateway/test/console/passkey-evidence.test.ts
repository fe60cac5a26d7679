import { sha256Digest } from '@handoff/protocol';
import { describe, expect, test } from 'vitest';
import { checkRecordedApproval } from '../../src/audit/approval-evidence.js';
import {
  coseToJwk,
  PASSKEY_EVIDENCE_KIND,
  type PasskeyEvidence,
  passkeyKid,
  passkeyTokenId,
  statementChallenge,
} from '../../src/audit/passkey-evidence.js';
import type { KeyJudge } from '../../src/audit/trust-anchors.js';
import { SoftAuthenticator } from './soft-authenticator.js';

/*
 * The offline verifier's check of passkey approval evidence (plain node:crypto): a software authenticator signs a
 * statement; the evidence verifies against the registered key, and each tampering is refused.
 */

const statement = {
  planDigest: `sha256:${'a'.repeat(64)}`,
  optionId: 'opt-a',
  decision: 'approve',
  maxSpend: { amountMinor: 50_000, currency: 'EUR' },
  expiresAt: '2026-11-21T09:35:00.000Z',
  viewDigest: `sha256:${'b'.repeat(64)}`,
};

function signed(authenticator: SoftAuthenticator, type = 'webauthn.get'): PasskeyEvidence {
  const challenge = statementChallenge(statement).toString('base64url');
  const { response } = authenticator.assert(challenge, type);
  return {
    kind: PASSKEY_EVIDENCE_KIND,
    statement,
    rpId: 'localhost',
    alg: 'ES256',
    credentialId: authenticator.id,
    ...response,
  };
}

/** Checks evidence as recorded by the gateway: the event's facts, the registration's key for its kid. */
function check(evidence: PasskeyEvidence, registered: SoftAuthenticator) {
  const token = JSON.stringify(evidence);
  const jwk = coseToJwk(registered.coseKey());
  const judge: KeyJudge = async () => ({ ok: true, jwk });
  const data = {
    approver: 'ana.finance',
    role: 'finance',
    decision: 'approve',
    optionId: 'opt-a',
    kid: passkeyKid(registered.id),
    jti: passkeyTokenId(registered.id, statementChallenge(statement)),
    maxSpend: statement.maxSpend,
  };
  const recorded = {
    tokenDigest: sha256Digest(token),
    tenantId: 'acme-bank',
    planId: '019a8f2e-5c4b-7d3e-9a1f-000000000001',
    planDigest: statement.planDigest,
    data,
  };
  return checkRecordedApproval(recorded, token, judge, undefined);
}

describe('passkey approval evidence, offline', () => {
  const ana = new SoftAuthenticator();

  test('the assertion verifies against the registered credential key (ES256 COSE key)', async () => {
    expect(coseToJwk(ana.coseKey())).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    await expect(check(signed(ana), ana)).resolves.toBeUndefined();
  });

  test('a flipped signature byte is refused', async () => {
    const evidence = signed(ana);
    const bytes = Buffer.from(evidence.signature, 'base64url');
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 0x01;
    const problem = await check({ ...evidence, signature: bytes.toString('base64url') }, ana);
    expect(problem).toMatchObject({ code: 'APPROVAL_SIGNATURE_INVALID' });
  });

  test('a changed statement no longer matches the signed challenge', async () => {
    const evidence = signed(ana);
    const widened = { ...statement, maxSpend: { amountMinor: 90_000, currency: 'EUR' } };
    const problem = await check({ ...evidence, statement: widened }, ana);
    expect(problem).toMatchObject({ code: 'APPROVAL_SIGNATURE_INVALID' });
    expect(problem?.message).toContain('challenge');
  });

  test('client data of another type, another relying party, no user presence are refused', async () => {
    const created = await check(signed(ana, 'webauthn.create'), ana);
    expect(created?.message).toContain('webauthn.get');
    const elsewhere = await check({ ...signed(ana), rpId: 'evil.example' }, ana);
    expect(elsewhere?.message).toContain('relying party');
    const evidence = signed(ana);
    const authData = Buffer.from(evidence.authenticatorData, 'base64url');
    authData[32] = 0x00;
    const absent = await check(
      { ...evidence, authenticatorData: authData.toString('base64url') },
      ana,
    );
    expect(absent?.message).toContain('UP flag');
  });

  test("another person's key does not verify the assertion", async () => {
    const ben = new SoftAuthenticator();
    const evidence = { ...signed(ana), credentialId: ben.id };
    const problem = await check(evidence, ben);
    expect(problem).toMatchObject({ code: 'APPROVAL_SIGNATURE_INVALID' });
  });
});
