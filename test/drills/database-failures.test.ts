import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  multiPostingBatches,
  openAccount,
  startTestService,
  type TestService,
} from '../../services/bank-api/test/support/harness.js';
import { type PostgresServer, postgresServerAvailable, startPostgres } from '../support/postgres.js';
import { customerBalanceTotal, describeReport, drillViolations } from './support/ledger-checks.js';
import { startReplicatedPostgres } from './support/replicated-postgres.js';
import { pgQuery } from './support/sql.js';
import { startTcpEndpoint, type TcpEndpoint } from './support/tcp-endpoint.js';
import { type Payer, startTransferLoad, watchReadiness } from './support/transfer-load.js';

// Database failure drills: real PostgreSQL servers are crashed, restarted and have their connections
// killed while clients move money through the real service. Afterwards the database itself must show
// every acknowledged transfer exactly once and every ledger invariant intact.

const WORKERS = 8;

const SERVICE_ENV = {
  DATABASE_POOL_MAX: '10',
  DATABASE_CONNECT_TIMEOUT_MS: '1000',
  DATABASE_STATEMENT_TIMEOUT_MS: '2000',
  // The batched path (the default), with a window wide enough that the 8 clients share calls.
  POSTING_BATCH_MAX: '64',
  POSTING_BATCH_WINDOW_MS: '2',
};

async function payers(svc: TestService, label: string): Promise<Payer[]> {
  const accounts: { customer: string; id: string }[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const customer = `${label}-c${i}`;
    accounts.push({ customer, id: await openAccount(svc, customer, { deposit: 1_000_000_000 }) });
  }
  return Promise.all(
    accounts.map(async (account, i) => ({
      token: (await svc.auth(account.customer)).Authorization.replace(/^Bearer /, ''),
      fromAccountId: account.id,
      toAccountId: (accounts[(i + 1) % WORKERS] as { id: string }).id,
    })),
  );
}

const serverRetries = (svc: TestService): number =>
  svc.logs.filter((line) => line.includes('"msg":"retrying database operation"')).length;

/** Waits until `count` more transfers were acknowledged: load is flowing. */
async function waitForProgress(load: { acknowledgedCount: number }, count: number, timeoutMs = 30_000) {
  const target = load.acknowledgedCount + count;
  const deadline = Date.now() + timeoutMs;
  while (load.acknowledgedCount < target) {
    if (Date.now() > deadline) throw new Error(`load made no progress: ${load.acknowledgedCount}/${target}`);
    await sleep(50);
  }
}

describe.skipIf(!postgresServerAvailable())('database failure drills', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('failover: primary crashes, the standby is promoted and the endpoint repointed; money stays exact', async () => {
    const cluster = await startReplicatedPostgres();
    cleanups.push(() => cluster.destroy());
    const endpoint: TcpEndpoint = await startTcpEndpoint(cluster.primary.port);
    cleanups.push(() => endpoint.close());
    const endpointUrl = (db: string) => {
      const url = new URL(cluster.primary.url);
      url.port = String(endpoint.port);
      url.pathname = `/${db}`;
      return url.toString();
    };
    await pgQuery(endpointUrl('postgres'), 'CREATE DATABASE bank');
    const svc = await startTestService({ databaseUrl: endpointUrl('bank') }, SERVICE_ENV);
    cleanups.push(() => svc.close());
    const query = (text: string, params?: unknown[]) => svc.sql(text, params);

    const label = 'failover';
    const load = startTransferLoad({
      baseUrl: () => svc.server.url,
      payers: await payers(svc, label),
      label,
    });
    const before = await customerBalanceTotal(query);
    const readiness = watchReadiness(svc.server.url);
    await waitForProgress(load, 200);

    const crashedAt = Date.now();
    await cluster.killPrimary();
    // Detection and promotion take Aurora tens of seconds; two are enough to see every client fail.
    await sleep(2_000);
    await cluster.promoteStandby();
    endpoint.repoint(cluster.standbyPort);
    const repointedAt = Date.now();
    await waitForProgress(load, 200);

    const report = await load.stop();
    const changes = await readiness.stop();
    console.info(
      describeReport(
        'failover',
        report,
        `; ${serverRetries(svc)} server-side retries; endpoint repointed ${repointedAt - crashedAt} ms after the crash`,
      ),
    );
    expect(report.errorWindowMs).toBeGreaterThan(0);
    expect(changes.some((c) => !c.ready && c.at >= crashedAt)).toBe(true);
    expect(changes.at(-1)?.ready).toBe(true);
    // The service now talks to the promoted standby, which holds every acknowledged transfer.
    expect((await query('SELECT pg_is_in_recovery() AS r'))[0]?.r).toBe(false);
    expect(await drillViolations(query, report, label)).toEqual([]);
    expect(await customerBalanceTotal(query)).toBe(before);
    expect(await multiPostingBatches(svc)).toBeGreaterThan(0);
  });

  const singleServerDrill = async (
    label: string,
    disrupt: (server: PostgresServer, svc: TestService) => Promise<void>,
  ) => {
    const server = await startPostgres();
    cleanups.push(() => server.destroy());
    await pgQuery(server.url, 'CREATE DATABASE bank');
    const svc = await startTestService(
      { databaseUrl: server.url.replace(/\/postgres$/, '/bank') },
      SERVICE_ENV,
    );
    cleanups.push(() => svc.close());
    const query = (text: string, params?: unknown[]) => svc.sql(text, params);
    const load = startTransferLoad({
      baseUrl: () => svc.server.url,
      payers: await payers(svc, label),
      label,
    });
    const before = await customerBalanceTotal(query);
    const readiness = watchReadiness(svc.server.url);
    await waitForProgress(load, 200);
    const disruptedAt = Date.now();
    await disrupt(server, svc);
    await waitForProgress(load, 200);
    const report = await load.stop();
    const changes = await readiness.stop();
    console.info(describeReport(label, report, `; ${serverRetries(svc)} server-side retries`));
    expect(await drillViolations(query, report, label)).toEqual([]);
    expect(await customerBalanceTotal(query)).toBe(before);
    // The transfers went through the batched path, disruption included.
    expect(await multiPostingBatches(svc)).toBeGreaterThan(0);
    return { report, changes, disruptedAt };
  };

  it('restart: the database stops and starts on the same node under load; money stays exact', async () => {
    const { report, changes, disruptedAt } = await singleServerDrill('restart', async (server) => {
      await server.stop('fast');
      await sleep(1_000);
      await server.start();
    });
    expect(report.errorWindowMs).toBeGreaterThan(0);
    expect(changes.some((c) => !c.ready && c.at >= disruptedAt)).toBe(true);
    expect(changes.at(-1)?.ready).toBe(true);
  });

  it('connection-kill storm: every app connection is terminated every 50 ms for 3 s; money stays exact', async () => {
    let kills = 0;
    const { changes } = await singleServerDrill('killstorm', async (server) => {
      const until = Date.now() + 3_000;
      while (Date.now() < until) {
        const rows = await pgQuery(
          server.url,
          "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'bank-api'",
        );
        kills += Number(rows[0]?.n ?? 0);
        await sleep(50);
      }
    });
    console.info(`[drill] killstorm: ${kills} connections terminated`);
    expect(kills).toBeGreaterThan(0);
    expect(changes.at(-1)?.ready).toBe(true);
  });
});
