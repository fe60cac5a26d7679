/**
 * The UCI Bank Marketing data (examples/data/bank-marketing, CC BY 4.0; see its SOURCE.md): 4,521 real clients of
 * a Portuguese bank's phone campaigns, 2008-2010, and whether each subscribed to a term deposit.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Digest } from '@handoff/protocol';
import { parse } from 'csv-parse/sync';

/** Where the copy lives, relative to the repository. */
export const BANK_CSV = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'data',
  'bank-marketing',
  'bank.csv',
);

/** The dataset's DOI, cited by every plan that uses it. */
export const BANK_DOI = 'https://doi.org/10.24432/C5K306';

/** The paper the data comes with. */
export const BANK_PAPER = {
  title: 'A Data-Driven Approach to Predict the Success of Bank Telemarketing',
  url: 'https://doi.org/10.1016/j.dss.2014.03.001',
  publisher: 'Decision Support Systems',
} as const;

/** One client (one row). The data has no customer id: `clientId` is the 1-based row number. */
export interface BankClient {
  clientId: number;
  age: number;
  job: string;
  marital: string;
  education: string;
  default: string;
  /** Average yearly balance, in whole euros (can be negative). */
  balance: number;
  housing: string;
  loan: string;
  contact: string;
  day: number;
  month: string;
  /** Length of the last call, in SECONDS: known only after the call, so never a model input. */
  duration: number;
  campaign: number;
  /** Days since the last contact of a previous campaign; -1 = never contacted before. */
  pdays: number;
  previous: number;
  poutcome: string;
  /** Subscribed to a term deposit. */
  subscribed: boolean;
}

/** The loaded data with its `sha256:` digest, as plans cite it. */
export interface BankData {
  clients: BankClient[];
  sha256: `sha256:${string}`;
}

type Row = Record<string, string>;

function num(row: Row, key: string): number {
  const value = Number(row[key]);
  if (!Number.isFinite(value)) throw new Error(`bank.csv: ${key} is not a number: ${row[key]}`);
  return value;
}

function text(row: Row, key: string): string {
  const value = row[key];
  if (value === undefined) throw new Error(`bank.csv: no column ${key}`);
  return value;
}

/** Reads bank.csv (semicolon-separated, quoted strings, header row) with csv-parse. */
export function loadBankData(file = BANK_CSV): BankData {
  const bytes = readFileSync(file);
  const rows = parse(bytes, { delimiter: ';', columns: true, skip_empty_lines: true }) as Row[];
  const clients = rows.map(
    (row, index): BankClient => ({
      clientId: index + 1,
      age: num(row, 'age'),
      job: text(row, 'job'),
      marital: text(row, 'marital'),
      education: text(row, 'education'),
      default: text(row, 'default'),
      balance: num(row, 'balance'),
      housing: text(row, 'housing'),
      loan: text(row, 'loan'),
      contact: text(row, 'contact'),
      day: num(row, 'day'),
      month: text(row, 'month'),
      duration: num(row, 'duration'),
      campaign: num(row, 'campaign'),
      pdays: num(row, 'pdays'),
      previous: num(row, 'previous'),
      poutcome: text(row, 'poutcome'),
      subscribed: text(row, 'y') === 'yes',
    }),
  );
  return { clients, sha256: sha256Digest(bytes) };
}

/** A synthetic, reserved-domain address for a client (RFC 2606 `.example`): the data names no one. */
export function clientEmail(client: Pick<BankClient, 'clientId'>): string {
  return `client-${String(client.clientId).padStart(4, '0')}@bank.example`;
}
