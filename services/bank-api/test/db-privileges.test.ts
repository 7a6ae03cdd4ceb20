import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresServerAvailable,
  startPostgres,
} from '../../../test/support/postgres.js';
import { migrate, readMigrations } from '../src/db/migrations.js';
import { PgDatabase } from '../src/db/pg-database.js';
import { PGliteDatabase } from '../src/db/pglite-database.js';
import { startServer } from '../src/server.js';
import {
  ledgerViolations,
  migrateAsOwner,
  openAccount,
  pgQuery,
  startTestService,
  withLogin,
} from './support/harness.js';

// The service logs in as bank_api, created and granted by migration 0002. These tests pin down
// exactly what that login may do: the privilege matrix must equal the expected one, and every
// statement the service never issues must fail with 42501 (insufficient_privilege). A widened grant
// breaks them: the matrix gains a row, and the statement then fails later for another reason (an
// append-only trigger, a foreign key) or succeeds.

const INSUFFICIENT_PRIVILEGE = '42501';

/** Everything bank_api may do in the database, as effective privileges (PUBLIC's included). */
const PRIVILEGE_MATRIX_SQL = `
WITH ns AS (SELECT oid, nspname FROM pg_namespace WHERE nspname = current_schema())
SELECT line FROM (
  SELECT format('database: %s', p) AS line
    FROM unnest(ARRAY['CONNECT', 'CREATE', 'TEMPORARY']) p
   WHERE has_database_privilege('bank_api', current_database(), p)
  UNION ALL
  SELECT format('schema %s: %s', ns.nspname, p)
    FROM ns, unnest(ARRAY['USAGE', 'CREATE']) p
   WHERE has_schema_privilege('bank_api', ns.oid, p)
  UNION ALL
  SELECT format('table %s: %s', c.relname, p)
    FROM pg_class c JOIN ns ON c.relnamespace = ns.oid,
         unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND has_table_privilege('bank_api', c.oid, p)
  UNION ALL
  SELECT format('column %s.%s: %s', c.relname, a.attname, p)
    FROM pg_class c JOIN ns ON c.relnamespace = ns.oid
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped,
         unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'REFERENCES']) p
   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
     AND has_column_privilege('bank_api', c.oid, a.attnum, p)
     AND NOT has_table_privilege('bank_api', c.oid, p)
  UNION ALL
  SELECT format('sequence %s: %s', c.relname, p)
    FROM pg_class c JOIN ns ON c.relnamespace = ns.oid, unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) p
   WHERE c.relkind = 'S' AND has_sequence_privilege('bank_api', c.oid, p)
  UNION ALL
  SELECT format('function %s: EXECUTE', f.oid::regprocedure)
    FROM pg_proc f JOIN ns ON f.pronamespace = ns.oid
   WHERE has_function_privilege('bank_api', f.oid, 'EXECUTE')
) m ORDER BY line`;

const EXPECTED_MATRIX = [
  'column accounts.currency: INSERT',
  'column accounts.customer_id: INSERT',
  'database: CONNECT',
  'function post_transfer(text,text,text,text,uuid,uuid,bigint,text): EXECUTE',
  'function post_transfers(text[],text[],text[],text[],uuid[],uuid[],bigint[],text[]): EXECUTE',
  'function posting_json(uuid,text,uuid,uuid,bigint,text,text,timestamp with time zone,bigint): EXECUTE',
  'schema public: USAGE',
  'table accounts: SELECT',
  'table entries: SELECT',
  'table schema_migrations: SELECT',
  'table transfers: SELECT',
];

