import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from '../db/database.js';

export type TransferOutcome =
  | 'completed'
  | 'replayed'
  | 'insufficient_funds'
  | 'currency_mismatch'
  | 'idempotency_conflict'
  | 'not_found'
  | 'rejected';

/** One registry per service instance (tests run several in one process). */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly inFlight: Gauge;
  readonly transfers: Counter<'kind' | 'outcome'>;
  readonly dbUp: Gauge;
  readonly postingBatchSize: Histogram;

  constructor(poolStats: () => PoolStats) {
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route template and status code.',
      labelNames: ['method', 'route', 'status_code'],
      // Dense below 100 ms where the latency SLO lives.
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.inFlight = new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests being served right now.',
      registers: [this.registry],
    });
    this.transfers = new Counter({
      name: 'bank_transfers_total',
      help: 'Money movement requests by kind and outcome.',
      labelNames: ['kind', 'outcome'],
      registers: [this.registry],
    });
    this.dbUp = new Gauge({
      name: 'bank_db_up',
      help: '1 when the last readiness check reached the database with migrations applied, else 0.',
      registers: [this.registry],
    });
    this.postingBatchSize = new Histogram({
      name: 'bank_posting_batch_size',
      help: 'Transfers and deposits posted per database call (1: the single path).',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [this.registry],
    });
    const poolGauge = (name: string, help: string, pick: (s: PoolStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(pick(poolStats()));
        },
      });
    poolGauge('bank_db_pool_in_use', 'Database connections checked out by requests.', (s) => s.inUse);
    poolGauge('bank_db_pool_idle', 'Open database connections waiting for work.', (s) => s.idle);
    poolGauge('bank_db_pool_waiting', 'Requests queued for a database connection.', (s) => s.waiting);
    poolGauge('bank_db_pool_max', 'Configured maximum database connections.', (s) => s.max);
  }
}
