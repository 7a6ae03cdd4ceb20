import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningServer } from '../../../services/bank-api/src/server.js';
import { ledgerViolations } from '../../../services/bank-api/test/support/ledger-violations.js';
import type { TransferTiming } from '../restore/judge.js';
import { openPayers, startDrillService } from '../support/drill-service.js';
import { customerBalanceTotal } from '../support/ledger-checks.js';
import {
  type ReplicatedPostgres,
  type ReplicationStatus,
  startReplicatedPostgres,
} from '../support/replicated-postgres.js';
import { pgQuery } from '../support/sql.js';
import { startTcpEndpoint, type TcpEndpoint } from '../support/tcp-endpoint.js';
import { type LoadReport, startTransferLoad } from '../support/transfer-load.js';
import { type AllowedLoss, type FailoverVerdict, failoverViolations, judgeFailover } from './judge.js';
import type { RegionalFailoverOptions, Replication } from './options.js';

// The cross-region failover drill. Two PostgreSQL servers on this machine play two regions: the
// primary, and a streaming standby that receives the primary's WAL through a relay holding every byte
// for the link delay (the distance between regions). Transfers flow through the real service, which
// reaches the database through a TCP endpoint (the stand-in for the writer endpoint / DNS name). Then
// the primary's region goes dark: the primary is crashed (-m immediate) and the link cut, so WAL still
// on the wire is gone. After the detection pause the standby is promoted and the endpoint repointed,
// and the clients, which retry with the same Idempotency-Key, carry on against it.
//
// Measured: the transfers the service acknowledged before the crash that the promoted copy lacks (the
// RPO, in transfers and in time) and the time from the crash to the first transfer acknowledged by
// the new primary (the RTO). Checked: the ledger's invariants on the promoted copy, every stored key
// once and under the id its client was given, and the loss within what the configured lag allows.

const LABEL = 'regional';

/** The CLI's options (documented there) without the output path, and where progress is logged. */
export interface RegionalFailoverSettings extends Omit<RegionalFailoverOptions, 'out'> {
  readonly log?: (message: string) => void;
}

export interface LagSummary {
  readonly samples: number;
  /** Largest pg_stat_replication lag seen during the load, in ms (null: PostgreSQL reported none). */
  readonly maxFlushLagMs: number | null;
  readonly maxReplayLagMs: number | null;
  /** Largest amount of WAL sent but not yet flushed by the standby. */
  readonly maxUnflushedBytes: number;
  /** The last sample, taken just before the crash. */
  readonly atCrash: ReplicationStatus | undefined;
}

export interface RegionalFailoverResult {
  readonly settings: Omit<RegionalFailoverSettings, 'log'>;
  readonly allowedLoss: AllowedLoss;
  readonly verdict: FailoverVerdict;
  /** Acknowledged transfers lost: the RPO in transfers. */
  readonly rpoTransfers: number;
  /** How far before the crash the oldest lost acknowledgement lies: the RPO in time. */
  readonly rpoMs: number;
  /** From the crash to the first transfer acknowledged by the promoted replica. */
  readonly rtoMs: number;
  readonly phasesMs: {
    /** pg_ctl stop -m immediate, from issue to return. */
    readonly crash: number;
    readonly detection: number;
    /** pg_ctl promote -w. */
    readonly promote: number;
    /** From the repoint to the first acknowledged transfer on the new primary. */
    readonly firstTransfer: number;
  };
  readonly lag: LagSummary;
  /** Longest event-loop delay of this process (relay, service, clients) during the load, in ms. */
  readonly eventLoopStallMs: number;
  /** Bytes on the wire dropped when the link was cut (undefined without a link). */
  readonly droppedWalBytes: number | undefined;
  readonly load: {
    readonly acknowledged: number;
    readonly requests: number;
    readonly retries: number;
    readonly failures: Record<string, number>;
    readonly errorWindowMs: number;
  };
  readonly violations: readonly string[];
  readonly timings: ReadonlyMap<string, TransferTiming>;
  readonly promotedKeys: ReadonlyMap<string, string>;
}

