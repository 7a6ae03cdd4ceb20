import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import request from 'supertest';
import { inject } from 'vitest';
import { createScratchDatabase } from '../../../../test/support/postgres.js';
import { migrate } from '../../src/db/migrations.js';
import { PgDatabase } from '../../src/db/pg-database.js';
import { type RunningServer, startServer } from '../../src/server.js';

export { ledgerViolations } from './ledger-violations.js';

/**
 * `postgres` runs the service as the server's superuser (which also owns the schema);
 * `postgres-as-bank_api` migrates as that owner and runs the service as the bank_api role, as in AWS.
 */
export type BackendName = 'pglite' | 'postgres' | 'postgres-as-bank_api';

/** The database backends this run can test: PGlite always, real PostgreSQL when the global setup started one. */
export function backends(): BackendName[] {
  return inject('postgresAdminUrl') ? ['pglite', 'postgres'] : ['pglite'];
}

/** backends() plus the service logged in as bank_api, for suites that only go through the API. */
export function serviceBackends(): BackendName[] {
  return inject('postgresAdminUrl') ? [...backends(), 'postgres-as-bank_api'] : backends();
}

/** A PostgreSQL URL with another login. */
export function withLogin(url: string, user: string, password?: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = password === undefined ? '' : encodeURIComponent(password);
  return u.toString();
}

/** Applies the migrations through `ownerUrl` (the schema's owner) and closes the connection. */
export async function migrateAsOwner(ownerUrl: string): Promise<void> {
  const db = new PgDatabase({
    url: ownerUrl,
    sslMode: 'disable',
    poolMax: 2,
    connectTimeoutMs: 5_000,
    statementTimeoutMs: 30_000,
    idleTimeoutMs: 10_000,
  });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
}

/**
 * Gives the server-wide bank_api role (created by the migrations) a password and returns it. Every
 * test file on one server sets the same one, derived from the superuser URL, under an advisory lock:
 * concurrent ALTER ROLE of one role can fail with "tuple concurrently updated". Suites that change
 * the password (rotation) start a server of their own.
 */
export async function serviceRolePassword(adminUrl: string): Promise<string> {
  const password = createHash('sha256').update(`bank_api:${adminUrl}`).digest('base64url').slice(0, 32);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('BEGIN');
    await admin.query("SELECT pg_advisory_xact_lock(hashtext('bank_api password'))");
    await admin.query(`ALTER ROLE bank_api PASSWORD ${admin.escapeLiteral(password)}`);
    await admin.query('COMMIT');
  } finally {
    await admin.end();
  }
  return password;
}

export interface TestService {
  server: RunningServer;
  api: ReturnType<typeof request>;
  /** A bearer header for a customer (dev-mode token). */
  auth(customerId: string): Promise<{ Authorization: string }>;
  /** Direct SQL against the service's database, for checking state the API does not show. */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  logs: string[];
  close(): Promise<void>;
}

/**
 * Starts the real service (real HTTP listener): on a fresh database of the given backend, or on a
 * database the caller manages (`{ databaseUrl }`: a server a drill stops, kills or fails over;
 * `ownerUrl`, when the service's login may not read everything, is what `sql` uses).
 */
