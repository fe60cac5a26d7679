import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, createConsoleRoute, isConsoleRequest } from '../../src/api/console-route.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request (the path is sent exactly as written: `fetch` would normalise `..` away). */
function get(port: number, path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function serve(dir: string): Promise<{ server: Server; port: number }> {
  const route = createConsoleRoute(dir);
  const server = createServer((req, res) => {
    if (isConsoleRequest(req)) return route(req, res);
    res.writeHead(418).end('not the console');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as AddressInfo).port }),
    ),
  );
}

describe('the console route (/console/)', () => {
  const root = mkdtempSync(join(tmpdir(), 'handoff-console-'));
  const dist = join(root, 'dist');
  let server: Server;
  let port: number;

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dist, 'assets', 'main-abc123.js'), 'console.log(1)');
    writeFileSync(join(dist, 'assets', 'main-abc123.css'), 'body{}');
    writeFileSync(join(dist, '.env'), 'HIDDEN=1');
    writeFileSync(join(root, 'secret.txt'), 'TOP SECRET');
    ({ server, port } = await serve(dist));
  });
  afterAll(() => {
    server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html with a strict CSP, nosniff and no caching of the page', async () => {
    const page = await get(port, '/console/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html;charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).toContain('<title>console</title>');
  });

  it('falls back to index.html for client routes, and redirects /console to /console/', async () => {
    const plan = await get(port, '/console/plans/01JD0000000000000000000000');
    expect(plan.status).toBe(200);
    expect(plan.body).toContain('<title>console</title>');
    expect((await get(port, '/console/enrol')).body).toContain('<title>console</title>');
    const bare = await get(port, '/console');
    expect(bare.status).toBe(308);
    expect(bare.headers.location).toBe('/console/');
  });

  it('serves assets with their content type, cached as immutable; a missing asset is 404', async () => {
    const script = await get(port, '/console/assets/main-abc123.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript');
    expect(script.headers['cache-control']).toContain('immutable');
    expect(script.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect((await get(port, '/console/assets/main-abc123.css')).headers['content-type']).toBe(
      'text/css',
    );
    const missing = await get(port, '/console/assets/missing.js');
    expect(missing.status).toBe(404);
    expect(missing.body).not.toContain('<title>');
  });

  it.each([
    '/console/../secret.txt',
    '/console/%2e%2e/secret.txt',
    '/console/..%2fsecret.txt',
    '/console/assets/..%2f..%2fsecret.txt',
    '/console/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/console/.env',
  ])('never serves a file outside dist/ or a dotfile: %s', async (path) => {
    const answer = await get(port, path);
    expect(answer.body).not.toContain('TOP SECRET');
    expect(answer.body).not.toContain('HIDDEN');
  });

  it('routes only GET and HEAD of /console and below', async () => {
    expect((await get(port, '/console/', 'HEAD')).status).toBe(200);
    expect((await get(port, '/console/', 'POST')).status).toBe(418);
    expect((await get(port, '/consoles')).status).toBe(418);
  });

  it('answers 404 naming the build when the console is not built', async () => {
    const empty = await serve(join(root, 'nowhere'));
    try {
      const answer = await get(empty.port, '/console/');
      expect(answer.status).toBe(404);
      expect(answer.body).toContain('pnpm build');
      expect(answer.headers['content-security-policy']).toBe(CONSOLE_CSP);
    } finally {
      empty.server.close();
    }
  });
});
