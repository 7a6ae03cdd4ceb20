import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Seconds per measured phase (each pgbench client count and each HTTP concurrency). */
  durationSeconds: number;
  /** Seconds of unrecorded HTTP load before the first measured phase (JIT, pool, caches). */
  warmupSeconds: number;
  /** Where the JSON results go. */
  out: string;
  /** Customer accounts in the data set; transfers pick two of them at random. */
  accounts: number;
  /** pgbench client counts; the best one is the ceiling. */
  pgbenchClients: number[];
  /** Concurrent HTTP connections of the load generator, one measured phase each. */
  concurrency: number[];
  /** DATABASE_POOL_MAX of the service under test. */
  poolMax: number;
  /** LOG_LEVEL of the service under test (info is what production runs). */
  logLevel: string;
  /** PostgreSQL's synchronous_commit: 'on' is durable (the default); 'off' shows the CPU-bound limit. */
  synchronousCommit: 'on' | 'off';
  /** When set, the service writes a V8 CPU profile (.cpuprofile) into this folder on exit. */
  profileDir: string | undefined;
  /** wrk (C, like pgbench; the default) or autocannon (JavaScript, shares the cores with the service). */
  loadGenerator: 'wrk' | 'autocannon';
  /**
   * POSTING_BATCH_MAX of the batched service phases, and the transfers per transaction of the batched
   * pgbench ceiling. 1: only the single path (one transfer per call), as before batching.
   */
  batch: number;
  /** POSTING_BATCH_WINDOW_MS of the batched service phases. */
  batchWindowMs: number;
  /** Service processes sharing the port (node:cluster); the pool is split between them. */
  serviceProcesses: number;
}

export const USAGE = `Usage: npm run bench -- [options]

  --duration <s>        seconds per measured phase (default 20)
  --warmup <s>          seconds of unrecorded warm-up load (default: min(5, duration))
  --out <path>          JSON results file (default .bench/results.json)
  --accounts <n>        accounts in the data set (default 10000)
  --pgbench-clients <l> comma-separated pgbench client counts (default 8,16,32)
  --concurrency <l>     comma-separated HTTP connection counts (default 8,16,32,64)
  --pool <n>            the service's DATABASE_POOL_MAX (default 16)
  --log-level <level>   the service's LOG_LEVEL (default info)
  --synchronous-commit <on|off>
                        PostgreSQL durability for both phases (default on)
  --profile <dir>       write a CPU profile of the service (open it in Chrome DevTools)
  --load-generator <wrk|autocannon>
                        HTTP load generator (default wrk: C like pgbench, so it takes less CPU
                        from the service on a small machine)
  --batch <n>           the batched path's POSTING_BATCH_MAX and the batched pgbench
                        ceiling's transfers per transaction (default 64); 1 measures
                        only the single path (one transfer per call)
  --batch-window <ms>   the batched path's POSTING_BATCH_WINDOW_MS, 0-10 (default 1)
  --service-processes <n>
                        service processes sharing the port (default 1); the pool is
                        split between them
  --help                this text
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function positiveInt(name: string, raw: string, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new UsageError(`--${name} must be a whole number between 1 and ${max} (got '${raw}')`);
  }
  return Number(raw);
}

function intList(name: string, raw: string, max: number): number[] {
  const items = raw.split(',').map((part) => positiveInt(name, part.trim(), max));
  return [...new Set(items)].sort((a, b) => a - b);
}

/** Parses the command line; throws UsageError naming the bad option. */
export function parseBenchOptions(argv: string[]): BenchOptions | 'help' {
  let parsed: ReturnType<typeof parseArgs<{ options: Record<string, { type: 'string' | 'boolean' }> }>>;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        duration: { type: 'string' },
        warmup: { type: 'string' },
        out: { type: 'string' },
        accounts: { type: 'string' },
        'pgbench-clients': { type: 'string' },
        concurrency: { type: 'string' },
        pool: { type: 'string' },
        'log-level': { type: 'string' },
        profile: { type: 'string' },
        'synchronous-commit': { type: 'string' },
        'load-generator': { type: 'string' },
        batch: { type: 'string' },
        'batch-window': { type: 'string' },
        'service-processes': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.help) return 'help';
  const str = (name: string): string | undefined => v[name] as string | undefined;

  const durationSeconds = positiveInt('duration', str('duration') ?? '20', 3_600);
  const warmupRaw = str('warmup');
  const warmupSeconds =
    warmupRaw === undefined
      ? Math.min(5, durationSeconds)
      : warmupRaw === '0'
        ? 0
        : positiveInt('warmup', warmupRaw, 600);
  const out = str('out') ?? '.bench/results.json';
  if (out.trim() === '') throw new UsageError('--out must be a file path');
  const logLevel = str('log-level') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')} (got '${logLevel}')`);
  }
  const synchronousCommit = str('synchronous-commit') ?? 'on';
  if (synchronousCommit !== 'on' && synchronousCommit !== 'off') {
    throw new UsageError(`--synchronous-commit must be on or off (got '${synchronousCommit}')`);
  }
  const loadGenerator = str('load-generator') ?? 'wrk';
  if (loadGenerator !== 'wrk' && loadGenerator !== 'autocannon') {
    throw new UsageError(`--load-generator must be wrk or autocannon (got '${loadGenerator}')`);
  }
  const batchWindowRaw = str('batch-window') ?? '1';
  if (!/^\d+$/.test(batchWindowRaw) || Number(batchWindowRaw) > 10) {
    throw new UsageError(
      `--batch-window must be a whole number of ms between 0 and 10 (got '${batchWindowRaw}')`,
    );
  }
  return {
    batch: positiveInt('batch', str('batch') ?? '64', 1_000),
    batchWindowMs: Number(batchWindowRaw),
    serviceProcesses: positiveInt('service-processes', str('service-processes') ?? '1', 16),
    loadGenerator,
    synchronousCommit,
    durationSeconds,
    warmupSeconds,
    out,
    accounts: Math.max(2, positiveInt('accounts', str('accounts') ?? '10000', 1_000_000)),
    pgbenchClients: intList('pgbench-clients', str('pgbench-clients') ?? '8,16,32', 150),
    concurrency: intList('concurrency', str('concurrency') ?? '8,16,32,64', 1_000),
    poolMax: positiveInt('pool', str('pool') ?? '16', 150),
    logLevel,
    profileDir: str('profile'),
  };
}