/** Statements the service never issues. Each must be refused with 42501 as bank_api. */
const REFUSED: [string, string][] = [
  ['DROP TABLE', 'DROP TABLE entries'],
  ['ALTER TABLE', 'ALTER TABLE accounts ADD COLUMN note text'],
  ['TRUNCATE (skips the append-only triggers)', 'TRUNCATE entries'],
  ['UPDATE entries', 'UPDATE entries SET amount = amount'],
  ['DELETE FROM entries', 'DELETE FROM entries'],
  [
    'INSERT INTO entries',
    'INSERT INTO entries (transfer_id, account_id, amount, balance_after) VALUES (gen_random_uuid(), gen_random_uuid(), 1, 1)',
  ],
  [
    'INSERT INTO idempotency_keys',
    "INSERT INTO idempotency_keys (customer_id, key, request_hash) VALUES ('mallory', 'k', 'h')",
  ],
  ['UPDATE idempotency_keys', "UPDATE idempotency_keys SET response = '{}'"],
  ['DELETE FROM idempotency_keys', 'DELETE FROM idempotency_keys'],
  ['SELECT FROM idempotency_keys', 'SELECT * FROM idempotency_keys'],
  ['UPDATE accounts (balances)', 'UPDATE accounts SET balance = balance + 1'],
  ['DELETE FROM accounts', 'DELETE FROM accounts'],
  [
    'INSERT an account with a balance',
    "INSERT INTO accounts (customer_id, currency, balance) VALUES ('mallory', 'EUR', 100)",
  ],
  [
    'INSERT a clearing account',
    "INSERT INTO accounts (customer_id, currency, kind) VALUES ('mallory', 'EUR', 'clearing')",
  ],
  [
    'INSERT INTO transfers',
    "INSERT INTO transfers (kind, customer_id, from_account_id, to_account_id, amount, currency) VALUES ('transfer', 'mallory', gen_random_uuid(), gen_random_uuid(), 1, 'EUR')",
  ],
  ['UPDATE transfers', 'UPDATE transfers SET amount = amount'],
  ['INSERT INTO currencies', "INSERT INTO currencies (code, minor_units) VALUES ('XXX', 2)"],
  ['DELETE FROM schema_migrations', 'DELETE FROM schema_migrations'],
  ['CREATE TABLE', 'CREATE TABLE mine (a int)'],
  ['CREATE TEMP TABLE', 'CREATE TEMP TABLE mine (a int)'],
  ['CREATE FUNCTION', 'CREATE FUNCTION mine() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$'],
  ['DROP FUNCTION post_transfer', 'DROP FUNCTION post_transfer'],
  ['call a ledger internal', 'SELECT assert_transfer_balanced(gen_random_uuid())'],
];

/** What the service does issue (ledger.ts, health routes): must work as bank_api. */
const ALLOWED: [string, string][] = [
  ['read the schema version', 'SELECT coalesce(max(version), 0) FROM schema_migrations'],
  [
    'open an account',
    "INSERT INTO accounts (customer_id, currency) VALUES ('alice', 'EUR') RETURNING id, customer_id, currency, balance, created_at",
  ],
  [
    'read accounts',
    "SELECT id, customer_id, currency, balance, created_at FROM accounts WHERE kind = 'customer'",
  ],
  [
    'read transfers',
    'SELECT id, kind, from_account_id, to_account_id, amount, currency, reference, created_at FROM transfers',
  ],
  [
    'read entries',
    'SELECT e.id, e.transfer_id, t.kind, e.amount, e.balance_after, t.reference, e.created_at FROM entries e JOIN transfers t ON t.id = e.transfer_id',
  ],
  [
    // SET CONSTRAINTS ALL IMMEDIATE fires the deferred balance triggers now, as bank_api, as COMMIT would.
    'post a deposit (and its deferred balance check)',
    `INSERT INTO accounts (customer_id, currency) VALUES ('alice', 'EUR');
     DO $$ BEGIN
       IF (SELECT outcome FROM post_transfer('alice', 'k1', 'h', 'deposit', NULL,
             (SELECT id FROM accounts WHERE customer_id = 'alice'), 100, NULL)) <> 'completed' THEN
         RAISE EXCEPTION 'deposit not completed';
       END IF;
     END $$;
     SET CONSTRAINTS ALL IMMEDIATE;`,
  ],
];

/** Runs SQL (one or more statements) as bank_api in a transaction that is always rolled back. */
type AsServiceRole = (sql: string) => Promise<void>;

function privilegeChecks(
  context: () => { asServiceRole: AsServiceRole; asOwner: (sql: string) => Promise<unknown[]> },
) {
  it('bank_api has exactly the expected privileges (PUBLIC grants included)', async () => {
    const rows = (await context().asOwner(PRIVILEGE_MATRIX_SQL)) as { line: string }[];
    expect(rows.map((r) => r.line)).toEqual(EXPECTED_MATRIX);
  });

  it('the functions bank_api reaches run as their owner with a fixed search_path', async () => {
    const rows = (await context().asOwner(
      `SELECT proname, prosecdef, proconfig FROM pg_proc
        WHERE pronamespace = current_schema()::regnamespace ORDER BY proname`,
    )) as { proname: string; prosecdef: boolean; proconfig: string[] | null }[];
    const byName = Object.fromEntries(rows.map((r) => [r.proname, r]));
    for (const name of [
      'post_transfer',
      'post_transfers',
      'transfer_balanced_after_transfer',
      'transfer_balanced_after_entry',
    ]) {
      expect(byName[name]).toMatchObject({ prosecdef: true, proconfig: ['search_path=public, pg_temp'] });
    }
    for (const name of ['assert_transfer_balanced', 'forbid_ledger_rewrite', 'posting_json']) {
      expect(byName[name]).toMatchObject({ prosecdef: false, proconfig: ['search_path=public, pg_temp'] });
    }
  });

  it.each(REFUSED)('refuses %s with 42501', async (_name, sql) => {
    await expect(context().asServiceRole(sql)).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
  });

  it.each(ALLOWED)('allows what the service does: %s', async (_name, sql) => {
    await context().asServiceRole(sql);
  });
}