type Query = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * The loss the configuration allows: none when synchronous; else what was acknowledged within the link
 * delay before the crash, plus the slack, plus the longest stall of this process's event loop during
 * the load (the relay runs on it: a stalled loop reads and forwards WAL late, which is lag too, but
 * not the lag the drill configured; it is measured and printed, not guessed).
 */
export function allowedLossFor(settings: {
  replication: Replication;
  linkDelayMs: number;
  slackMs: number;
  eventLoopStallMs: number;
}): AllowedLoss {
  return settings.replication === 'synchronous'
    ? { kind: 'none' }
    : { kind: 'window', windowMs: settings.linkDelayMs + settings.slackMs + settings.eventLoopStallMs };
}

function timingsOf(report: LoadReport): Map<string, TransferTiming> {
  return new Map(
    [...report.timings].map(([key, timing]) => [
      key,
      { ...timing, transferId: report.acknowledged.get(key) },
    ]),
  );
}

async function waitForAcknowledged(load: { acknowledgedCount: number }, target: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (load.acknowledgedCount < target) {
    if (Date.now() > deadline)
      throw new Error(
        `load made no progress: ${load.acknowledgedCount}/${target} transfers in ${timeoutMs} ms`,
      );
    await sleep(20);
  }
}

/** Samples pg_stat_replication on the primary until stopped. */
function watchLag(cluster: ReplicatedPostgres, intervalMs = 200) {
  const samples: ReplicationStatus[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const status = await cluster.replicationStatus().catch(() => undefined);
      if (status) samples.push(status);
      await sleep(intervalMs);
    }
  })();
  const max = (values: (number | null)[]) =>
    values.reduce<number | null>((m, v) => (v === null ? m : Math.max(m ?? 0, v)), null);
  return async (): Promise<LagSummary> => {
    stopped = true;
    await loop;
    const atCrash = await cluster.replicationStatus().catch(() => undefined);
    if (atCrash) samples.push(atCrash);
    return {
      samples: samples.length,
      maxFlushLagMs: max(samples.map((s) => s.flushLagMs)),
      maxReplayLagMs: max(samples.map((s) => s.replayLagMs)),
      maxUnflushedBytes: Math.max(0, ...samples.map((s) => s.unflushedBytes)),
      atCrash,
    };
  };
}

