import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { connectionTarget, type PasswordSource } from './credentials.js';
import type { Database, IsolationLevel, PoolStats, Queryable, QueryResult } from './database.js';
import { sqlState } from './errors.js';

export interface PgDatabaseOptions {
  url: string;
  sslMode: 'disable' | 'require' | 'verify-full';
  sslCaFile?: string | undefined;
  poolMax: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  idleTimeoutMs: number;
  applicationName?: string;
  /** Called for errors on idle clients (server restart, failover); the pool drops the client itself. */
  onPoolError?: (error: Error) => void;
  /**
   * The password of each new connection (DATABASE_PASSWORD_FILE, IAM tokens); the URL then carries
   * none. Without it the URL's password is used.
   */
  passwordSource?: PasswordSource;
  /** A new connection's password was refused (28P01) and the operation is tried again. */
  onAuthRetry?: (error: unknown, attempt: number) => void;
}

const INVALID_PASSWORD = '28P01';
// A refused connection ran nothing, so any operation may be retried: long enough to cover a
// password file rewritten right after ALTER ROLE, short enough not to hide a wrong password.
const AUTH_ATTEMPTS = 5;
const AUTH_RETRY_DELAY_MS = 50;

/**
 * A pg.Client that tells the password source whether the server took the password it handed out,
 * so the source knows which password works (see PasswordFile). Callback style on purpose: pg calls
 * it synchronously on ReadyForQuery, so the pool attaches its error listener before the next message
 * of the same network read is parsed (a backend terminated right after login must not find a client
 * without a listener: that would crash the process).
 */
function reportingClient(source: PasswordSource): typeof pg.Client {
  return class ReportingClient extends pg.Client {
    override connect(): Promise<pg.Client>;
    override connect(callback: (err: Error) => void): void;
    override connect(callback?: (err: Error) => void): Promise<pg.Client> | undefined {
      if (!callback) {
        return new Promise((resolve, reject) => {
          this.connect((err) => (err ? reject(err) : resolve(this)));
        });
      }
      super.connect((err: Error) => {
        const password = this.password;
        if (typeof password === 'string') {
          if (!err) source.accepted?.(password);
          else if (sqlState(err) === INVALID_PASSWORD) source.refused?.(password);
        }
        callback(err);
      });
      return undefined;
    }
  };
}

/**
 * Where to connect. With a password source, node-postgres needs host, port, user and database as
 * fields: a connectionString's (empty) password would replace the function.
 */
function connectionOptions(url: URL, source: PasswordSource | undefined): pg.PoolConfig {
  if (!source) return { connectionString: url.toString() };
  const params = Object.fromEntries([...url.searchParams].filter(([name]) => !name.startsWith('ssl')));
  return {
    ...connectionTarget(url.toString()),
    ...params,
    password: () => source.password(),
    Client: reportingClient(source),
  };
}

// int8 (balances, amounts, entry ids) as JS numbers: every money value is bounded far below 2^53
// by the schema's CHECK constraints, and the API speaks JSON numbers.
const parseInt8 = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
  return n;
};
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function sslOptions(options: PgDatabaseOptions): pg.PoolConfig['ssl'] {
  if (options.sslMode === 'disable') return false;
  const ca = options.sslCaFile ? readFileSync(options.sslCaFile, 'utf8') : undefined;
  return options.sslMode === 'verify-full' ? { rejectUnauthorized: true, ca } : { rejectUnauthorized: false };
}

/** A real PostgreSQL server (or Aurora) through a bounded pg pool. */
export class PgDatabase implements Database {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly max: number;
  private readonly retryRefusedLogins: boolean;
  private readonly onAuthRetry: PgDatabaseOptions['onAuthRetry'];

  constructor(options: PgDatabaseOptions) {
    this.max = options.poolMax;
    this.retryRefusedLogins = options.passwordSource !== undefined;
    this.onAuthRetry = options.onAuthRetry;
    const url = new URL(options.url);
    // The URL's own sslmode would override ours in pg; the explicit setting is the one we validated.
    url.searchParams.delete('sslmode');
    this.pool = new pg.Pool({
      ...connectionOptions(url, options.passwordSource),
      ssl: sslOptions(options),
      max: options.poolMax,
      connectionTimeoutMillis: options.connectTimeoutMs,
      idleTimeoutMillis: options.idleTimeoutMs,
      statement_timeout: options.statementTimeoutMs,
      // A client-side bound too: a half-open TCP connection never answers the server-side timeout.
      query_timeout: options.statementTimeoutMs + 2_000,
      idle_in_transaction_session_timeout: options.statementTimeoutMs * 2,
      lock_timeout: options.statementTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: options.applicationName ?? 'bank-api',
      types,
    });
    // Without a listener an idle client's error (failover, pg_terminate_backend) crashes the process.
    this.pool.on('error', (error) => options.onPoolError?.(error));
  }

  /**
   * Runs `work` again when a new connection's password was refused, re-reading the password each
   * time (a rotation in progress). Authentication comes before any statement, so nothing ran.
   */
  private async connecting<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!this.retryRefusedLogins || sqlState(error) !== INVALID_PASSWORD || attempt >= AUTH_ATTEMPTS) {
          throw error;
        }
        this.onAuthRetry?.(error, attempt);
        await sleep(AUTH_RETRY_DELAY_MS * attempt);
      }
    }
  }

  async query<R>(text: string, params: readonly unknown[] = [], name?: string): Promise<QueryResult<R>> {
    const result = await this.connecting(() =>
      this.pool.query({ text, values: params as unknown[], ...(name ? { name } : {}) }),
    );
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    // Without parameters pg uses the simple query protocol, which accepts several statements.
    await this.connecting(() => this.pool.query(sql));
  }

  async transaction<T>(
    work: (tx: Queryable) => Promise<T>,
    isolation: IsolationLevel = 'read committed',
  ): Promise<T> {
    const client = await this.connecting(() => this.pool.connect());
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`);
      const tx: Queryable = {
        query: async <R>(text: string, params: readonly unknown[] = [], name?: string) => {
          const r = await client.query({ text, values: params as unknown[], ...(name ? { name } : {}) });
          return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
        },
        exec: async (sql: string) => {
          await client.query(sql);
        },
      };
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection itself is gone: destroy it rather than hand it to the next request.
        broken = rollbackError as Error;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  poolStats(): PoolStats {
    const { totalCount, idleCount, waitingCount } = this.pool;
    return {
      total: totalCount,
      idle: idleCount,
      inUse: totalCount - idleCount,
      waiting: waitingCount,
      max: this.max,
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
