/**
 * The gateway process of the crash test: opens the runtime of the config file in argv[2] (which recovers rows a
 * killed predecessor left in flight), dispatches every due action to the webhook adapter, and prints `ready`, then
 * `idle` each time the outbox has nothing due. Outgoing requests to `https://hooks.example.test` go to the webhook
 * fake served by the test at $FAKE_URL. The test kills it with SIGKILL at random points.
 */
import { loadConfigFile } from '../../src/config/load-config.js';
import { createGatewayRuntime } from '../../src/runtime.js';

const configFile = process.argv[2];
const fakeUrl = process.env.FAKE_URL;
if (!configFile || !fakeUrl) throw new Error('usage: crash-child <config> (with FAKE_URL set)');

const rerouted: typeof fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return fetch(url.replace('https://hooks.example.test', fakeUrl), init);
};

const runtime = await createGatewayRuntime(loadConfigFile(configFile), { fetch: rerouted });
process.stdout.write('ready\n');
for (;;) {
  const summary = await runtime.dispatcher.runDue();
  if (summary.attempted === 0) {
    process.stdout.write('idle\n');
    break;
  }
}
await runtime.close();