export async function runRegionalFailoverDrill(
  settings: RegionalFailoverSettings,
): Promise<RegionalFailoverResult> {
  const log = settings.log ?? (() => {});
  const { log: _log, ...echo } = settings;
  log(
    `starting a primary and ${settings.replication === 'asynchronous' ? 'an' : 'a'} ${settings.replication} standby (link delay ${settings.linkDelayMs} ms, ` +
      `apply delay ${settings.applyDelayMs} ms)`,
  );
  const cluster = await startReplicatedPostgres({
    replication: settings.replication,
    linkDelayMs: settings.linkDelayMs,
    applyDelayMs: settings.applyDelayMs,
  });
  log('replication streaming');
  const serviceLogs: string[] = [];
  let endpoint: TcpEndpoint | undefined;
  let service: RunningServer | undefined;
  try {
    endpoint = await startTcpEndpoint(cluster.primary.port);
    const endpointUrl = (database: string) => {
      const url = new URL(cluster.primary.url);
      url.port = String((endpoint as TcpEndpoint).port);
      url.pathname = `/${database}`;
      return url.toString();
    };
    await pgQuery(endpointUrl('postgres'), 'CREATE DATABASE bank');
    const bankUrl = endpointUrl('bank');
    service = await startDrillService(bankUrl, randomBytes(32).toString('base64url'), serviceLogs, {
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
      DATABASE_STATEMENT_TIMEOUT_MS: '2000',
    });
    const serviceUrl = service.url;
    log(`bank-api ready at ${serviceUrl}; funding ${settings.workers} accounts`);
    const payers = await openPayers(serviceUrl, LABEL, settings.workers);
    const query: Query = (text, params) => pgQuery(bankUrl, text, params);
    const fundedTotal = await customerBalanceTotal(query);

    log(`load: ${settings.workers} clients moving 1 cent at a time for ${settings.loadSeconds} s`);
    const load = startTransferLoad({ baseUrl: () => serviceUrl, payers, label: LABEL });
    await waitForAcknowledged(load, settings.workers * 5, 30_000);
    const stopLagWatch = watchLag(cluster);
    const stalls = monitorEventLoopDelay({ resolution: 10 });
    stalls.enable();
    await sleep(settings.loadSeconds * 1000);
    stalls.disable();
    const eventLoopStallMs = Math.round(stalls.max / 1e6);
    const allowedLoss = allowedLossFor({ ...settings, eventLoopStallMs });
    const lag = await stopLagWatch();

    const killStartedAt = Date.now();
    log(`crash: link cut, primary stopped -m immediate (${load.acknowledgedCount} acknowledged so far)`);
    await cluster.killPrimary();
    const deadAt = Date.now();
    // The crash instant is the cut (the postmaster is signalled in the same tick); without a link,
    // the moment the stop was issued.
    const crashedAt = cluster.link?.cutAt ?? killStartedAt;
    await sleep(settings.detectionMs);
    const promoteStartedAt = Date.now();
    await cluster.promoteStandby();
    const promotedAt = Date.now();
    endpoint.repoint(cluster.standbyPort);
    const repointedAt = Date.now();
    log(`promoted in ${promotedAt - promoteStartedAt} ms; endpoint repointed`);
    await waitForAcknowledged(load, load.acknowledgedCount + settings.workers * 5, 60_000);
    const report = await load.stop();

    const violations: string[] = [];
    const [recovery] = await query('SELECT pg_is_in_recovery() AS r');
    if (recovery?.r !== false) violations.push('the endpoint does not lead to a promoted primary');
    for (const problem of await ledgerViolations((text) => query(text))) {
      violations.push(`promoted copy: ${problem}`);
    }
    const total = await customerBalanceTotal(query);
    if (total !== fundedTotal)
      violations.push(`promoted copy: customer balances sum to ${total}, expected ${fundedTotal}`);
    const rows = await query(
      `SELECT k.key, t.id FROM idempotency_keys k JOIN transfers t ON t.id = k.transfer_id
        WHERE t.kind = 'transfer' AND k.key LIKE $1`,
      [`${LABEL}-%`],
    );
    const promotedKeys = new Map<string, string>();
    for (const row of rows) {
      const key = String(row.key);
      if (promotedKeys.has(key)) violations.push(`promoted copy: idempotency key ${key} moved money twice`);
      promotedKeys.set(key, String(row.id));
    }
    const timings = timingsOf(report);
    const verdict = judgeFailover(timings, promotedKeys, { crashedAt, repointedAt }, allowedLoss);
    violations.push(...failoverViolations(verdict, allowedLoss).map((p) => `promoted copy: ${p}`));

    const firstAfter = Math.min(
      ...[...report.timings.values()]
        .map((t) => t.acknowledgedAt)
        .filter((at): at is number => at !== undefined && at > repointedAt),
    );
    return {
      settings: echo,
      allowedLoss,
      eventLoopStallMs,
      verdict,
      rpoTransfers: verdict.lost.length,
      rpoMs: verdict.lossWindowMs,
      rtoMs: firstAfter - crashedAt,
      phasesMs: {
        crash: deadAt - crashedAt,
        detection: promoteStartedAt - deadAt,
        promote: promotedAt - promoteStartedAt,
        firstTransfer: firstAfter - repointedAt,
      },
      lag,
      droppedWalBytes: cluster.link?.droppedBytes,
      load: {
        acknowledged: report.acknowledged.size,
        requests: report.requests,
        retries: report.retries,
        failures: report.failures,
        errorWindowMs: report.errorWindowMs,
      },
      violations,
      timings,
      promotedKeys,
    };
  } catch (error) {
    if (serviceLogs.length > 0) log(`last service log lines:\n${serviceLogs.slice(-10).join('')}`);
    throw error;
  } finally {
    await service?.close().catch(() => undefined);
    await endpoint?.close().catch(() => undefined);
    await cluster.destroy().catch(() => undefined);
  }
}
