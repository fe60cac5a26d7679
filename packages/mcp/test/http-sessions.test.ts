import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createMcpHttpHandler, type McpHttpHandler } from '../src/http-handler.js';

let server: Server | undefined;
let handler: McpHttpHandler | undefined;
afterEach(async () => {
  await handler?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/**
 * The handler behind a bare HTTP server that takes the caller's identity from `x-test-caller` (the gateway
 * authenticates; here the test says who calls). The gateway URL is never called: only sessions are exercised.
 */
async function serve(options: { maxSessions?: number; maxSessionsPerCaller?: number }) {
  handler = createMcpHttpHandler({ gatewayUrl: 'http://127.0.0.1:9', ...options });
  const h = handler;
  server = createServer((req, res) => {
    const identity = String(req.headers['x-test-caller']);
    void h.handle(req, res, { identity, authorization: 'Bearer hk_test' });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

async function open(url: string, caller: string): Promise<string> {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, 'x-test-caller': caller },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 't', version: '1' },
      },
    }),
  });
  const id = answer.headers.get('mcp-session-id');
  if (!id) throw new Error(`no session: ${answer.status}`);
  return id;
}

/** The HTTP status of a `ping` in session `id` as `caller` (200 alive, 404 unknown or not the caller's). */
async function ping(url: string, caller: string, id: string): Promise<number> {
  const answer = await fetch(url, {
    method: 'POST',
    headers: {
      ...HEADERS,
      'x-test-caller': caller,
      'mcp-session-id': id,
      'mcp-protocol-version': '2025-06-18',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
  });
  return answer.status;
}

describe('Streamable HTTP sessions', () => {
  test('a session answers only its caller', async () => {
    const url = await serve({});
    const id = await open(url, 'acme/copilot-1');
    expect(await ping(url, 'acme/copilot-1', id)).toBe(200);
    expect(await ping(url, 'globex/copilot-9', id)).toBe(404);
  });

  test("a caller over its limit closes its own oldest session, never another caller's", async () => {
    const url = await serve({ maxSessionsPerCaller: 2 });
    const other = await open(url, 'b');
    const [a1, a2, a3] = [await open(url, 'a'), await open(url, 'a'), await open(url, 'a')];
    expect(await ping(url, 'a', a1)).toBe(404);
    expect(await ping(url, 'a', a2)).toBe(200);
    expect(await ping(url, 'a', a3)).toBe(200);
    expect(await ping(url, 'b', other)).toBe(200);
    expect(handler?.sessions).toBe(3);
  });

  test('over the global limit, the least recently used session goes', async () => {
    const url = await serve({ maxSessions: 2 });
    const first = await open(url, 'a');
    const second = await open(url, 'b');
    expect(await ping(url, 'a', first)).toBe(200); // now `second` is the least recently used
    const third = await open(url, 'c');
    expect(await ping(url, 'b', second)).toBe(404);
    expect(await ping(url, 'a', first)).toBe(200);
    expect(await ping(url, 'c', third)).toBe(200);
  });

  test('DELETE closes a session; GET is refused with 405', async () => {
    const url = await serve({});
    const id = await open(url, 'a');
    const closed = await fetch(url, {
      method: 'DELETE',
      headers: { 'x-test-caller': 'a', 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' },
    });
    expect(closed.status).toBe(200);
    expect(await ping(url, 'a', id)).toBe(404);
    expect(handler?.sessions).toBe(0);
    const get = await fetch(url, {
      headers: { 'x-test-caller': 'a', accept: 'text/event-stream' },
    });
    expect(get.status).toBe(405);
  });

  test('a request without a session that is not initialize opens nothing', async () => {
    const url = await serve({});
    const answer = await fetch(url, {
      method: 'POST',
      headers: { ...HEADERS, 'x-test-caller': 'a' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
    });
    expect(answer.status).toBe(400);
    expect(handler?.sessions).toBe(0);
  });
});
