import { type Command, InvalidArgumentError } from 'commander';
import { calibrationCsv } from '../../outcomes/calibration-csv.js';
import type { CalibrationReport, CalibrationRow } from '../../outcomes/calibration-report.js';
import { gatewayClient } from '../client.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../io.js';
import { run } from '../run-command.js';

const FORMATS = ['text', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

function parseFormat(value: string): Format {
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new InvalidArgumentError(`Unknown format ${value}; use ${FORMATS.join(', ')}`);
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

function rowLine(row: CalibrationRow): string {
  const c = row.copilot;
  const who = c
    ? `${c.vendor}/${c.model}@${c.modelVersion} prompt ${c.promptVersion ?? c.promptHash}`
    : `workflow ${row.workflowId}`;
  const unit = row.currency ? `${row.unit} ${row.currency}` : row.unit;
  return [
    `${who} on ${row.kpi} (${unit}): ${row.outcomes} outcome(s)`,
    `  inside p10-p90 ${percent(row.inside.share)}, below p10 ${percent(row.below.share)}, above p90 ${percent(row.above.share)}`,
    `  p50 bias ${row.p50Bias}, relative ${row.p50RelativeBias ?? 'n/a'}, pinball loss ${row.pinballLoss}`,
    `  below: ${row.below.planIds.join(' ') || '-'}; above: ${row.above.planIds.join(' ') || '-'}`,
  ].join('\n');
}

function text(report: CalibrationReport): string {
  if (report.copilots.length === 0) return 'no forecasts with final outcomes yet';
  return [
    'per copilot:',
    ...report.copilots.map(rowLine),
    'per workflow:',
    ...report.workflows.map(rowLine),
  ].join('\n');
}

/**
 * `handoff copilots calibration --url URL [--format text|csv|json] [--json]`: forecast calibration of the caller's tenant
 * per copilot and per workflow (`copilots.calibration`, operator or auditor). `csv` is RFC 4180 with a header
 * (see `calibrationCsv`), `json` the procedure's answer. Exit codes: 0 done, 1 refused by the gateway (e.g.
 * `FORBIDDEN`), 2 a bad option, 4 gateway unreachable (see `EXIT`).
 */
export function registerCopilots(
  copilots: Command,
  io: Io,
  setExit: (code: ExitCode) => void,
): void {
  copilots
    .command('calibration')
    .description(
      'forecast calibration per copilot and per workflow: coverage, p50 bias, pinball loss',
    )
    .requiredOption('--url <url>', 'gateway URL')
    .option('--api-key <key>', 'API key (default: $HANDOFF_API_KEY)')
    .option('--format <format>', 'text, csv or json (default text)', parseFormat)
    .option('--json', 'print JSON (as --format json)')
    .action(async (opts: { url: string; apiKey?: string; format?: Format; json?: boolean }) => {
      const format = opts.json ? 'json' : (opts.format ?? 'text');
      setExit(
        await run(io, format === 'json', async () => {
          const report = await gatewayClient(opts.url, opts.apiKey).copilots.calibration.query();
          if (format === 'json') io.out(JSON.stringify(report, null, 2));
          else io.out(format === 'csv' ? calibrationCsv(report).trimEnd() : text(report));
          return EXIT.OK;
        }),
      );
    });
}
