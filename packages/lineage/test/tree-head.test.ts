import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  CHECKPOINT_TYPE,
  importCheckpointKey,
  signTreeHead,
  type TreeHead,
  verifyTreeHead,
} from '../src/index.js';

async function privateJwk(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid };
}

const HEAD: TreeHead = {
  kind: 'LineageTreeHead',
  gatewayId: 'gw',
  treeSize: 3,
  rootHash: `sha256:${'12'.repeat(32)}`,
  signedAt: '2026-12-07T18:00:00.000Z',
};

describe('signed tree heads', () => {
  it('verify with the trusted key of their kid, and not with another or none', async () => {
    const key = await importCheckpointKey(await privateJwk('ck-1'));
    const other = await importCheckpointKey(await privateJwk('ck-1'));
    const jws = await signTreeHead(HEAD, key);
    expect(await verifyTreeHead(jws, () => key.publicJwk)).toEqual({
      ok: true,
      head: HEAD,
      kid: 'ck-1',
    });
    expect(await verifyTreeHead(jws, () => other.publicJwk)).toEqual({
      ok: false,
      reason: 'CHECKPOINT_SIGNATURE_INVALID',
    });
    expect(await verifyTreeHead(jws, () => undefined)).toEqual({
      ok: false,
      reason: 'CHECKPOINT_KEY_UNKNOWN',
    });
  });

  it('refuse another typ, an unsigned header, a payload that is not a tree head, and garbage', async () => {
    const key = await importCheckpointKey(await privateJwk('ck-1'));
    const sign = (payload: unknown, typ: string) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: 'EdDSA', kid: 'ck-1', typ })
        .sign(key.privateKey);
    const trusted = () => key.publicJwk;
    const invalid = { ok: false, reason: 'CHECKPOINT_SIGNATURE_INVALID' };
    expect(await verifyTreeHead(await sign(HEAD, 'handoff-approval+jws'), trusted)).toEqual(
      invalid,
    );
    expect(await verifyTreeHead(await sign({ kind: 'Other' }, CHECKPOINT_TYPE), trusted)).toEqual(
      invalid,
    );
    expect(await verifyTreeHead('not.a.jws', trusted)).toEqual(invalid);
    expect((await verifyTreeHead(await sign(HEAD, CHECKPOINT_TYPE), trusted)).ok).toBe(true);
  });

  it('refuse to import a key that is not a private Ed25519 JWK with a kid (TypeError)', async () => {
    const jwk = await privateJwk('ck-1');
    await expect(importCheckpointKey({ ...jwk, kid: '' })).rejects.toThrow(TypeError);
    await expect(importCheckpointKey({ ...jwk, d: undefined })).rejects.toThrow(TypeError);
    const stranger = await privateJwk('ck-1');
    await expect(importCheckpointKey({ ...jwk, x: stranger.x })).rejects.toThrow(TypeError);
  });
});