export async function startTestService(
  backend: BackendName | { databaseUrl: string; ownerUrl?: string },
  env: Record<string, string> = {},
): Promise<TestService> {
  let databaseUrl: string | undefined;
  let ownerUrl: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  if (typeof backend === 'object') {
    databaseUrl = backend.databaseUrl;
    ownerUrl = backend.ownerUrl;
  } else if (backend === 'postgres') {
    const scratch = await createScratchDatabase(inject('postgresAdminUrl'));
    databaseUrl = scratch.url;
    drop = scratch.drop;
  } else if (backend === 'postgres-as-bank_api') {
    const adminUrl = inject('postgresAdminUrl');
    const scratch = await createScratchDatabase(adminUrl);
    drop = scratch.drop;
    await migrateAsOwner(scratch.url);
    databaseUrl = withLogin(scratch.url, 'bank_api', await serviceRolePassword(adminUrl));
    ownerUrl = scratch.url;
  }
  // Direct SQL goes through the owner when the service's own login cannot see everything.
  const ownerPool = ownerUrl ? new pg.Pool({ connectionString: ownerUrl, max: 2 }) : undefined;
  ownerPool?.on('error', () => {}); // an idle connection killed by a test is dropped, not fatal
  const logs: string[] = [];
  let server: RunningServer;
  try {
    server = await startServer({
      env: {
        NODE_ENV: 'test',
        PORT: '0',
        METRICS_PORT: '0',
        LOG_LEVEL: 'info',
        AUTH_MODE: 'dev',
        DATABASE_POOL_MAX: '20',
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        ...env,
      },
      logDestination: new Writable({
        write(chunk, _encoding, callback) {
          logs.push(String(chunk));
          callback();
        },
      }),
    });
  } catch (error) {
    await ownerPool?.end();
    await drop?.();
    throw error;
  }
  const api = request(server.url);
  const tokens = new Map<string, string>();
  return {
    server,
    api,
    logs,
    async auth(customerId) {
      let token = tokens.get(customerId);
      if (!token) {
        const response = await api.post('/v1/dev/token').send({ customerId }).expect(201);
        token = response.body.token as string;
        tokens.set(customerId, token);
      }
      return { Authorization: `Bearer ${token}` };
    },
    async sql<R>(text: string, params: unknown[] = []) {
      if (ownerPool) return (await ownerPool.query(text, params)).rows as R[];
      return (await server.db.query<R>(text, params)).rows;
    },
    async close() {
      await server.close();
      await ownerPool?.end();
      await drop?.();
    },
  };
}

/** Opens an account and optionally funds it; returns its id. */
export async function openAccount(
  svc: TestService,
  customerId: string,
  options: { currency?: string; deposit?: number } = {},
): Promise<string> {
  const headers = await svc.auth(customerId);
  const created = await svc.api
    .post('/v1/accounts')
    .set(headers)
    .send({ currency: options.currency ?? 'EUR' })
    .expect(201);
  const id = created.body.id as string;
  if (options.deposit) {
    await svc.api
      .post(`/v1/accounts/${id}/deposits`)
      .set(headers)
      .set('Idempotency-Key', `seed-${id}`)
      .send({ amount: options.deposit })
      .expect(201);
  }
  return id;
}

export interface LedgerSnapshot {
  accounts: number;
  transfers: number;
  entries: number;
  idempotencyKeys: number;
  customerBalance: number;
  totalBalance: number;
}

/** Counts and sums that any state change would move. */
export async function ledgerSnapshot(svc: TestService): Promise<LedgerSnapshot> {
  const [row] = await svc.sql<Record<keyof LedgerSnapshot, number | string>>(`SELECT
      (SELECT count(*) FROM accounts) AS accounts,
      (SELECT count(*) FROM transfers) AS transfers,
      (SELECT count(*) FROM entries) AS entries,
      (SELECT count(*) FROM idempotency_keys) AS "idempotencyKeys",
      (SELECT coalesce(sum(balance), 0) FROM accounts WHERE kind = 'customer') AS "customerBalance",
      (SELECT coalesce(sum(balance), 0) FROM accounts) AS "totalBalance"`);
  return Object.fromEntries(
    Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]),
  ) as unknown as LedgerSnapshot;
}

/** Runs SQL against a PostgreSQL URL with a short-lived client. */
export async function pgQuery(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Database calls of the service that posted more than one transfer or deposit (from its
 * bank_posting_batch_size histogram): proof that a suite really ran the batched path.
 */
export async function multiPostingBatches(svc: TestService): Promise<number> {
  const text = await (await fetch(`${svc.server.metricsUrl}/metrics`)).text();
  const count = Number(/^bank_posting_batch_size_count (\d+)/m.exec(text)?.[1] ?? Number.NaN);
  const single = Number(/^bank_posting_batch_size_bucket\{le="1"\} (\d+)/m.exec(text)?.[1] ?? Number.NaN);
  return count - single;
}
