import { readFileSync } from 'node:fs';
import { anchorsFromJwks, openDatabaseSource, verifyLineage } from '@handoff/gateway';
import { measurePhysicalLimit } from './physical-limit.js';

const { path, publicJwk } = JSON.parse(readFileSync('/tmp/lin200k/setup.json', 'utf8'));
const what = process.env.WHAT ?? 'verify,limit,canonical';
for (const w of what.split(',')) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let events = 0;
  if (w === 'verify') {
    const source = openDatabaseSource(path);
    const report = await verifyLineage(source, {
      trust: anchorsFromJwks({ keys: [] }, { keys: [publicJwk] }),
      ...(process.env.THREADS ? { threads: Number(process.env.THREADS) } : {}),
    });
    source.close();
    if (!report.ok) console.log(report);
    events = report.events;
  } else {
    events = (await measurePhysicalLimit(path, w as 'limit', publicJwk)).events;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  console.log(
    `${w}: ${events} events ${Math.round((events / ms) * 1000)}/s, cpu ${((cpu.user + cpu.system) / events).toFixed(1)} us/event`,
  );
}
