import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHubSpotFake, type ServedFake, serveFake } from '@handoff/automation-adapter/testing';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { bodyOf, tamperableCopy, writeEvent } from '../audit/tamper.js';
import {
  type GatewayChild,
  runBin,
  runCli,
  startGatewayChild,
  tempDir,
  writeJson,
} from './cli-support.js';
import {
  E2E_HUBSPOT_TOKEN,
  freshPlan,
  E2E_GATEWAY_ID as GATEWAY_ID,
  type GatewayFolder,
  prepareGatewayFolder,
} from './e2e-setup.js';

/**
 * `handoff db backup`: an online copy of a running gateway's database (a real `handoff gateway start` child that
 * holds the writer lock and takes submissions during the copy), verified against the config's approver keys
 * before it is moved to `--to`; a copy that does not verify leaves nothing there; an existing `--to` is refused.
 */

const TIMEOUT = 60_000;
const PLAN_IDS = [
  '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f81',
  '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f82',
  '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f83',
  '019a8f2e-5c4b-7d3e-9a1f-2b3c4d5e6f84',
];

let folder: GatewayFolder;
let gw: GatewayChild;
let out: string;
const hubspot = createHubSpotFake({ accessToken: E2E_HUBSPOT_TOKEN, workflowIds: ['12345678'] });
let served: ServedFake;

/** `handoff plan submit` of a fresh copy of the fixture under `planId`, against the running gateway. */
async function submit(planId: string): Promise<string> {
  const file = writeJson(folder.dir, `plan-${planId}.json`, freshPlan(planId));
  const run = await runBin(['plan', 'submit', file, '--url', gw.url, '--json'], {
    HANDOFF_API_KEY: folder.apiKey.copilot,
  });
  expect(run.code, run.err).toBe(0);
  expect(JSON.parse(run.out)).toMatchObject({ planId, state: 'awaiting_approval' });
  return run.out;
}

/** The plan ids stored in a database file and its journal mode. */
function readCopy(file: string): { planIds: string[]; journalMode: unknown } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      planIds: db.prepare('select plan_id from plans order by plan_id').pluck().all() as string[],
      journalMode: db.pragma('journal_mode', { simple: true }),
    };
  } finally {
    db.close();
  }
}

/** The files of a folder other than the ones named: a backup leaves no temporary file behind. */
function others(dir: string, ...kept: string[]): string[] {
  return readdirSync(dir).filter((name) => !kept.includes(name));
}

beforeAll(async () => {
  served = await serveFake(hubspot.handlers, hubspot.baseUrl);
  folder = await prepareGatewayFolder(served.url);
  gw = await startGatewayChild(folder.configFile, 20_000, folder.env);
  out = tempDir('handoff-backup-');
  // One plan with an approval recorded (the copy's approval is checked against the config's approver keys).
  const viewFile = join(folder.dir, 'view.json');
  writeFileSync(viewFile, await submit(PLAN_IDS[0] as string));
  const approved = await runBin(
    [
      ...['approve', '--plan-view', viewFile, '--key', folder.keyFile.finance],
      ...['--role', 'finance', '--sub', 'fiona.finance', '--aud', GATEWAY_ID],
      ...['--max-spend', '645.00', '--currency', 'EUR', '--submit', gw.url, '--json'],
    ],
    { HANDOFF_API_KEY: folder.apiKey.approver },
  );
  expect(approved.code, approved.err).toBe(0);
}, TIMEOUT);

