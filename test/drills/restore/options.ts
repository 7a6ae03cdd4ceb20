import { parseArgs } from 'node:util';

export interface RestoreDrillOptions {
  /** Seconds of transfer load after the base backup; the target time is in the middle of them. */
  readonly loadSeconds: number;
  /** Concurrent clients, each moving 1 cent at a time to the next one's account. */
  readonly workers: number;
  /** Where the JSON figures go (none when undefined). */
  readonly out: string | undefined;
  /** Keep the servers' folders (primary, archive, base backup, restored copy) for inspection. */
  readonly keep: boolean;
}

export const USAGE = `Usage: npm run drill:restore -- [options]

Point-in-time restore drill: a PostgreSQL primary with WAL archiving, a base backup, transfers
through the real bank-api under load, a new server restored to a target time in the middle of the
load, and the ledger checked there. Prints the RPO and RTO; exits 1 on any violation.

  --seconds <s>    seconds of load after the base backup, target in the middle (default 6, 2-300)
  --workers <n>    concurrent clients (default 8, 2-64)
  --out <path>     also write the figures as JSON to this file
  --keep           keep the data folders and print where they are
  --help           this text
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function wholeNumber(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got '${raw}')`);
  }
  return Number(raw);
}

/** Parses the command line; a bad option throws UsageError naming it. */
export function parseRestoreDrillOptions(argv: readonly string[]): RestoreDrillOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        seconds: { type: 'string' },
        workers: { type: 'string' },
        out: { type: 'string' },
        keep: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const out = values.out as string | undefined;
  if (out !== undefined && out.trim() === '') throw new UsageError('--out must be a file path');
  return {
    loadSeconds: wholeNumber('seconds', (values.seconds as string | undefined) ?? '6', 2, 300),
    workers: wholeNumber('workers', (values.workers as string | undefined) ?? '8', 2, 64),
    out,
    keep: values.keep === true,
  };
}
