/**
 * The gateway process of the chaos test: `startGateway` on the config file in argv[2] exactly as
 * `handoff gateway start` runs it (HTTP API on 127.0.0.1, dispatcher running, in-flight rows of a killed
 * predecessor recovered at start), with requests to `https://hooks.example.test` rerouted to the webhook fake
 * the test serves at $FAKE_URL. Prints `{"url": ...}` once listening. The test SIGKILLs it at random points.
 */
import pino from 'pino';
import { loadConfigFile } from '../../src/config/load-config.js';
import { createGatewayRuntime, startGateway } from '../../src/runtime.js';

const configFile = process.argv[2];
const fakeUrl = process.env.FAKE_URL;
if (!configFile || !fakeUrl) throw new Error('usage: chaos-child <config> (with FAKE_URL set)');

const rerouted: typeof fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return fetch(url.replace('https://hooks.example.test', fakeUrl), init);
};

// Errors only, on stderr: what the test shows when a child fails (never tokens, keys or payloads).
const logger = pino(
  { name: 'chaos-child', level: 'error' },
  pino.destination({ dest: 2, sync: true }),
);
const running = await startGateway(
  await createGatewayRuntime(loadConfigFile(configFile), { fetch: rerouted, logger }),
  { logger },
);
process.stdout.write(`${JSON.stringify({ url: running.server.url })}\n`);
process.once('SIGTERM', () => {
  running.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
