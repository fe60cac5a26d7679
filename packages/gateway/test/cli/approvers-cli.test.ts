import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateSigningKeyPair } from '../../src/approvals/signing-keys.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { type HttpGateway, startHttpGateway } from '../http/http-fixture.js';
import { runCli } from './cli-support.js';

let gw: HttpGateway;
let dir: string;
beforeAll(async () => {
  gw = await startHttpGateway();
  dir = mkdtempSync(join(tmpdir(), 'handoff-approvers-cli-'));
});
afterAll(() => gw?.close());

function remote(who: 'operator' | 'auditor' | 'approver') {
  return ['--url', gw.url, '--api-key', gw.callers.acme[who].apiKey, '--json'];
}

describe('handoff approvers', () => {
  test('add, list, rotate and revoke through the gateway; the lineage records each', async () => {
    const key = await generateSigningKeyPair({ alg: 'EdDSA' });
    const jwks = join(dir, 'olga.jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [key.publicJwk] }));
    const added = await runCli(
      'approvers',
      'add',
      '--subject',
      'olga.finance',
      '--roles',
      'finance',
      '--public-key',
      jwks,
      ...remote('operator'),
    );
    expect(added.code, added.err).toBe(EXIT.OK);
    expect(JSON.parse(added.out)).toMatchObject({
      kid: key.kid,
      subject: 'olga.finance',
      status: 'active',
    });

    const next = await generateSigningKeyPair({ alg: 'ES256' });
    const nextFile = join(dir, 'olga-2.jwk.json');
    writeFileSync(nextFile, JSON.stringify(next.publicJwk));
    const rotated = await runCli(
      'approvers',
      'rotate',
      key.kid,
      '--public-key',
      nextFile,
      '--reason',
      'yearly rotation',
      ...remote('operator'),
    );
    expect(rotated.code, rotated.err).toBe(EXIT.OK);
    expect(JSON.parse(rotated.out)).toMatchObject({
      registered: { kid: next.kid, subject: 'olga.finance', roles: ['finance'] },
      revoked: { kid: key.kid, status: 'revoked', reason: 'yearly rotation' },
    });

    const revoked = await runCli(
      'approvers',
      'revoke',
      next.kid,
      '--reason',
      'left the bank',
      ...remote('operator'),
    );
    expect(revoked.code, revoked.err).toBe(EXIT.OK);

    const listed = await runCli('approvers', 'list', ...remote('auditor'));
    expect(listed.code, listed.err).toBe(EXIT.OK);
    const olga = (
      JSON.parse(listed.out) as { kid: string; status: string; subject: string }[]
    ).filter((a) => a.subject === 'olga.finance');
    expect(olga.map((a) => [a.kid, a.status]).sort()).toEqual(
      [
        [key.kid, 'revoked'],
        [next.kid, 'revoked'],
      ].sort(),
    );
    const events = await gw.gateway.queryLineage(gw.callers.acme.auditor.principal, {
      types: ['control.approver_registered', 'control.approver_revoked'],
      actorType: 'operator',
    });
    expect(events.items.map((e) => [e.type, e.data.kid])).toEqual([
      ['control.approver_registered', key.kid],
      ['control.approver_registered', next.kid],
      ['control.approver_revoked', key.kid],
      ['control.approver_revoked', next.kid],
    ]);
  });

  test('refusals: a private key file, an approver (not operator) adding, an unknown kid: exit 1', async () => {
    const key = await generateSigningKeyPair({ alg: 'EdDSA' });
    const privateFile = join(dir, 'private.jwk.json');
    writeFileSync(privateFile, JSON.stringify(key.privateJwk));
    const args = ['approvers', 'add', '--subject', 'x.y', '--roles', 'finance', '--public-key'];
    const leaked = await runCli(...args, privateFile, ...remote('operator'));
    expect(leaked.code).toBe(EXIT.REFUSED);
    expect(leaked.out + leaked.err).not.toContain(String(key.privateJwk.d));
    const publicFile = join(dir, 'public.jwk.json');
    writeFileSync(publicFile, JSON.stringify(key.publicJwk));
    const forbidden = await runCli(...args, publicFile, ...remote('approver'));
    expect([forbidden.code, JSON.parse(forbidden.out).error.code]).toEqual([
      EXIT.REFUSED,
      'FORBIDDEN',
    ]);
    const unknown = await runCli(
      'approvers',
      'revoke',
      'no-such-kid',
      '--reason',
      'x',
      ...remote('operator'),
    );
    expect([unknown.code, JSON.parse(unknown.out).error.code]).toEqual([EXIT.REFUSED, 'NOT_FOUND']);
  });
});
