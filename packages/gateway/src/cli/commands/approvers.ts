import { readFileSync } from 'node:fs';
import { PERSON_ACCESS_ROLES } from '@handoff/protocol';
import { type Command, InvalidArgumentError } from 'commander';
import type { ApproverView } from '../../approvals/approver-admin.js';
import { hasPrivateMembers } from '../../approvals/signing-keys.js';
import { GatewayError } from '../../errors.js';
import { gatewayClient } from '../client.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { printResult } from '../output.js';
import { run } from '../run-command.js';

interface RemoteOptions {
  url: string;
  apiKey?: string;
  json?: boolean;
}

interface KeyOptions {
  publicKey: string;
  kid?: string;
}

function invalid(message: string): GatewayError {
  return new GatewayError('VALIDATION_FAILED', message, {
    issues: [{ path: '', code: 'INVALID_KEY_FILE', message }],
  });
}

/**
 * The public JWK to register, read from `file`: a JWK, or a JWKS (RFC 7517 section 5) whose member `kid` is
 * picked (`kid` may be omitted when the set holds one key). The kid is `kid`, else the JWK's own.
 *
 * @throws GatewayError `VALIDATION_FAILED` (exit 1) when the file is not JSON, holds private key material, has no
 *   such kid, or no kid can be told.
 */
export function readPublicKey(
  file: string,
  kid?: string,
): { kid: string; jwk: Record<string, unknown> } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw invalid(`${file} is not a readable JSON file`);
  }
  if (typeof json !== 'object' || json === null) throw invalid(`${file} is not a JWK or a JWKS`);
  const members: unknown[] = Array.isArray((json as { keys?: unknown }).keys)
    ? (json as { keys: unknown[] }).keys
    : [json];
  const keys = members.filter(
    (m): m is Record<string, unknown> => typeof m === 'object' && m !== null,
  );
  const picked =
    kid === undefined ? (keys.length === 1 ? keys[0] : undefined) : keys.find((k) => k.kid === kid);
  if (picked === undefined) {
    throw invalid(
      kid === undefined
        ? `${file} holds several keys: name one with --kid`
        : `${file} has no kid ${kid}`,
    );
  }
  if (hasPrivateMembers(picked)) {
    throw invalid(`${file} holds a private key: register the public key only`);
  }
  const resolved = kid ?? (typeof picked.kid === 'string' ? picked.kid : undefined);
  if (resolved === undefined) throw invalid(`The key in ${file} has no kid: give one with --kid`);
  return { kid: resolved, jwk: picked };
}

function line(a: ApproverView): string {
  const revoked =
    a.status === 'revoked' ? ` (revoked ${a.revokedAt} by ${a.revokedBy}: ${a.reason})` : '';
  return `${a.kid} ${a.status} ${a.subject} [${a.roles.join(', ')}] ${a.jwk.alg} thumbprint ${a.thumbprint}${revoked}`;
}

function roleList(value: string): string[] {
  return value
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
}

type Access = (typeof PERSON_ACCESS_ROLES)[number];

/** `--access`: a comma-separated list of `approver`, `operator`, `auditor`. */
function accessList(value: string): Access[] {
  const roles = roleList(value);
  const unknown = roles.filter((r) => !(PERSON_ACCESS_ROLES as readonly string[]).includes(r));
  if (unknown.length > 0 || roles.length === 0) {
    throw new InvalidArgumentError(`expected some of ${PERSON_ACCESS_ROLES.join(', ')}`);
  }
  return roles as Access[];
}

function remote<T extends Command>(command: T): T {
  return command
    .requiredOption('--url <url>', 'gateway URL')
    .option('--api-key <key>', 'API key (default: $HANDOFF_API_KEY)')
    .option('--json', 'print JSON');
}

/**
 * `handoff approvers list|add|revoke|rotate|invite`: the approver registry of the caller's tenant (registries are per
 * tenant: kids and keys of other tenants are neither seen nor in the way), through the gateway's
 * `approvers.*` procedures (list: operator or auditor; the others: operator). `add` registers a public key (a JWK
 * or JWKS file, e.g. the `jwks.json` of `handoff keys generate`) for a subject and roles; `rotate` registers a new
 * key for an approver and revokes its old one in one step; `revoke` refuses every later token of a key; `invite`
 * prints a one-time enrolment link for a person to register a passkey with in the console (`approvers.invite`). Exit
 * codes: 0 done, 1 refused (e.g. `APPROVER_REGISTRY_CONFLICT`, `NOT_FOUND`, a bad key file), 2 a bad option,
 * 4 gateway unreachable (see `EXIT`).
 */
