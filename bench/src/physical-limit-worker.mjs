// The worker of `physical-limit.ts`: plain JavaScript, so it starts without a TypeScript loader. It reads its
// share of a gateway database (event ids in (fromId, toId], approval tokens in payload rowids (fromRow, toRow])
// memory-mapped, as the verifier reads it, and does only what `mode` says:
// - `limit`: per event, SHA-256 over its stored body (`node:crypto`), over its RFC 9162 leaf (0x00 and 32 bytes)
//   and over one node (0x01 and 64 bytes); per approval token, one Ed25519 verification of its JWS;
// - `canonical`: per event, `JSON.parse` of its body and its RFC 8785 form (`canonicalize`), no hash.
// It answers with the events and tokens it did.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, mode, fromId, toId, fromRow, toRow, publicJwk, canonicalizeUrl } = workerData;
const PAGE = 4096;
const db = new Database(path, { readonly: true, fileMustExist: true });
db.pragma('mmap_size = 2147483648');
const canonicalize = mode === 'canonical' ? (await import(canonicalizeUrl)).default : undefined;
const leaf = Buffer.alloc(33);
const node = Buffer.alloc(65, 1);
const bodies = db
  .prepare('select id, body from lineage_events where id > ? and id <= ? order by id limit ?')
  .raw();
let events = 0;
for (let after = fromId; after < toId; ) {
  const rows = bodies.all(after, toId, PAGE);
  if (rows.length === 0) break;
  for (const [, body] of rows) {
    if (canonicalize) {
      const { hash: _hash, ...rest } = JSON.parse(body);
      canonicalize(rest);
    } else {
      const digest = createHash('sha256').update(body).digest();
      digest.copy(leaf, 1);
      createHash('sha256').update(leaf).digest().copy(node, 1);
      createHash('sha256').update(node).digest();
    }
  }
  events += rows.length;
  after = rows.at(-1)[0];
}
let tokens = 0;
if (mode === 'limit') {
  const key = createPublicKey({ key: publicJwk, format: 'jwk' });
  const jws = db
    .prepare(
      `select rowid, body from payloads where kind = 'ApprovalJws' and rowid > ? and rowid <= ?
       order by rowid limit ?`,
    )
    .raw();
  for (let after = fromRow; after < toRow; ) {
    const rows = jws.all(after, toRow, PAGE);
    if (rows.length === 0) break;
    for (const [, token] of rows) {
      const cut = token.lastIndexOf('.');
      const signature = Buffer.from(token.slice(cut + 1), 'base64url');
      if (!verify(null, Buffer.from(token.slice(0, cut)), key, signature)) {
        throw new Error('A stored approval token does not verify');
      }
    }
    tokens += rows.length;
    after = rows.at(-1)[0];
  }
}
db.close();
parentPort.postMessage({ events, tokens });
