import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type GatewayRuntime,
  isGatewayError,
  startGateway,
  submitPlanBatch,
} from '@handoff/gateway';
import { type BenchSetup, benchRuntime } from './bench-gateway.js';
import { MemoryAdapter } from './memory-adapter.js';

/**
 * A benchmark server in its own process (`node <bundle> <setup.json> gateway|bare`, bundled by `child-bundle.ts`),
 * so the load generator never shares its CPU time. `gateway`: the real thing, `startGateway` (tRPC over node:http,
 * dispatcher running). `bare`: a plain `node:http` server calling the SAME pipeline functions (authenticate, then
 * `submitPlanBatch` (what `plans.submitBatch` runs), `Gateway.submitPlan` or `Gateway.submitApproval`,
 * dispatcher running), with no framework: the baseline of the HTTP figures. Prints `{"url": ...}` once
 * listening; stops on SIGTERM.
 */

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function bare(runtime: GatewayRuntime): Promise<{ url: string; close(): Promise<void> }> {
  const { gateway, authenticator } = runtime;
  const server = createServer(async (req, res) => {
    try {
      const principal = await authenticator.authenticate(req.headers.authorization);
      const input = (await readJson(req)) as { plan?: unknown; plans?: unknown[]; token?: string };
      if (req.url === '/plans.submitBatch') {
        send(res, 200, {
          result: { data: await submitPlanBatch(gateway, principal, input.plans ?? []) },
        });
      } else if (req.url === '/plans.submit') {
        send(res, 200, { result: { data: await gateway.submitPlan(principal, input.plan) } });
      } else if (req.url === '/approvals.submit') {
        send(res, 200, {
          result: { data: await gateway.submitApproval(principal, String(input.token)) },
        });
      } else {
        send(res, 404, { error: { code: 'NOT_FOUND' } });
      }
    } catch (error) {
      const status = isGatewayError(error) ? error.httpStatus : 500;
      send(res, status, { error: { code: isGatewayError(error) ? error.code : 'INTERNAL' } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  runtime.startDispatching();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await runtime.close();
    },
  };
}

const [setupFile, mode] = process.argv.slice(2);
const setup = JSON.parse(readFileSync(String(setupFile), 'utf8')) as BenchSetup;
const adapters = [new MemoryAdapter('hubspot'), new MemoryAdapter('customerio')];
const runtime = await benchRuntime(setup, { adapters });
const running =
  mode === 'bare'
    ? await bare(runtime)
    : await startGateway(runtime).then((g) => ({ url: g.server.url, close: () => g.stop() }));
process.stdout.write(`${JSON.stringify({ url: running.url, pid: process.pid })}\n`);
process.once('SIGTERM', () => {
  running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