export function registerApprovers(
  approvers: Command,
  io: Io,
  setExit: (code: ExitCode) => void,
): void {
  remote(approvers.command('list').description("list the tenant's approver keys")).action(
    async (opts: RemoteOptions) => {
      setExit(
        await run(io, opts.json ?? false, async () => {
          const list = await gatewayClient(opts.url, opts.apiKey).approvers.list.query();
          printResult(io, opts.json ?? false, list, () =>
            list.length === 0 ? 'no approver keys' : list.map(line).join('\n'),
          );
          return EXIT.OK;
        }),
      );
    },
  );
  remote(
    approvers
      .command('add')
      .description('register a public key for an approver of your tenant')
      .requiredOption('--subject <id>', 'the approver identity (the sub of its approvals)')
      .requiredOption('--roles <list>', 'comma-separated approval roles, e.g. finance', roleList)
      .requiredOption('--public-key <file>', 'a public JWK or JWKS file')
      .option('--kid <kid>', "the key's id (default: the JWK's kid)"),
  ).action(async (opts: RemoteOptions & KeyOptions & { subject: string; roles: string[] }) => {
    setExit(
      await run(io, opts.json ?? false, async () => {
        const { kid, jwk } = readPublicKey(opts.publicKey, opts.kid);
        const added = await gatewayClient(opts.url, opts.apiKey).approvers.register.mutate({
          kid,
          subject: opts.subject,
          roles: opts.roles,
          jwk,
        });
        printResult(io, opts.json ?? false, added, () => `registered ${line(added)}`);
        return EXIT.OK;
      }),
    );
  });
  remote(
    approvers
      .command('invite')
      .description('print a one-time link for a person to enrol a passkey in the console')
      .option('--tenant <id>', "the person's tenant (must be yours; default: yours)")
      .requiredOption('--subject <id>', 'the person (the approver identity)')
      .requiredOption('--roles <list>', 'comma-separated approval roles, e.g. finance', roleList)
      .option(
        '--access <list>',
        'console access: approver (default), operator, auditor',
        accessList,
      ),
  ).action(
    async (
      opts: RemoteOptions & {
        tenant?: string;
        subject: string;
        roles: string[];
        access?: Access[];
      },
    ) => {
      setExit(
        await run(io, opts.json ?? false, async () => {
          const invitation = await gatewayClient(opts.url, opts.apiKey).approvers.invite.mutate({
            subject: opts.subject,
            roles: opts.roles,
            ...(opts.tenant ? { tenantId: opts.tenant } : {}),
            ...(opts.access ? { access: opts.access } : {}),
          });
          printResult(io, opts.json ?? false, invitation, () =>
            [
              `enrolment link for ${invitation.subject} (${invitation.tenantId}), valid until ${invitation.expiresAt}:`,
              invitation.enrolmentUrl,
            ].join('\n'),
          );
          return EXIT.OK;
        }),
      );
    },
  );
  remote(
    approvers
      .command('revoke <kid>')
      .description('revoke an approver key: its later tokens are refused')
      .requiredOption('--reason <text>', 'why (recorded in the lineage)'),
  ).action(async (kid: string, opts: RemoteOptions & { reason: string }) => {
    setExit(
      await run(io, opts.json ?? false, async () => {
        const revoked = await gatewayClient(opts.url, opts.apiKey).approvers.revoke.mutate({
          kid,
          reason: opts.reason,
        });
        printResult(io, opts.json ?? false, revoked, () => line(revoked));
        return EXIT.OK;
      }),
    );
  });
  remote(
    approvers
      .command('rotate <oldKid>')
      .description('register a new key for an approver and revoke its old one, in one step')
      .requiredOption('--public-key <file>', 'the new public JWK or JWKS file')
      .requiredOption('--reason <text>', 'why (recorded in the lineage)')
      .option('--kid <kid>', "the new key's id (default: the JWK's kid)")
      .option('--roles <list>', 'comma-separated roles (default: the old key’s)', roleList),
  ).action(
    async (
      oldKid: string,
      opts: RemoteOptions & KeyOptions & { reason: string; roles?: string[] },
    ) => {
      setExit(
        await run(io, opts.json ?? false, async () => {
          const { kid, jwk } = readPublicKey(opts.publicKey, opts.kid);
          const rotated = await gatewayClient(opts.url, opts.apiKey).approvers.rotate.mutate({
            oldKid,
            kid,
            jwk,
            reason: opts.reason,
            ...(opts.roles ? { roles: opts.roles } : {}),
          });
          printResult(io, opts.json ?? false, rotated, () =>
            [`registered ${line(rotated.registered)}`, `revoked ${line(rotated.revoked)}`].join(
              '\n',
            ),
          );
          return EXIT.OK;
        }),
      );
    },
  );
}
