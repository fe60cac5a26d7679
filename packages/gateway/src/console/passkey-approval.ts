import {
  type ApprovalClaims,
  type ApprovalView,
  canonicalJson,
  HANDOFF_PROTOCOL_VERSION,
  type Money,
  type PasskeyOptionsInputSchema,
  type PasskeyStatement,
  type SubmitPasskeyInputSchema,
  sha256Digest,
} from '@handoff/protocol';
import { generateAuthenticationOptions } from '@simplewebauthn/server';
import type { z } from 'zod';
import type { VerificationJwk } from '../approvals/jwks.js';
import {
  PASSKEY_EVIDENCE_KIND,
  type PasskeyEvidence,
  passkeyTokenId,
  statementChallenge,
} from '../audit/passkey-evidence.js';
import type { Principal } from '../auth/principal.js';
import { GatewayError, isGatewayError } from '../errors.js';
import { applyVerifiedApproval } from '../pipeline/approve-plan.js';
import { loadPlanDocument } from '../pipeline/deps.js';
import { recordUnverifiedRefusal } from '../pipeline/record-approval.js';
import { evaluationOf } from '../pipeline/recorded-evaluation.js';
import { spendWidenedMessage } from '../pipeline/spend-message.js';
import type { OptionEvaluation } from '../policy/evaluate.js';
import type { PlanRecord } from '../store/store.js';
import { approvalView, approvalViewDigest } from './approval-view.js';
import { CHALLENGE_TTL_MS, type ConsoleContext } from './console-context.js';
import { verifyAssertion } from './sign-in.js';

type Decision = z.infer<typeof PasskeyOptionsInputSchema>;

interface Viewed {
  record: PlanRecord;
  evaluation: OptionEvaluation;
  view: ApprovalView;
  viewDigest: string;
}

/** The stored plan's view of one option in the caller's tenant (`NOT_FOUND` for another tenant's or none). */
async function viewOf(ctx: ConsoleContext, principal: Principal, planId: string, optionId: string) {
  return ctx.deps.store.transaction(async (tx): Promise<Viewed> => {
    const record = await tx.getPlan(principal.tenantId, planId);
    if (!record) throw new GatewayError('NOT_FOUND', `No plan ${planId} in this tenant`);
    const plan = await loadPlanDocument(tx, record);
    const option = plan.options.find((o) => o.optionId === optionId);
    const evaluation = (await evaluationOf(tx, record)).options[optionId];
    if (!option || !evaluation) {
      throw new GatewayError('NOT_FOUND', `Plan ${planId} has no option ${optionId}`);
    }
    const view = approvalView({
      plan,
      planDigest: record.digest,
      tenantId: record.tenantId,
      approvalDeadline: record.approvalDeadline,
      policyVersion: record.policyVersion,
      option,
      evaluation,
    });
    return { record, evaluation, view, viewDigest: approvalViewDigest(view) };
  });
}

/**
 * The approval view of one option of a plan of the caller's tenant and its digest (`approvals.view`).
 *
 * @throws GatewayError `NOT_FOUND` (no such plan in the tenant, or no such option).
 */
export async function viewApproval(
  ctx: ConsoleContext,
  principal: Principal,
  planId: string,
  optionId: string,
) {
  const { view, viewDigest } = await viewOf(ctx, principal, planId, optionId);
  return { view, viewDigest };
}

/** The decision's view, checked: the digest the console rendered, a plan awaiting approval, an allowed option. */
async function checkedView(ctx: ConsoleContext, principal: Principal, input: Decision) {
  const viewed = await viewOf(ctx, principal, input.planId, input.optionId);
  if (viewed.viewDigest !== input.viewDigest) {
    throw new GatewayError(
      'APPROVAL_VIEW_MISMATCH',
      'The page shows another view of this plan than the gateway holds (stale or altered): reload it and review',
    );
  }
  if (viewed.record.state !== 'awaiting_approval') {
    throw new GatewayError(
      'PLAN_NOT_AWAITING_APPROVAL',
      `The plan is ${viewed.record.state}, not awaiting approval`,
    );
  }
  if (viewed.evaluation.outcome === 'deny') {
    throw new GatewayError(
      'APPROVAL_OPTION_INVALID',
      `Option ${input.optionId} was denied by policy`,
    );
  }
  return viewed;
}

