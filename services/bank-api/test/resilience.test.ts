import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresServerAvailable,
  startPostgres,
} from '../../../test/support/postgres.js';
import {
  ledgerViolations,
  openAccount,
  pgQuery,
  startTestService,
  type TestService,
} from './support/harness.js';

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check().catch(() => false)) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

// These need a server of their own to stop, restart and kill connections on.
describe.skipIf(!postgresServerAvailable())('resilience against a real PostgreSQL server', () => {
  let pgServer: PostgresServer;
  let svc: TestService;
  let databaseUrl: string;

  beforeAll(async () => {
    pgServer = await startPostgres();
    await pgQuery(pgServer.url, 'CREATE DATABASE bank');
    databaseUrl = pgServer.url.replace(/\/postgres$/, '/bank');
    svc = await startTestService(
      { databaseUrl },
      {
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        DATABASE_STATEMENT_TIMEOUT_MS: '2000',
      },
    );
  });
  afterAll(async () => {
    await svc?.close();
    await pgServer?.destroy();
  });

  const ready = async () => (await svc.api.get('/readyz')).status === 200;

  it('/readyz turns false while the database is down and true again when it returns, without a restart', async () => {
    expect(await ready()).toBe(true);
    await pgServer.stop('fast');
    await waitFor(async () => !(await ready()), 10_000, 'readiness to turn false');
    const down = await svc.api.get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('database-unreachable');
    await svc.api.get('/livez').expect(200);
    // A money request while the database is down is a 503 problem, never a 500.
    const headers = await svc.auth('res-down');
    const res = await svc.api.get('/v1/accounts').set(headers);
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/problem\+json/);

    await pgServer.start();
    await waitFor(ready, 15_000, 'readiness to return');
    await svc.api.get('/v1/accounts').set(headers).expect(200);
    const metrics = await fetch(`${svc.server.metricsUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^bank_db_up 1$/m);
  });

  it('survives every app connection being killed mid-load; idempotent retries keep money exact', async () => {
    const headers = await svc.auth('res-kill');
    const from = await openAccount(svc, 'res-kill', { deposit: 1_000_000 });
    const to = await openAccount(svc, 'res-kill-payee');

    let stop = false;
    const killer = (async () => {
      let kills = 0;
      while (!stop) {
        const rows = await pgQuery(
          pgServer.url,
          "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'bank-api' AND pid <> pg_backend_pid()",
        ).catch(() => [{ n: 0 }]);
        kills += Number(rows[0]?.n ?? 0);
        await sleep(50);
      }
      return kills;
    })();

    // Each client retries a failed request with the same key until it gets a definite answer.
    const acknowledged = new Map<string, string>();
    let retries = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        for (let i = 0; i < 25; i++) {
          const key = `kill-${worker}-${i}`;
          for (let attempt = 0; attempt < 50; attempt++) {
            const res = await svc.api
              .post('/v1/transfers')
              .set(headers)
              .set('Idempotency-Key', key)
              .send({ fromAccountId: from, toAccountId: to, amount: 7 });
            if (res.status === 201) {
              acknowledged.set(key, res.body.id as string);
              break;
            }
            expect(res.status).toBe(503);
            retries++;
            await sleep(20);
          }
        }
      }),
    );
    stop = true;
    const kills = await killer;
    expect(kills).toBeGreaterThan(0);
    expect(acknowledged.size).toBe(200);

    const rows = await svc.sql<{ n: number; total: number }>(
      "SELECT count(*)::int AS n, coalesce(sum(amount), 0)::bigint AS total FROM transfers WHERE customer_id = 'res-kill' AND kind = 'transfer'",
    );
    expect(Number(rows[0]?.n)).toBe(200);
    expect(Number(rows[0]?.total)).toBe(200 * 7);
    const ids = await svc.sql<{ id: string }>(
      "SELECT id FROM transfers WHERE customer_id = 'res-kill' AND kind = 'transfer'",
    );
    expect(new Set(ids.map((r) => r.id))).toEqual(new Set(acknowledged.values()));
    expect(await ledgerViolations((text) => svc.sql(text))).toEqual([]);
    console.info(
      `connection-kill storm: ${kills} connections killed, ${retries} client retries, 200/200 transfers exactly once`,
    );
  });
});
