/**
 * The gateway process of the chaos test: `startGateway` on the config file in argv[2] exactly as
 * `handoff gateway start` runs it (HTTP API on 127.0.0.1, dispatcher running, in-flight rows of a killed
 * predecessor recovered at start), with requests to `https://hooks.example.test` rerouted to the webhook fake
 * the test serves at $FAKE_URL. Prints `{"url": ...}` once listening. The test SIGKILLs it at random points.
 * Plain JavaScript, so that it can run the built gateway without a TypeScript loader (see `chaos-process.ts`).
 */
import pino from 'pino';

const configFile = process.argv[2];
const fakeUrl = process.env.FAKE_URL;
const entry = process.env.CHAOS_GATEWAY_ENTRY;
if (!configFile || !fakeUrl || !entry) {
  throw new Error('usage: chaos-child <config> (with FAKE_URL and CHAOS_GATEWAY_ENTRY set)');
}
/** The gateway's public entry: its built `dist/index.js`, or `src/index.ts` when run through tsx. */
const { createGatewayRuntime, loadConfigFile, startGateway } = await import(entry);

/** @type {typeof fetch} */
const rerouted = (input, init) => {
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
