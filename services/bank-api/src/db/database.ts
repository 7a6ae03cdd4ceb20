/** What the ledger needs from a database, implemented by both the pg pool and embedded PGlite. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  /**
   * Runs one parameterised statement. `name` marks a hot statement worth preparing once per
   * connection (only the pg driver uses it; PGlite plans every call anyway).
   */
  query<R = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
    name?: string,
  ): Promise<QueryResult<R>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface PoolStats {
  total: number;
  idle: number;
  inUse: number;
  waiting: number;
  max: number;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` inside BEGIN/COMMIT on one connection; rolls back on any error. */
  transaction<T>(work: (tx: Queryable) => Promise<T>, isolation?: IsolationLevel): Promise<T>;
  poolStats(): PoolStats;
  close(): Promise<void>;
}
