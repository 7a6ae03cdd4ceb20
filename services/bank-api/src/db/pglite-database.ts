import { PGlite, types } from '@electric-sql/pglite';
import type { Database, IsolationLevel, PoolStats, Queryable, QueryResult } from './database.js';

const toSafeNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
  return n;
};

/**
 * Embedded PostgreSQL (compiled to WASM) for `npm start` and tests without a server. PGlite has a
 * single connection, so statements and transactions queue one after another.
 */
export class PGliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  private waiting = 0;

  private constructor(private readonly db: PGlite) {}

  static async create(dataDir?: string): Promise<PGliteDatabase> {
    const db = new PGlite({ ...(dataDir ? { dataDir } : {}), parsers: { [types.INT8]: toSafeNumber } });
    await db.waitReady;
    return new PGliteDatabase(db);
  }

  private async track<T>(work: () => Promise<T>): Promise<T> {
    this.waiting++;
    try {
      return await work();
    } finally {
      this.waiting--;
    }
  }

  async query<R>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    return this.track(async () => {
      const result = await this.db.query<R>(text, params as unknown[]);
      return {
        rows: result.rows,
        rowCount: result.rows.length > 0 ? result.rows.length : (result.affectedRows ?? 0),
      };
    });
  }

  async exec(sql: string): Promise<void> {
    await this.track(() => this.db.exec(sql));
  }

  async transaction<T>(
    work: (tx: Queryable) => Promise<T>,
    isolation: IsolationLevel = 'read committed',
  ): Promise<T> {
    return this.track(() =>
      this.db.transaction(async (inner) => {
        await inner.query(`SET TRANSACTION ISOLATION LEVEL ${isolation.toUpperCase()}`);
        return work({
          query: async <R>(text: string, params: readonly unknown[] = []) => {
            const r = await inner.query<R>(text, params as unknown[]);
            return { rows: r.rows, rowCount: r.rows.length > 0 ? r.rows.length : (r.affectedRows ?? 0) };
          },
          exec: async (sql: string) => {
            await inner.exec(sql);
          },
        });
      }),
    );
  }

  poolStats(): PoolStats {
    const inUse = this.waiting > 0 ? 1 : 0;
    return { total: 1, idle: 1 - inUse, inUse, waiting: Math.max(0, this.waiting - 1), max: 1 };
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
