import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { generateSigningKeyPair } from '../../approvals/signing-keys.js';
import { generateApiKey, hashApiKey } from '../../auth/api-keys.js';
import { isRole } from '../../auth/principal.js';
import { GatewayError } from '../../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { printResult } from '../output.js';
import { run } from '../run-command.js';

/** An existing JWKS file. @throws GatewayError `CONFIG_INVALID` (exit 3) when it is not `{ "keys": [...] }`. */
function readJwks(file: string): { keys: unknown[] } {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new GatewayError('CONFIG_INVALID', `Cannot read the JWKS file ${file}`, {
      issues: [{ path: '', code: 'UNREADABLE', message: (error as Error).message }],
    });
  }
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) {
    throw new GatewayError('CONFIG_INVALID', `${file} is not a JWKS`, {
      issues: [{ path: '/keys', code: 'REQUIRED', message: 'Expected an array of keys' }],
    });
  }
  return { ...(value as object), keys };
}

/**
 * `handoff keys generate` writes a signing key pair: the private JWK (file mode 0600) and the public key added to a
 * JWKS file (created if missing; existing keys are kept, so rotation is adding a key and later removing the old).
 * `handoff keys api-key` prints a new API key once, and the hashed entry for the config.
 */
export function registerKeys(keys: Command, io: Io, setExit: (code: ExitCode) => void): void {
  keys
    .command('generate')
    .description('generate an EdDSA (Ed25519) or ES256 signing key pair')
    .addOption(
      new Option('--alg <alg>', 'signing algorithm').choices(['EdDSA', 'ES256']).default('EdDSA'),
    )
    .option('--kid <kid>', 'key id (default: the RFC 7638 thumbprint)')
    .requiredOption('--out <dir>', 'folder for the private key file')
    .option('--jwks <file>', 'JWKS file to add the public key to (default: <out>/jwks.json)')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        alg: 'EdDSA' | 'ES256';
        kid?: string;
        out: string;
        jwks?: string;
        json?: boolean;
      }) => {
        setExit(
          await run(io, opts.json ?? false, async () => {
            const pair = await generateSigningKeyPair({
              alg: opts.alg,
              ...(opts.kid ? { kid: opts.kid } : {}),
            });
            mkdirSync(opts.out, { recursive: true });
            const privateKeyFile = join(opts.out, `${pair.kid}.private.jwk.json`);
            writeFileSync(privateKeyFile, `${JSON.stringify(pair.privateJwk, null, 2)}\n`, {
              mode: 0o600,
            });
            chmodSync(privateKeyFile, 0o600);
            const jwksFile = opts.jwks ?? join(opts.out, 'jwks.json');
            const jwks = existsSync(jwksFile) ? readJwks(jwksFile) : { keys: [] as unknown[] };
            jwks.keys.push(pair.publicJwk);
            writeFileSync(jwksFile, `${JSON.stringify(jwks, null, 2)}\n`);
            const result = { kid: pair.kid, alg: pair.alg, privateKeyFile, jwksFile };
            printResult(io, opts.json ?? false, result, () =>
              [
                `kid ${pair.kid} (${pair.alg})`,
                `private key: ${privateKeyFile} (keep it secret)`,
                `public JWKS: ${jwksFile}`,
              ].join('\n'),
            );
            return EXIT.OK;
          }),
        );
      },
    );
  keys
    .command('api-key')
    .description('create an API key; prints the key once and the entry for auth.apiKeys')
    .requiredOption('--id <id>', 'principal id')
    .requiredOption('--tenant <tenantId>', 'tenant')
    .requiredOption('--roles <roles>', 'comma-separated: copilot, approver, operator, auditor')
    .option('--json', 'print JSON')
    .action(async (opts: { id: string; tenant: string; roles: string; json?: boolean }) => {
      setExit(
        await run(io, opts.json ?? false, async () => {
          const roles = opts.roles.split(',').map((r) => r.trim());
          const unknown = roles.filter((r) => !isRole(r));
          if (unknown.length > 0)
            throw new GatewayError('VALIDATION_FAILED', `Unknown roles: ${unknown.join(', ')}`);
          const apiKey = generateApiKey();
          const entry = { id: opts.id, tenantId: opts.tenant, roles, keyHash: hashApiKey(apiKey) };
          printResult(io, opts.json ?? false, { apiKey, entry }, () =>
            [`API key (shown once): ${apiKey}`, `config entry: ${JSON.stringify(entry)}`].join(
              '\n',
            ),
          );
          return EXIT.OK;
        }),
      );
    });
}
