import type { HttpPhaseResult } from './http-load.js';
import type { PgbenchResult } from './pgbench.js';

/** The service's two posting paths: one post_transfer per transfer, or batches of post_transfers. */
export type PostingPath = 'single' | 'batched';

export interface ServiceRow extends HttpPhaseResult {
  path: PostingPath;
  /** Transfers/s over the single-transfer ceiling: the measure (goal >= 0.8). */
  ratio: number;
  /** Batched rows only: transfers/s over the batched ceiling (same function, same batch size). */
  batchRatio: number | undefined;
}

export interface Ceiling {
  /** Best pgbench transfers/s over the client counts, before and after the service phases. */
  before: number;
  after: number;
  /** The higher of the two: ratios divide by it, so a drifting machine never flatters the service. */
  tps: number;
}

export interface BenchResults {
  startedAt: string;
  machine: { cpus: number; node: string; postgres: string; loadAverageAtStart: number[] };
  settings: {
    durationSeconds: number;
    warmupSeconds: number;
    accounts: number;
    poolMax: number;
    logLevel: string;
    loadGenerator: 'wrk' | 'autocannon';
    postgresSettings: Record<string, string | number>;
    batch: number;
    batchWindowMs: number;
    serviceProcesses: number;
  };
  /** pgbench running post_transfer: one transfer, one commit per transaction. */
  ceiling: Ceiling;
  /** pgbench running post_transfers with `settings.batch` transfers per transaction (absent with --batch 1). */
  batchCeiling: Ceiling | undefined;
  /** The best row (highest transfers/s) over both paths, and its latencies. */
  serviceTps: number;
  ratio: number;
  bestPath: PostingPath;
  bestConcurrency: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Failed HTTP requests over all measured phases. */
  errors: number;
  pgbench: PgbenchResult[];
  http: ServiceRow[];
  checks: {
    totalBalance: number;
    negativeBalances: number;
    /** 201s the load generator counted, and transfers the ledger holds for the HTTP phases. */
    acknowledged: number;
    stored: number;
    /**
     * The load generator stops with requests in flight, which the service still completes, so the
     * ledger may hold up to one extra transfer per connection per phase, never fewer than acknowledged.
     */
    acknowledgedAllStored: boolean;
  };
  targets: {
    atLeast1000TpsWithP99Under50MsAndNoErrors: boolean;
    /** Issue 13: some row moves >= 0.8x the single-transfer ceiling with p99 < 50 ms and no errors. */
    ratioAtLeast08WithP99Under50MsAndNoErrors: boolean;
  };
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function ceilingOf(rows: PgbenchResult[]): Ceiling | undefined {
  if (rows.length === 0) return undefined;
  const best = (phase: 'before' | 'after') =>
    Math.max(0, ...rows.filter((r) => r.phase === phase).map((r) => r.tps));
  const before = best('before');
  const after = best('after');
  return { before: round(before, 1), after: round(after, 1), tps: round(Math.max(before, after), 1) };
}

export function summarize(
  base: Pick<BenchResults, 'startedAt' | 'machine' | 'settings' | 'checks'>,
  pgbench: PgbenchResult[],
  phases: (HttpPhaseResult & { path: PostingPath })[],
): BenchResults {
  const ceiling = ceilingOf(pgbench.filter((r) => r.batch === 1));
  if (!ceiling) throw new Error('no single-transfer pgbench row');
  const batchCeiling = ceilingOf(pgbench.filter((r) => r.batch > 1));
  const http: ServiceRow[] = phases.map((row) => ({
    ...row,
    ratio: round(row.tps / ceiling.tps, 3),
    batchRatio: row.path === 'batched' && batchCeiling ? round(row.tps / batchCeiling.tps, 3) : undefined,
  }));
  const best = http.reduce((a, b) => (b.tps > a.tps ? b : a));
  return {
    ...base,
    ceiling,
    batchCeiling,
    serviceTps: best.tps,
    ratio: best.ratio,
    bestPath: best.path,
    bestConcurrency: best.concurrency,
    p50Ms: best.p50Ms,
    p95Ms: best.p95Ms,
    p99Ms: best.p99Ms,
    errors: http.reduce((sum, r) => sum + r.errors, 0),
    pgbench,
    http,
    targets: {
      atLeast1000TpsWithP99Under50MsAndNoErrors: http.some(
        (r) => r.tps >= 1_000 && r.p99Ms < 50 && r.errors === 0,
      ),
      ratioAtLeast08WithP99Under50MsAndNoErrors: http.some(
        (r) => r.ratio >= 0.8 && r.p99Ms < 50 && r.errors === 0,
      ),
    },
  };
}

const pad = (value: string | number, width: number) => String(value).padStart(width);

export function formatResults(r: BenchResults): string {
  const s = r.settings;
  const ceilingLine = (name: string, c: Ceiling) =>
    `${name}: before ${c.before} tps, after ${c.after} tps; ratios divide by ${c.tps}`;
  const lines = [
    '',
    `pgbench ceiling (the service's own SQL, ${s.durationSeconds}s per row, transfers/s)`,
    `${pad('phase', 7)} ${pad('batch', 6)} ${pad('clients', 8)} ${pad('tps', 10)} ${pad('avg ms', 8)} ${pad('failed', 7)}`,
    ...r.pgbench.map(
      (p) =>
        `${pad(p.phase, 7)} ${pad(p.batch, 6)} ${pad(p.clients, 8)} ${pad(p.tps.toFixed(1), 10)} ${pad(p.latencyAvgMs.toFixed(2), 8)} ${pad(p.failed, 7)}`,
    ),
    ceilingLine('single-transfer ceiling (post_transfer)', r.ceiling),
    ...(r.batchCeiling
      ? [ceilingLine(`batched ceiling (post_transfers, ${s.batch} per call)`, r.batchCeiling)]
      : []),
    '',
    `bank-api over HTTP: POST /v1/transfers (pool ${s.poolMax}, ${s.serviceProcesses} process(es), log ${s.logLevel}, ` +
      `load by ${s.loadGenerator}; batched: POSTING_BATCH_MAX=${s.batch}, POSTING_BATCH_WINDOW_MS=${s.batchWindowMs})`,
    `${pad('path', 8)} ${pad('conns', 6)} ${pad('tps', 10)} ${pad('p50 ms', 8)} ${pad('p95 ms', 8)} ${pad('p99 ms', 8)} ${pad('max ms', 8)} ${pad('errors', 7)} ${pad('ratio', 6)} ${pad('/batch', 7)}`,
    ...r.http.map(
      (h) =>
        `${pad(h.path, 8)} ${pad(h.concurrency, 6)} ${pad(h.tps.toFixed(1), 10)} ${pad(h.p50Ms.toFixed(2), 8)} ${pad(h.p95Ms.toFixed(2), 8)} ${pad(h.p99Ms.toFixed(2), 8)} ${pad(h.maxMs.toFixed(1), 8)} ${pad(h.errors, 7)} ${pad(h.ratio.toFixed(2), 6)} ${pad(h.batchRatio === undefined ? '-' : h.batchRatio.toFixed(2), 7)}`,
    ),
    '',
    `load average at start ${r.machine.loadAverageAtStart.join(', ')} (${r.machine.cpus} cpus)`,
    `service best ${r.serviceTps} tps on the ${r.bestPath} path at ${r.bestConcurrency} connections ` +
      `(p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, p99 ${r.p99Ms} ms); ratio ${r.ratio} of the single-transfer ceiling; errors ${r.errors}`,
    `targets: >=1000 tps with p99 < 50 ms and no errors: ${r.targets.atLeast1000TpsWithP99Under50MsAndNoErrors ? 'met' : 'NOT met'}; ` +
      `ratio >= 0.8 with p99 < 50 ms and no errors: ${r.targets.ratioAtLeast08WithP99Under50MsAndNoErrors ? 'met' : 'NOT met'}`,
    `checks: total balance ${r.checks.totalBalance}, negative balances ${r.checks.negativeBalances}, ` +
      `${r.checks.acknowledged} acknowledged / ${r.checks.stored} stored transfers (ok: ${r.checks.acknowledgedAllStored})`,
    '',
  ];
  return lines.join('\n');
}