describe('bank_api on PGlite (the role exists; the embedded service still runs as the owner)', () => {
  let db: PGliteDatabase;
  const ROLLBACK = new Error('rollback');
  beforeAll(async () => {
    db = await PGliteDatabase.create();
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  privilegeChecks(() => ({
    asOwner: async (sql) => (await db.query(sql)).rows,
    // PGlite has one session: SET LOCAL ROLE takes bank_api's privileges until the rollback.
    asServiceRole: async (sql) => {
      await db
        .transaction(async (tx) => {
          await tx.query('SET LOCAL ROLE bank_api');
          await tx.exec(sql);
          throw ROLLBACK;
        })
        .catch((error: unknown) => {
          if (error !== ROLLBACK) throw error;
        });
    },
  }));
});

// A server of its own: these tests create roles and set bank_api's password, which are server-wide.
describe.skipIf(!postgresServerAvailable())('bank_api on a real PostgreSQL server', () => {
  let server: PostgresServer;
  let ownerPassword: string;
  let servicePassword: string;
  const databases: string[] = [];
  let serviceRole: pg.Client;

  /** The URL of a database on the test server with the given login (superuser by default). */
  const urlOf = (database: string, login?: { user: string; password: string }) => {
    const url = new URL(server.url);
    url.pathname = `/${database}`;
    return login ? withLogin(url.toString(), login.user, login.password) : url.toString();
  };
  const owner = () => ({ user: 'bank_owner', password: ownerPassword });
  const service = () => ({ user: 'bank_api', password: servicePassword });
  const createDatabase = async (name: string) => {
    await pgQuery(server.url, `CREATE DATABASE ${name} OWNER bank_owner`);
    databases.push(name);
    return name;
  };

  beforeAll(async () => {
    server = await startPostgres();
    ownerPassword = `owner-${Math.random().toString(36).slice(2)}`;
    servicePassword = `service-${Math.random().toString(36).slice(2)}`;
    // Like Aurora's master user: may create roles, owns the database, is not a superuser.
    await pgQuery(server.url, `CREATE ROLE bank_owner LOGIN CREATEROLE PASSWORD '${ownerPassword}'`);
  });
  afterAll(async () => {
    await serviceRole?.end();
    await server?.destroy();
  });

  it('databases migrating at the same moment create the role once: a plain login without a password', async () => {
    const names = await Promise.all(Array.from({ length: 6 }, (_, i) => createDatabase(`bank_${i}`)));
    const dbs = names.map(
      (name) =>
        new PgDatabase({
          url: urlOf(name, owner()),
          sslMode: 'disable',
          poolMax: 2,
          connectTimeoutMs: 5_000,
          statementTimeoutMs: 30_000,
          idleTimeoutMs: 10_000,
        }),
    );
    try {
      // The ledger first, so that the role migration then starts in all databases at nearly the
      // same moment: the race between two CREATE ROLE bank_api is what this test is about.
      const all = await readMigrations();
      await Promise.all(dbs.map((db) => migrate(db, all.slice(0, 1))));
      await Promise.all(dbs.map((db) => migrate(db, all)));
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
    const roles = await pgQuery(
      server.url,
      `SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,
              rolpassword IS NULL AS no_password
         FROM pg_authid WHERE rolname = 'bank_api'`,
    );
    expect(roles).toEqual([
      {
        rolcanlogin: true,
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolreplication: false,
        rolbypassrls: false,
        no_password: true,
      },
    ]);
    const members = await pgQuery(
      server.url,
      "SELECT count(*)::int AS n FROM pg_auth_members WHERE member = 'bank_api'::regrole",
    );
    expect(members).toEqual([{ n: 0 }]);

    // Credentials are set outside the migrations: here a password, in AWS an IAM token.
    await pgQuery(server.url, `ALTER ROLE bank_api PASSWORD '${servicePassword}'`);
    serviceRole = new pg.Client({ connectionString: urlOf('bank_0', service()) });
    await serviceRole.connect();
  });

  describe('privileges in a migrated database', () => {
    privilegeChecks(() => ({
      asOwner: async (sql) => pgQuery(urlOf('bank_0'), sql),
      asServiceRole: async (sql) => {
        await serviceRole.query('BEGIN');
        try {
          await serviceRole.query(sql);
        } finally {
          await serviceRole.query('ROLLBACK');
        }
      },
    }));
  });

  it('serves the API as bank_api on a schema owned by a login that is not a superuser', async () => {
    const svc = await startTestService(
      { databaseUrl: urlOf('bank_1', service()), ownerUrl: urlOf('bank_1', owner()) },
      { MIGRATE_ON_START: 'true' },
    );
    try {
      await svc.api.get('/readyz').expect(200);
      const headers = await svc.auth('alice');
      const from = await openAccount(svc, 'alice', { deposit: 10_000 });
      const to = await openAccount(svc, 'bob');
      const transfer = { fromAccountId: from, toAccountId: to, amount: 2_500, reference: 'rent' };
      const sent = await svc.api
        .post('/v1/transfers')
        .set(headers)
        .set('Idempotency-Key', 'rent-1')
        .send(transfer)
        .expect(201);
      const replay = await svc.api
        .post('/v1/transfers')
        .set(headers)
        .set('Idempotency-Key', 'rent-1')
        .send(transfer)
        .expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(sent.body.id);
      await svc.api
        .post('/v1/transfers')
        .set(headers)
        .set('Idempotency-Key', 'too-much')
        .send({ ...transfer, amount: 1_000_000 })
        .expect(422)
        .expect('Content-Type', /problem\+json/);
      await svc.api.get(`/v1/transfers/${sent.body.id}`).set(headers).expect(200);
      const entries = await svc.api.get(`/v1/accounts/${from}/entries`).set(headers).expect(200);
      expect(entries.body.items.map((e: { amount: number }) => e.amount)).toEqual([2_500, 10_000]);
      const account = await svc.api.get(`/v1/accounts/${from}`).set(headers).expect(200);
      expect(account.body.balance).toBe(7_500);
      expect(await ledgerViolations((text) => svc.sql(text))).toEqual([]);
      // It really was bank_api: the service's sessions on the server.
      const sessions = await pgQuery(
        server.url,
        "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = 'bank_1' AND application_name = 'bank-api'",
      );
      expect(sessions).toEqual([{ usename: 'bank_api' }]);
    } finally {
      await svc.close();
    }
  });

  it('a service logged in as bank_api does not apply pending migrations and names the owner login', async () => {
    const name = await createDatabase('bank_pending');
    await expect(
      startServer({
        env: {
          NODE_ENV: 'test',
          PORT: '0',
          METRICS_PORT: '0',
          LOG_LEVEL: 'silent',
          DATABASE_URL: urlOf(name, service()),
          MIGRATE_ON_START: 'true',
        },
      }),
    ).rejects.toThrow(/migrations are pending and this login may not apply them.*owner login/);
  });

  it('stops the migration when an existing bank_api has more than LOGIN or inherits another role', async () => {
    const migrateNew = async (name: string) => {
      const db = await createDatabase(name);
      await migrateAsOwner(urlOf(db, owner()));
    };
    await pgQuery(server.url, 'ALTER ROLE bank_api CREATEDB');
    try {
      await expect(migrateNew('bank_createdb')).rejects.toThrow(/bank_api must be a plain LOGIN role/);
    } finally {
      await pgQuery(server.url, 'ALTER ROLE bank_api NOCREATEDB');
    }
    await pgQuery(server.url, 'GRANT bank_owner TO bank_api');
    try {
      await expect(migrateNew('bank_member')).rejects.toThrow(/bank_api must not be a member of other roles/);
    } finally {
      await pgQuery(server.url, 'REVOKE bank_owner FROM bank_api');
    }
  });

  it('makes bank_api a member of rds_iam where that role exists (Aurora: IAM authentication)', async () => {
    await pgQuery(server.url, 'CREATE ROLE rds_iam NOLOGIN');
    const name = await createDatabase('bank_aurora');
    await migrateAsOwner(urlOf(name, owner()));
    const rows = await pgQuery(server.url, "SELECT pg_has_role('bank_api', 'rds_iam', 'MEMBER') AS member");
    expect(rows).toEqual([{ member: true }]);
    // A second database on the same cluster finds the membership in place.
    await migrateAsOwner(urlOf(await createDatabase('bank_aurora_2'), owner()));
  });
});
