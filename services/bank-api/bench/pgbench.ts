import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostgresServer } from '../../../test/support/postgres.js';
import { POST_TRANSFER_SQL, POST_TRANSFERS_SQL } from '../src/ledger/ledger.js';
import { accountIdSql } from './dataset.js';

export interface PgbenchResult {
  clients: number;
  /** Transfers per transaction: 1 (post_transfer) or the batch size (post_transfers). */
  batch: number;
  /** Transfers per second (transactions per second × batch). */
  tps: number;
  /** Before or after the service phases: the ceiling drifts on a shared machine, so it is taken twice. */
  phase: 'before' | 'after';
  latencyAvgMs: number;
  transactions: number;
  failed: number;
}

// A fixed request hash: the service sends the SHA-256 hex of the body, which is the same size.
const REQUEST_HASH = 'b'.repeat(64);

/**
 * The service's own transfer statement as a pgbench script: POST_TRANSFER_SQL with its eight
 * parameters computed from pgbench's random numbers (two distinct accounts, a fresh idempotency key,
 * amount 1). It runs as one implicit READ COMMITTED transaction, exactly as the service runs it.
 */
export function transferScript(accounts: number): string {
  const params = [
    `'bench-' || :from`,
    'gen_random_uuid()::text',
    `'${REQUEST_HASH}'`,
    `'transfer'`,
    accountIdSql(':from'),
    accountIdSql(':to'),
    '1',
    'NULL',
  ];
  const sql = POST_TRANSFER_SQL.replace(/\$(\d)/g, (_, i: string) => params[Number(i) - 1] as string);
  return [
    `\\set from random(1, ${accounts})`,
    `\\set step random(1, ${accounts - 1})`,
    `\\set to (:from + :step - 1) % ${accounts} + 1`,
    `${sql};`,
    '',
  ].join('\n');
}

/**
 * The batched ceiling: POST_TRANSFERS_SQL with `size` random transfers per call, one call per
 * transaction, the arrays built in SQL from random numbers (pgbench variables are scalars). The same
 * function, batch size and data set as the service's batched path.
 */
export function batchScript(accounts: number, size: number): string {
  const arrays = `SELECT array_agg('bench-' || f ORDER BY g) AS customers,
         array_agg(gen_random_uuid()::text ORDER BY g) AS keys,
         array_agg(${accountIdSql('f')} ORDER BY g) AS froms,
         array_agg(${accountIdSql(`(f + s - 1) % ${accounts} + 1`)} ORDER BY g) AS tos
    FROM (SELECT g, 1 + floor(random() * ${accounts})::int AS f, 1 + floor(random() * ${accounts - 1})::int AS s
            FROM generate_series(1, ${size}) AS g) AS r`;
  const params = [
    'b.customers',
    'b.keys',
    `array_fill('${REQUEST_HASH}'::text, ARRAY[${size}])`,
    `array_fill('transfer'::text, ARRAY[${size}])`,
    'b.froms',
    'b.tos',
    `array_fill(1::bigint, ARRAY[${size}])`,
    `array_fill(NULL::text, ARRAY[${size}])`,
  ];
  const call = POST_TRANSFERS_SQL.replace(
    /\$(\d)/g,
    (_, i: string) => params[Number(i) - 1] as string,
  ).replace(/FROM post_transfers/, `FROM (${arrays}) AS b, post_transfers`);
  return `${call.replace(/\s+/g, ' ')};\n`;
}

const number = (output: string, pattern: RegExp, what: string): number => {
  const match = pattern.exec(output);
  if (!match?.[1]) throw new Error(`pgbench output has no ${what}:\n${output}`);
  return Number(match[1]);
};

/** Runs pgbench with prepared statements (as the pg driver does for named statements). */
export async function runPgbench(
  server: PostgresServer,
  database: string,
  options: {
    accounts: number;
    clients: number;
    durationSeconds: number;
    /** Transfers per transaction: 1 runs post_transfer, more runs post_transfers. */
    batch: number;
    phase: 'before' | 'after';
  },
): Promise<PgbenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bank-bench-'));
  try {
    // pgbench runs as the postgres user, which must be able to read the script.
    await chmod(dir, 0o755);
    const script = join(dir, 'transfer.sql');
    const text =
      options.batch > 1 ? batchScript(options.accounts, options.batch) : transferScript(options.accounts);
    await writeFile(script, text, { mode: 0o644 });
    const url = new URL(server.url);
    const { stdout, stderr } = await server.run(
      'pgbench',
      [
        '--no-vacuum',
        '--protocol=prepared',
        `--client=${options.clients}`,
        `--jobs=${Math.min(2, options.clients)}`,
        `--time=${options.durationSeconds}`,
        `--file=${script}`,
        '--host=127.0.0.1',
        `--port=${server.port}`,
        `--username=${decodeURIComponent(url.username)}`,
        database,
      ],
      { timeoutMs: (options.durationSeconds + 120) * 1_000 },
    );
    const output = `${stdout}\n${stderr}`;
    const transactionsPerSecond = number(
      output,
      /^tps = ([\d.]+) \(without initial connection time\)/m,
      'tps',
    );
    return {
      clients: options.clients,
      batch: options.batch,
      phase: options.phase,
      tps: Math.round(transactionsPerSecond * options.batch * 10) / 10,
      latencyAvgMs: number(output, /^latency average = ([\d.]+) ms/m, 'average latency'),
      transactions: number(output, /^number of transactions actually processed: (\d+)/m, 'transaction count'),
      failed: /^number of failed transactions: (\d+)/m.test(output)
        ? number(output, /^number of failed transactions: (\d+)/m, 'failures')
        : 0,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
