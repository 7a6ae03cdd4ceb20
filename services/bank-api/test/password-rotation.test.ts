import { randomBytes } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresServerAvailable,
  startPostgres,
} from '../../../test/support/postgres.js';
import {
  ledgerViolations,
  migrateAsOwner,
  openAccount,
  pgQuery,
  startTestService,
  type TestService,
  withLogin,
} from './support/harness.js';

/** Kubernetes replaces a mounted Secret's file atomically (a new directory swapped in): so do we. */
async function putPassword(path: string, password: string): Promise<void> {
  await writeFile(`${path}.new`, `${password}\n`, { mode: 0o600 });
  await rename(`${path}.new`, path);
}

const newPassword = () => randomBytes(18).toString('base64url');

// A server of its own: the test changes bank_api's password, which belongs to the whole server.
describe.skipIf(!postgresServerAvailable())(
  'rotating the bank_api password under load, without a restart',
  () => {
    let server: PostgresServer;
    let dir: string;
    let passwordFile: string;
    let ownerUrl: string;
    let svc: TestService;

    beforeAll(async () => {
      server = await startPostgres();
      await pgQuery(server.url, 'CREATE DATABASE bank');
      ownerUrl = server.url.replace(/\/postgres$/, '/bank');
      await migrateAsOwner(ownerUrl);
      dir = await mkdtemp(join(tmpdir(), 'bank-rotation-'));
      passwordFile = join(dir, 'password');
    });
    afterAll(async () => {
      await svc?.close();
      await server?.destroy();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** Opens a connection as bank_api with `password`; resolves to the SQLSTATE of a refusal, or 'ok'. */
    const tryLogin = async (password: string): Promise<string> => {
      const client = new pg.Client({ connectionString: withLogin(ownerUrl, 'bank_api', password) });
      try {
        await client.connect();
        return 'ok';
      } catch (error) {
        return String((error as { code?: string }).code);
      } finally {
        await client.end().catch(() => {});
      }
    };

    it('keeps every request succeeding while the file and the role change, and new connections use the new password', async () => {
      const passwords = [newPassword(), newPassword(), newPassword()] as [string, string, string];
      await pgQuery(server.url, `ALTER ROLE bank_api PASSWORD '${passwords[0]}'`);
      await putPassword(passwordFile, passwords[0]);
      svc = await startTestService(
        { databaseUrl: withLogin(ownerUrl, 'bank_api'), ownerUrl },
        {
          DATABASE_PASSWORD_FILE: passwordFile,
          DATABASE_POOL_MAX: '6',
          DATABASE_IDLE_TIMEOUT_MS: '1000',
          MIGRATE_ON_START: 'false',
        },
      );
      const customer = 'rotation';
      const headers = await svc.auth(customer);
      const from = await openAccount(svc, customer, { deposit: 10_000_000 });
      const to = await openAccount(svc, `${customer}-payee`);

      // Load: workers sending transfers (each with its own key) and reads, until told to stop.
      let stop = false;
      const failures: string[] = [];
      let transfersSent = 0;
      let reads = 0;
      const workers = Array.from({ length: 6 }, async (_, worker) => {
        for (let i = 0; !stop; i++) {
          if (i % 3 === 2) {
            const res = await svc.api.get(`/v1/accounts/${from}`).set(headers);
            if (res.status !== 200) failures.push(`GET ${res.status} ${JSON.stringify(res.body)}`);
            else reads++;
            continue;
          }
          const res = await svc.api
            .post('/v1/transfers')
            .set(headers)
            .set('Idempotency-Key', `rot-${worker}-${i}`)
            .send({ fromAccountId: from, toAccountId: to, amount: 1 });
          if (res.status !== 201) failures.push(`POST ${res.status} ${JSON.stringify(res.body)}`);
          else transfersSent++;
        }
      });

      // New connections all the time: every 50 ms the longest-idle pooled connection is terminated.
      // One at a time and only idle ones: PostgreSQL keeps authenticated sessions whatever the password
      // becomes, so only new connections test it, and a storm of kills would only measure the retry
      // budget (a query sent on a connection killed in the same instant fails and is retried; killing
      // every idle connection at once can make all of a request's retries land on dead ones).
      const killed: { pid: number; started: Date }[] = [];
      const killer = (async () => {
        const admin = new pg.Client({ connectionString: server.url });
        await admin.connect();
        try {
          while (!stop) {
            // In the select list, not in WHERE: there the planner may call it before the filters.
            const rows = await admin.query<{ pid: number; started: Date; killed: boolean }>(
              `SELECT pid, started, pg_terminate_backend(pid) AS killed
               FROM (SELECT pid, backend_start AS started FROM pg_stat_activity
                      WHERE usename = 'bank_api' AND state = 'idle'
                        AND state_change < clock_timestamp() - interval '10 milliseconds'
                      ORDER BY state_change LIMIT 1) oldest`,
            );
            killed.push(...rows.rows.filter((r) => r.killed));
            await sleep(50);
          }
        } finally {
          await admin.end();
        }
      })();
      const serverNow = async () =>
        ((await pgQuery(server.url, 'SELECT clock_timestamp() AS t'))[0] as { t: Date }).t;
      const connectionsSince = (t: Date) => killed.filter((k) => k.started > t).length;

      await sleep(750);
      const before = connectionsSince(new Date(0));

      // Rotation 1, the order without a window: the Secret first (here the file), ALTER ROLE later.
      // Meanwhile new connections offer the new password, are refused, and use the previous one.
      const fileChanged = await serverNow();
      await putPassword(passwordFile, passwords[1]);
      await sleep(1_500);
      const duringWindow = connectionsSince(fileChanged);
      const altered1 = await serverNow();
      await pgQuery(server.url, `ALTER ROLE bank_api PASSWORD '${passwords[1]}'`);
      await sleep(1_500);
      const afterRotation1 = connectionsSince(altered1);

      // Rotation 2, the other order: ALTER ROLE first, the file right after. In between a new
      // connection offers the old password, is refused, and the retry reads the file again.
      const altered2 = await serverNow();
      await pgQuery(server.url, `ALTER ROLE bank_api PASSWORD '${passwords[2]}'`);
      await putPassword(passwordFile, passwords[2]);
      await sleep(1_500);
      const afterRotation2 = connectionsSince(altered2);

      stop = true;
      await Promise.all([...workers, killer]);

      expect(failures).toEqual([]);
      expect(transfersSent).toBeGreaterThan(50);
      expect(reads).toBeGreaterThan(20);
      // New connections were really opened in every phase (and, the server taking only the current
      // password, authenticated with it).
      expect(before).toBeGreaterThan(0);
      expect(duringWindow).toBeGreaterThan(0);
      expect(afterRotation1).toBeGreaterThan(0);
      expect(afterRotation2).toBeGreaterThan(0);
      const logs = svc.logs.join('');
      expect(logs).toContain('the password in DATABASE_PASSWORD_FILE is refused; using the previous one');
      expect(logs).toContain('database refused the password of a new connection: retrying');
      for (const password of passwords) expect(logs).not.toContain(password);

      // The service's pool now authenticates with the last password; the old ones are dead.
      expect(await tryLogin(passwords[0])).toBe('28P01');
      expect(await tryLogin(passwords[1])).toBe('28P01');
      expect(await tryLogin(passwords[2])).toBe('ok');
      await pgQuery(
        server.url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'bank_api'",
      );
      await svc.api.get(`/v1/accounts/${from}`).set(headers).expect(200);

      const [row] = await svc.sql<{ n: number }>(
        "SELECT count(*)::int AS n FROM transfers WHERE customer_id = $1 AND kind = 'transfer'",
        [customer],
      );
      expect(row?.n).toBe(transfersSent);
      expect(await ledgerViolations((text) => svc.sql(text))).toEqual([]);
      console.info(
        `password rotation under load: ${transfersSent} transfers and ${reads} reads, 0 failed; ` +
          `${killed.length} idle connections terminated (${duringWindow} opened between file and ALTER ROLE, ` +
          `${afterRotation1} after rotation 1, ${afterRotation2} after rotation 2)`,
      );
    });
  },
);