afterAll(async () => {
  await gw?.stop();
  await served?.close();
  if (folder) rmSync(folder.dir, { recursive: true, force: true });
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('handoff db backup of a running gateway', () => {
  test(
    'copies the database while plans are submitted, verifies the copy, and the gateway goes on',
    async () => {
      const target = join(out, 'gateway-backup.db');
      // Submissions in flight in another process while the backup copies and verifies.
      const [backup] = await Promise.all([
        runCli('db', 'backup', '--config', folder.configFile, '--to', target, '--json'),
        submit(PLAN_IDS[1] as string),
        submit(PLAN_IDS[2] as string),
      ]);
      expect(backup.code, backup.out).toBe(EXIT.OK);
      const result = JSON.parse(backup.out) as {
        ok: boolean;
        target: string;
        bytes: number;
        report: { ok: boolean; anchored: boolean; approvals: number; events: number };
      };
      expect(result).toMatchObject({ ok: true, target, report: { ok: true, anchored: true } });
      expect(result.report.approvals).toBe(1);
      expect(result.bytes).toBe(readFileSync(target).length);
      const copy = readCopy(target);
      // One self-contained file, holding the plan approved before and every plan the copy's snapshot saw.
      expect(copy.journalMode).toBe('delete');
      expect(copy.planIds).toContain(PLAN_IDS[0]);
      expect(others(out, 'gateway-backup.db')).toEqual([]);
      // An auditor's verification of the copy agrees.
      const verify = await runCli(
        'lineage',
        'verify',
        '--db',
        target,
        '--config',
        folder.configFile,
      );
      expect(verify.code, verify.err).toBe(EXIT.OK);
      // The gateway still holds its lock and serves: the backup took no lock.
      await submit(PLAN_IDS[3] as string);
      const again = join(out, 'after.db');
      const second = await runCli('db', 'backup', '--config', folder.configFile, '--to', again);
      expect(second.code, second.err).toBe(EXIT.OK);
      expect(second.out).toMatch(/^backed up to .*after\.db: \d+ bytes, \d+ events/);
      expect(readCopy(again).planIds).toEqual([...PLAN_IDS].sort());
      rmSync(again);
    },
    TIMEOUT,
  );

  test(
    'an existing --to is refused (exit 2, left as it was); --force replaces it with a verified copy',
    async () => {
      const target = writeJson(out, 'existing.db', { keep: true });
      const before = readFileSync(target, 'utf8');
      const refused = await runCli('db', 'backup', '--config', folder.configFile, '--to', target);
      expect(refused.code).toBe(EXIT.USAGE);
      expect(refused.err).toContain('TARGET_EXISTS');
      expect(refused.err).toContain('--force');
      expect(readFileSync(target, 'utf8')).toBe(before);
      const forced = await runCli(
        'db',
        'backup',
        '--config',
        folder.configFile,
        '--to',
        target,
        '--force',
      );
      expect(forced.code, forced.err).toBe(EXIT.OK);
      expect(readCopy(target).planIds).toContain(PLAN_IDS[0]);
      rmSync(target);
    },
    TIMEOUT,
  );

  test(
    'a source whose lineage was tampered with: exit 1, BROKEN named, nothing at --to, no temporary file left',
    async () => {
      const snapshot = join(out, 'snapshot.db');
      const made = await runCli('db', 'backup', '--config', folder.configFile, '--to', snapshot);
      expect(made.code, made.err).toBe(EXIT.OK);
      const tampered = tamperableCopy(snapshot);
      const event = bodyOf(tampered.db, 2);
      writeEvent(tampered.db, { ...event, occurredAt: '2020-01-01T00:00:00.000Z' });
      tampered.db.close();
      rmSync(snapshot);
      const folderOfTarget = tempDir('handoff-backup-tampered-');
      const target = join(folderOfTarget, 'from-tampered.db');
      const run = await runCli(
        'db',
        'backup',
        '--db',
        tampered.path,
        '--config',
        folder.configFile,
        '--to',
        target,
      );
      expect(run.code).toBe(EXIT.REFUSED);
      expect(run.out).toMatch(/^NOT BACKED UP: the copy is BROKEN at seq 2: /);
      expect(existsSync(target)).toBe(false);
      expect(readdirSync(folderOfTarget)).toEqual([]);
      rmSync(folderOfTarget, { recursive: true });
    },
    TIMEOUT,
  );

  test(
    'without trust anchors it refuses (exit 2) and writes nothing',
    async () => {
      const target = join(out, 'unanchored.db');
      const db = join(folder.dir, 'data/gateway.db');
      const run = await runCli('db', 'backup', '--db', db, '--to', target);
      expect(run.code).toBe(EXIT.USAGE);
      expect(run.err).toContain('NO_TRUST_ANCHOR');
      expect(existsSync(target)).toBe(false);
    },
    TIMEOUT,
  );

  test(
    'a missing --to folder is a usage error (exit 2), an unreadable --against witness a refusal (exit 1)',
    async () => {
      const inMissing = join(out, 'no-such-folder', 'copy.db');
      const noFolder = await runCli(
        'db',
        'backup',
        '--config',
        folder.configFile,
        '--to',
        inMissing,
      );
      expect(noFolder.code).toBe(EXIT.USAGE);
      expect(noFolder.err).toContain('NO_FOLDER');
      const target = join(out, 'witnessed.db');
      const noWitness = await runCli(
        ...['db', 'backup', '--config', folder.configFile, '--to', target],
        ...['--against', join(out, 'missing-witness.jsonl')],
      );
      expect(noWitness.code).toBe(EXIT.REFUSED);
      expect(noWitness.err).toContain('Cannot read the witness file');
      expect(existsSync(target)).toBe(false);
    },
    TIMEOUT,
  );
});
