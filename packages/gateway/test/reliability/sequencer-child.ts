/**
 * The process of the sequencer crash tests: opens the database in argv[2] (a SQLite file or a PostgreSQL URL), runs ONE batch of the lineage
 * sequencer with the checkpoint key in argv[4] and the witness file in argv[3], and SIGKILLs itself at the point
 * named by argv[5]: `before-commit` (inside the batch's transaction, every write of it done), `before-witness`
 * (committed, the head not yet in the witness file) or `after-witness` (both done). Nothing is cleaned up: the
 * kill is what a power cut or an OOM kill does.
 */
import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { importCheckpointKey } from '../../src/audit/checkpoint-key.js';
import { Sequencer } from '../../src/audit/sequencer.js';
import { WitnessFile } from '../../src/audit/witness-file.js';
import { systemClock } from '../../src/clock.js';
import { openStore } from '../../src/store/open-store.js';

const [database, witnessPath, keyFile, killAt] = process.argv.slice(2);
if (!database || !witnessPath || !keyFile || !killAt) {
  throw new Error('usage: sequencer-child <db> <witness> <key file> <kill point>');
}
const die = () => process.kill(process.pid, 'SIGKILL');
// A SQLite file, or a replica's pool on a PostgreSQL database (`postgres://`).
const store = await openStore(
  /^postgres(ql)?:\/\//.test(database) ? { url: database } : { path: database },
);
const sequencer = new Sequencer(store, {
  key: await importCheckpointKey(JSON.parse(readFileSync(keyFile, 'utf8')) as JWK),
  gatewayId: 'gw-crash',
  clock: systemClock,
  witness: new WitnessFile(witnessPath),
  hooks: {
    ...(killAt === 'before-commit' ? { beforeCommit: die } : {}),
    ...(killAt === 'before-witness' ? { beforeWitness: die } : {}),
  },
});
await sequencer.sequence();
die();
