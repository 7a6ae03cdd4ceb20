import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { serviceSelector } from '../bank-api/observability.js';
import { buildDashboard, type PanelSpec } from './panels.js';
import { orZero, rateByOrZero, ratioByOrZero, RATE_INTERVAL as ri } from './promql.js';

// The ledger as the business sees it, for product owners and whoever answers "did the money move?":
// money movements (transfers and deposits) by outcome, idempotent replays and rejections. bank-api
// counts movements (bank_transfers_total by kind and outcome); it exports no amounts, so the
// dashboard shows how many movements completed, not how much money they carried.

export interface LedgerDashboardOptions {
  readonly namespace: string;
  readonly environment: string;
}

const TRANSFERS = 'bank_transfers_total';
const COMPLETED = 'outcome="completed"';
const REPLAYED = 'outcome="replayed"';
/** Every outcome that moved no money (insufficient_funds, currency_mismatch, ...). */
const REJECTED = 'outcome!~"completed|replayed"';

export function ledgerDashboard(o: LedgerDashboardOptions): Dashboard {
  const s = (extra = '') => serviceSelector(o.namespace, extra);
  const total24h = (filter: string) => orZero(`sum(increase(${TRANSFERS}${s(filter)}[24h]))`);

  const panels: PanelSpec[] = [
    {
      kind: 'stat',
      title: 'Completed movements (24h)',
      description: 'Transfers and deposits that moved money in the last 24 hours.',
      unit: 'short',
      width: 6,
      height: 4,
      queries: [{ expr: total24h(COMPLETED), legend: 'completed' }],
    },
    {
      kind: 'stat',
      title: 'Idempotent replays (24h)',
      description:
        'Requests that repeated an Idempotency-Key already used and got the first answer back, moving no money twice.',
      unit: 'short',
      width: 6,
      height: 4,
      queries: [{ expr: total24h(REPLAYED), legend: 'replayed' }],
    },
    {
      kind: 'stat',
      title: 'Rejected (24h)',
      description:
        'Movements refused by the ledger in the last 24 hours: insufficient funds, currency mismatch, key reused with another body, unknown account, invalid request.',
      unit: 'short',
      width: 6,
      height: 4,
      queries: [{ expr: total24h(REJECTED), legend: 'rejected' }],
    },
    {
      kind: 'stat',
      title: 'Replay share (1h)',
      description:
        'Share of money movement requests in the last hour that were idempotent replays: a rising share means clients are retrying (timeouts, network trouble).',
      unit: 'percentunit',
      width: 6,
      height: 4,
      queries: [{ expr: orZero(ratioByOrZero(TRANSFERS, s, REPLAYED, '', '1h')), legend: 'replays' }],
    },
    {
      kind: 'timeseries',
      title: 'Completed movements by kind',
      description: 'Transfers and deposits completed per second (0 for a kind that completed none).',
      unit: 'ops',
      queries: [{ expr: orZero(rateByOrZero(TRANSFERS, s, COMPLETED, 'kind', ri)), legend: '{{kind}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Movements by outcome',
      description:
        'Money movement requests per second by kind and outcome, stacked: completed, replayed and each rejection reason.',
      unit: 'ops',
      stacked: true,
      queries: [
        {
          expr: orZero(`sum by (kind, outcome) (rate(${TRANSFERS}${s()}[${ri}]))`),
          legend: '{{kind}} {{outcome}}',
        },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Idempotent replays',
      description: 'Replayed requests per second by kind (0 when clients send each Idempotency-Key once).',
      unit: 'ops',
      queries: [{ expr: orZero(rateByOrZero(TRANSFERS, s, REPLAYED, 'kind', ri)), legend: '{{kind}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Rejections by reason',
      description:
        'Refused movements per second by outcome; insufficient_funds is normal customer behaviour, a burst of rejected or not_found usually is a client bug.',
      unit: 'ops',
      stacked: true,
      queries: [
        { expr: orZero(`sum by (outcome) (rate(${TRANSFERS}${s(REJECTED)}[${ri}]))`), legend: '{{outcome}}' },
      ],
    },
  ];

  return buildDashboard({
    uid: `bank-ledger-${o.environment}`,
    title: `Ledger (${o.environment})`,
    description: `Money movements in ${o.environment} for product owners and support: transfers and deposits by outcome, idempotent replays and rejections, counted by bank-api (counts, not amounts).`,
    tags: ['bank', 'bank-api', 'ledger', o.environment],
    panels,
  });
}
