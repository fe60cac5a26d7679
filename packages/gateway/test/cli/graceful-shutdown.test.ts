import { renameSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type GatewayChild, startGatewayChild } from './cli-support.js';
import { type GatewayFolder, prepareGatewayFolder } from './e2e-setup.js';

/**
 * Issue 19: `/ready` of a real gateway process, and SIGTERM draining a request under way: the request whose body
 * is still arriving when the signal comes is answered, then the process exits 0 by itself.
 */

const TIMEOUT = 60_000;
let folder: GatewayFolder;
let gw: GatewayChild;

beforeAll(async () => {
  folder = await prepareGatewayFolder('http://127.0.0.1:9');
  gw = await startGatewayChild(folder.configFile, 20_000, folder.env);
}, TIMEOUT);

afterAll(async () => {
  await gw?.stop();
  if (folder) rmSync(folder.dir, { recursive: true, force: true });
});

/** Resolves once the child's stderr (its pino log) contains `text`. */
function logged(child: GatewayChild, text: string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!child.stderr().includes(text)) return;
      child.child.stderr?.off('data', check);
      resolve();
    };
    child.child.stderr?.on('data', check);
    check();
  });
}

async function ready(url: string) {
  const response = await fetch(`${url}/ready`);
  return {
    status: response.status,
    body: (await response.json()) as {
      ready: boolean;
      checks: { name: string; ok: boolean; message?: string }[];
    },
  };
}

describe('readiness and graceful shutdown of a gateway process', () => {
  test(
    '/ready is 200 when the database takes writes and the key files read, 503 naming the key file when not',
    async () => {
      const ok = await ready(gw.url);
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({
        ready: true,
        checks: [
          { name: 'database', ok: true },
          { name: 'keySources', ok: true },
          { name: 'shuttingDown', ok: true },
        ],
      });
      const jwks = join(folder.dir, 'keys/jwks.json');
      renameSync(jwks, `${jwks}.moved`);
      try {
        const gone = await ready(gw.url);
        expect(gone.status).toBe(503);
        expect(gone.body.ready).toBe(false);
        const keys = gone.body.checks.find((c) => c.name === 'keySources');
        expect(keys?.ok).toBe(false);
        expect(keys?.message).toMatch(/^\/approvals\/keys\/0\/path: .*jwks\.json/);
      } finally {
        renameSync(`${jwks}.moved`, jwks);
      }
      expect((await ready(gw.url)).status).toBe(200);
    },
    TIMEOUT,
  );

  test(
    'SIGTERM: a request under way is answered and its connection closed by the gateway, then the process exits 0',
    async () => {
      const { port } = new URL(gw.url);
      const body = JSON.stringify({ not: 'a plan' });
      const socket = connect(Number(port), '127.0.0.1');
      let answer = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => {
        answer += chunk;
      });
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const half = Math.floor(body.length / 2);
      socket.write(
        `POST /plans.submit HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${folder.apiKey.copilot}\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, half)}`,
      );
      const exited = gw.stop();
      // The signal has been taken and the drain has begun while the request is still being sent.
      await logged(gw, 'stopping: draining');
      socket.write(body.slice(half));
      // The client never ends the socket: the gateway closes it once the answer is sent.
      await closed;
      // Answered after the signal: the plan is refused as invalid (its body was read in full), not cut off.
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('"code":"VALIDATION_FAILED"');
      const log = gw.stderr();
      expect(log.indexOf('stopping: draining')).toBeLessThan(log.indexOf('"path":"plans.submit"'));
      expect(await exited).toBe(0);
      expect(gw.stderr()).toContain('"msg":"stopped"');
    },
    TIMEOUT,
  );

  test(
    'SIGINT (Ctrl-C) stops it the same way: exit 0, not 130',
    async () => {
      const second = await startGatewayChild(folder.configFile, 20_000, folder.env);
      const exited = new Promise<number | null>((resolve) =>
        second.child.once('exit', (code) => resolve(code)),
      );
      second.child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(second.stderr()).toContain('"signal":"SIGINT"');
    },
    TIMEOUT,
  );
});
