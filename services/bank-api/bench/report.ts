import type { HttpPhaseResult } from './http-load.js';
import type { PgbenchResult } from './pgbench.js';

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
  };
  /** Best pgbench transactions/s over the client counts: the database's own limit for this SQL. */
  ceilingTps: number;
  /** Best HTTP transfers/s over the concurrencies. */
  serviceTps: number;
  ratio: number;
  /** Latencies of the best-throughput HTTP row. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Failed HTTP requests over all measured phases. */
  errors: number;
  /** The concurrency that produced serviceTps. */
  bestConcurrency: number;
  pgbench: PgbenchResult[];
  http: HttpPhaseResult[];
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
    ratioAtLeastHalf: boolean;
  };
}

export function summarize(
  base: Pick<BenchResults, 'startedAt' | 'machine' | 'settings' | 'checks'>,
  pgbench: PgbenchResult[],
  http: HttpPhaseResult[],
): BenchResults {
  const ceilingTps = Math.max(...pgbench.map((r) => r.tps));
  const best = http.reduce((a, b) => (b.tps > a.tps ? b : a));
  const errors = http.reduce((sum, r) => sum + r.errors, 0);
  const ratio = Math.round((best.tps / ceilingTps) * 1000) / 1000;
  return {
    ...base,
    ceilingTps: Math.round(ceilingTps * 10) / 10,
    serviceTps: best.tps,
    ratio,
    p50Ms: best.p50Ms,
    p95Ms: best.p95Ms,
    p99Ms: best.p99Ms,
    errors,
    bestConcurrency: best.concurrency,
    pgbench,
    http,
    targets: {
      atLeast1000TpsWithP99Under50MsAndNoErrors: http.some(
        (r) => r.tps >= 1_000 && r.p99Ms < 50 && r.errors === 0,
      ),
      ratioAtLeastHalf: ratio >= 0.5,
    },
  };
}

const pad = (value: string | number, width: number) => String(value).padStart(width);

export function formatResults(r: BenchResults): string {
  const lines = [
    '',
    `pgbench ceiling (same SQL, ${r.settings.durationSeconds}s per row)`,
    `${pad('clients', 8)} ${pad('tps', 10)} ${pad('avg ms', 8)} ${pad('failed', 7)}`,
    ...r.pgbench.map(
      (p) =>
        `${pad(p.clients, 8)} ${pad(p.tps.toFixed(1), 10)} ${pad(p.latencyAvgMs.toFixed(2), 8)} ${pad(p.failed, 7)}`,
    ),
    '',
    `bank-api over HTTP: POST /v1/transfers (pool ${r.settings.poolMax}, log ${r.settings.logLevel}, load by ${r.settings.loadGenerator})`,
    `${pad('conns', 8)} ${pad('tps', 10)} ${pad('p50 ms', 8)} ${pad('p95 ms', 8)} ${pad('p99 ms', 8)} ${pad('max ms', 8)} ${pad('errors', 7)} ${pad('ratio', 6)}`,
    ...r.http.map(
      (h) =>
        `${pad(h.concurrency, 8)} ${pad(h.tps.toFixed(1), 10)} ${pad(h.p50Ms.toFixed(2), 8)} ${pad(h.p95Ms.toFixed(2), 8)} ${pad(h.p99Ms.toFixed(2), 8)} ${pad(h.maxMs.toFixed(1), 8)} ${pad(h.errors, 7)} ${pad((h.tps / r.ceilingTps).toFixed(2), 6)}`,
    ),
    '',
    `ceiling ${r.ceilingTps} tps; service best ${r.serviceTps} tps at ${r.bestConcurrency} connections ` +
      `(p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, p99 ${r.p99Ms} ms); ratio ${r.ratio}; errors ${r.errors}`,
    `targets: >=1000 tps with p99 < 50 ms and no errors: ${r.targets.atLeast1000TpsWithP99Under50MsAndNoErrors ? 'met' : 'NOT met'}; ` +
      `ratio >= 0.5: ${r.targets.ratioAtLeastHalf ? 'met' : 'NOT met'}`,
    `checks: total balance ${r.checks.totalBalance}, negative balances ${r.checks.negativeBalances}, ` +
      `${r.checks.acknowledged} acknowledged / ${r.checks.stored} stored transfers (ok: ${r.checks.acknowledgedAllStored})`,
    '',
  ];
  return lines.join('\n');
}
