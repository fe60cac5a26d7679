import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse, type RequestHandler } from 'msw';

/** A fake platform served over HTTP on 127.0.0.1. */
export interface ServedFake {
  /** e.g. `http://127.0.0.1:53211`: use it as the adapter's base URL. */
  url: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Serves msw handlers written for `baseUrl` (e.g. `https://api.hubapi.com`) on a local port: each request is
 * rewritten to `baseUrl` + its path and resolved with msw's `getResponse`. An msw network error
 * (`HttpResponse.error()`) resets the connection; an unmatched request gets 404.
 */
export async function serveFake(
  handlers: RequestHandler[],
  baseUrl: string,
  port = 0,
): Promise<ServedFake> {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(key, value);
      else if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    }
    const request = new Request(new URL(req.url ?? '/', baseUrl), {
      method: req.method ?? 'GET',
      headers,
      ...(body.length > 0 && req.method !== 'GET' && req.method !== 'HEAD'
        ? { body: new Uint8Array(body) }
        : {}),
    });
    const response = await getResponse(handlers, request).catch(() => undefined);
    if (!response) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"message":"no fake handler"}');
      return;
    }
    if (response.type === 'error') {
      req.socket.destroy();
      return;
    }
    const outHeaders: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      outHeaders[key] = value;
    });
    res.writeHead(response.status, outHeaders);
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error?: Error) => (error ? reject(error) : resolve()));
      }),
  };
}
