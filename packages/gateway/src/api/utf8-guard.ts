import type { IncomingMessage } from 'node:http';

/**
 * Watches a request body for invalid UTF-8 while it streams, without consuming it: the body is read by tRPC as
 * usual, and `onInvalid` is called once if any byte sequence is not UTF-8 (including a sequence cut off at the end).
 *
 * JSON exchanged between systems must be UTF-8 (RFC 8259 section 8.1); tRPC's own decoder replaces bad bytes with
 * U+FFFD, which would let a corrupted plan through with altered text. Register it before tRPC reads the body (the
 * standalone adapter's `middleware` runs just before it attaches its own listener, on the same tick).
 */
export function watchUtf8(req: IncomingMessage, onInvalid: () => void): void {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let failed = false;
  const check = (chunk?: Uint8Array) => {
    if (failed) return;
    try {
      if (chunk) decoder.decode(chunk, { stream: true });
      else decoder.decode();
    } catch {
      failed = true;
      onInvalid();
    }
  };
  req.on('data', (chunk: Uint8Array) => check(chunk));
  req.on('end', () => check());
}