/**
 * The maximum spend of a decision: the view's (the option's budget), or a narrower one the approver chose. An
 * approval never widens it; it must cover the option's estimated cost.
 *
 * @throws GatewayError `VALIDATION_FAILED` (another currency), `APPROVAL_SPEND_WIDENED` (more than the view's, at
 *   `/maxSpend/amountMinor`), `APPROVAL_SPEND_TOO_LOW`.
 */
function maxSpendOf(view: ApprovalView, input: Decision): Money {
  const { maxSpend, estimatedCost } = view.option.money;
  const chosen = input.maxSpend ?? maxSpend;
  if (chosen.currency !== maxSpend.currency) {
    const message = `maxSpend may narrow the option's ${maxSpend.amountMinor} ${maxSpend.currency}, never change its currency`;
    throw new GatewayError('VALIDATION_FAILED', message, {
      issues: [{ path: '/maxSpend/currency', code: 'CURRENCY_MISMATCH', message }],
    });
  }
  if (chosen.amountMinor > maxSpend.amountMinor) {
    const message = spendWidenedMessage(chosen, {
      optionId: view.option.optionId,
      budget: view.option.money.budget,
    });
    throw new GatewayError('APPROVAL_SPEND_WIDENED', message, {
      issues: [{ path: '/maxSpend/amountMinor', code: 'APPROVAL_SPEND_WIDENED', message }],
    });
  }
  if (input.decision === 'approve' && chosen.amountMinor < estimatedCost.amountMinor) {
    throw new GatewayError(
      'APPROVAL_SPEND_TOO_LOW',
      `maxSpend ${chosen.amountMinor} ${chosen.currency} does not cover the option's estimated cost of ${estimatedCost.amountMinor}`,
    );
  }
  return chosen;
}

/**
 * The WebAuthn challenge of one decision (`approvals.passkeyOptions`): the statement {planDigest, optionId,
 * decision, maxSpend, expiresAt, viewDigest}, `expiresAt` 5 minutes on (never after the approval deadline), and
 * request options whose challenge is SHA-256 over its RFC 8785 form, allowing the caller's passkeys.
 *
 * @throws GatewayError `NOT_FOUND`, `APPROVAL_VIEW_MISMATCH`, `PLAN_NOT_AWAITING_APPROVAL`,
 *   `APPROVAL_OPTION_INVALID`, `VALIDATION_FAILED` (another currency), `APPROVAL_SPEND_WIDENED`,
 *   `APPROVAL_SPEND_TOO_LOW`.
 */
export async function passkeyOptions(ctx: ConsoleContext, principal: Principal, input: Decision) {
  const { record, view } = await checkedView(ctx, principal, input);
  const maxSpend = maxSpendOf(view, input);
  const expiresAt = Math.min(ctx.deps.clock.now() + CHALLENGE_TTL_MS, record.approvalDeadline);
  const statement: PasskeyStatement = {
    planDigest: record.digest,
    optionId: input.optionId,
    decision: input.decision,
    maxSpend,
    expiresAt: new Date(expiresAt).toISOString(),
    viewDigest: input.viewDigest,
  };
  const mine = await ctx.deps.store.transaction((tx) =>
    tx.passkeys.listPasskeys(principal.tenantId, principal.id),
  );
  const options = await generateAuthenticationOptions({
    rpID: ctx.options.rpId,
    challenge: new Uint8Array(statementChallenge(statement)),
    allowCredentials: mine.map((p) => ({ id: p.credentialId })),
    userVerification: 'preferred',
    timeout: CHALLENGE_TTL_MS,
  });
  return { statement, options };
}

