import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { EXIT } from '../../src/cli/exit-codes.js';
import { startGatewayChild } from '../cli/cli-support.js';
import { type GatewayFolder, prepareGatewayFolder } from '../cli/e2e-setup.js';

/*
 * The OTLP path in a real `handoff gateway start` process (plain Node resolution, as in production): with
 * `observability.tracing` `otlp`, the request span continuing the caller's traceparent reaches the collector, sent
 * by the batch processor and flushed when the gateway stops on SIGTERM.
 */

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

let folder: GatewayFolder;
let collector: Server;
const received: { method?: string; url?: string; body: string }[] = [];

beforeAll(async () => {
  collector = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const { port } = collector.address() as AddressInfo;
  // No dispatch here: the HubSpot URL is never called.
  folder = await prepareGatewayFolder('http://127.0.0.1:9');
  const config = parse(readFileSync(folder.configFile, 'utf8')) as Record<string, unknown>;
  config.observability = {
    tracing: {
      enabled: true,
      exporter: 'otlp',
      endpoint: `http://127.0.0.1:${port}/v1/traces`,
      serviceName: 'gw-otlp-e2e',
    },
  };
  writeFileSync(folder.configFile, stringify(config));
});

afterAll(async () => {
  await new Promise<void>((resolve) => collector?.close(() => resolve()));
  if (folder) rmSync(folder.dir, { recursive: true, force: true });
});

describe('tracing over OTLP', () => {
  test('a gateway process exports the request span, in the caller trace, to the configured collector', async () => {
    const gateway = await startGatewayChild(folder.configFile, 20_000, folder.env);
    const answer = await fetch(`${gateway.url}/health`, {
      headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` },
    });
    expect(answer.status).toBe(200);
    expect(await gateway.stop()).toBe(EXIT.OK);
    expect(received.map((r) => `${r.method} ${r.url}`)).toContain('POST /v1/traces');
    const exported = received.map((r) => r.body).join('\n');
    expect(exported).toContain('GET /health');
    expect(exported).toContain(TRACE_ID);
    expect(exported).toContain(CALLER_SPAN);
    expect(exported).toContain('gw-otlp-e2e');
    // The config's API key hashes and the approvers' keys are not in the spans either.
    for (const key of Object.values(folder.apiKey)) expect(exported).not.toContain(key);
  });
});
