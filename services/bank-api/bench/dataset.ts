import type { Database } from '../src/db/database.js';

// The benchmark's fixed data set: account n (1-based) belongs to customer `bench-<n>` and has a UUID
// derived from n, so pgbench can name any account from a random number without a lookup table.

export const SEED_BALANCE = 1_000_000_000;

export const customerOf = (n: number): string => `bench-${n}`;

export const accountIdOf = (n: number): string => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;

/** The same derivation in SQL, for pgbench scripts (`expr` is a pgbench integer expression). */
export const accountIdSql = (expr: string): string =>
  `('00000000-0000-4000-8000-' || lpad((${expr})::text, 12, '0'))::uuid`;

/** Creates `count` EUR accounts and funds each one through the ledger's own deposit path. */
export async function loadDataset(db: Database, count: number): Promise<void> {
  await db.query(
    `INSERT INTO accounts (id, customer_id, currency)
     SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'bench-' || n, 'EUR'
       FROM generate_series(1, $1::int) AS n`,
    [count],
  );
  const funded = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n
       FROM accounts a, LATERAL post_transfer(a.customer_id, 'seed-' || a.id, 'seed', 'deposit', NULL, a.id, $1, NULL) p
      WHERE a.kind = 'customer' AND p.outcome = 'completed'`,
    [SEED_BALANCE],
  );
  if (funded.rows[0]?.n !== count) {
    throw new Error(`seeding funded ${funded.rows[0]?.n ?? 0} of ${count} accounts`);
  }
  await db.exec('VACUUM ANALYZE');
}

/** Sum of all balances: the ledger conserves it, so it must be zero before and after every phase. */
export async function totalBalance(db: Database): Promise<number> {
  const result = await db.query<{ total: number }>(
    'SELECT coalesce(sum(balance), 0)::bigint AS total FROM accounts',
  );
  return Number(result.rows[0]?.total ?? Number.NaN);
}