/**
 * Approves or rejects with a passkey (`approvals.submitPasskey`). The gateway recomputes the view from the stored
 * plan (`APPROVAL_VIEW_MISMATCH` when the page showed another), rebuilds the statement, and verifies the assertion
 * over its hash with the caller's own registered passkey (`PASSKEY_VERIFICATION_FAILED`; a passkey of another
 * person is `APPROVAL_SUBJECT_MISMATCH`: a credential is bound to its subject). Then the approval goes through the
 * JWS approvals' pipeline (`applyVerifiedApproval`: quorum, separation of duties, kill switch, replay by the
 * challenge as token id, budget), its evidence (the statement and the assertion: authenticator data, client data
 * JSON, signature, credential id) stored as the approval's token for the offline verifier. Its token id is
 * `passkeyTokenId` (credential id and challenge): the same assertion is accepted once.
 *
 * @throws GatewayError as {@link passkeyOptions}, `APPROVAL_EXPIRED`, `PASSKEY_VERIFICATION_FAILED`,
 *   `APPROVAL_SUBJECT_MISMATCH`, and the pipeline's codes (`APPROVAL_REPLAYED`, `APPROVAL_DUPLICATE_APPROVER`,
 *   `APPROVAL_ROLE_NOT_REQUIRED`, `APPROVAL_SELF_APPROVAL`, `SCOPE_PAUSED`, `BUDGET_EXCEEDED`, ...).
 */
export async function submitPasskey(
  ctx: ConsoleContext,
  principal: Principal,
  input: z.infer<typeof SubmitPasskeyInputSchema>,
) {
  const { record, view, evaluation } = await checkedView(ctx, principal, input);
  const statement: PasskeyStatement = {
    planDigest: record.digest,
    optionId: input.optionId,
    decision: input.decision,
    maxSpend: maxSpendOf(view, input),
    expiresAt: input.expiresAt,
    viewDigest: input.viewDigest,
  };
  const now = ctx.deps.clock.now();
  const expiresAtMs = Date.parse(input.expiresAt);
  if (!(now < expiresAtMs)) {
    throw new GatewayError('APPROVAL_EXPIRED', 'The passkey challenge has expired: sign again');
  }
  const challengeBytes = statementChallenge(statement);
  const challenge = challengeBytes.toString('base64url');
  const passkey = await verifyAssertion(ctx, input.response, (c) => c === challenge).catch(
    async (error: unknown) => {
      if (isGatewayError(error)) await recordUnverifiedRefusal(ctx.deps, principal, error);
      throw error;
    },
  );
  if (passkey.tenantId !== principal.tenantId || passkey.subject !== principal.id) {
    const error = new GatewayError(
      'APPROVAL_SUBJECT_MISMATCH',
      "This passkey is another person's: one approver cannot sign as another",
    );
    await recordUnverifiedRefusal(ctx.deps, principal, error);
    throw error;
  }
  const registration = await ctx.deps.store.transaction((tx) =>
    tx.getApproverKey(passkey.tenantId, passkey.kid),
  );
  const roles = registration?.roles ?? [];
  const role =
    input.role ??
    roles.find((r) => evaluation.gates.some((g) => g.roles.includes(r))) ??
    roles[0] ??
    'approver';
  const publicJwk = JSON.parse(registration?.jwk ?? '{}') as VerificationJwk;
  const evidence: PasskeyEvidence = {
    kind: PASSKEY_EVIDENCE_KIND,
    statement,
    rpId: ctx.options.rpId,
    alg: publicJwk.alg,
    credentialId: passkey.credentialId,
    authenticatorData: input.response.response.authenticatorData,
    clientDataJSON: input.response.response.clientDataJSON,
    signature: input.response.response.signature,
    ...(input.reason ? { reason: input.reason } : {}),
  };
  const token = canonicalJson(evidence);
  const claims: ApprovalClaims = {
    protocolVersion: HANDOFF_PROTOCOL_VERSION,
    kind: 'ApprovalClaims',
    iss: 'handoff-console',
    sub: passkey.subject,
    aud: ctx.deps.gatewayId,
    iat: Math.floor(now / 1000),
    nbf: Math.floor(now / 1000),
    exp: Math.max(Math.ceil(expiresAtMs / 1000), Math.floor(now / 1000) + 1),
    jti: passkeyTokenId(passkey.credentialId, challengeBytes),
    planId: record.planId,
    planDigest: record.digest,
    optionId: input.optionId,
    policyVersion: record.policyVersion,
    decision: input.decision,
    maxSpend: statement.maxSpend,
    role,
    ...(input.reason ? { comment: input.reason } : {}),
  };
  const verified = {
    claims,
    header: { alg: publicJwk.alg, kid: passkey.kid, typ: 'handoff-passkey+json' },
    publicJwk,
    tokenDigest: sha256Digest(token),
  };
  const result = await applyVerifiedApproval(ctx.deps, principal, verified, token);
  return { ...result.view, decisive: result.decisive };
}
