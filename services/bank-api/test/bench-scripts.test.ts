import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountIdOf, loadDataset, totalBalance } from '../bench/dataset.js';
import { parseBenchOptions, UsageError } from '../bench/options.js';
import { batchScript } from '../bench/pgbench.js';
import { migrate } from '../src/db/migrations.js';
import { PGliteDatabase } from '../src/db/pglite-database.js';

// The benchmark's batched ceiling must run the service's own batched function on the benchmark's data
// set, or the ratio it prints compares unlike things. Its SQL runs here on embedded PostgreSQL.

describe('the batched pgbench script', () => {
  let db: PGliteDatabase;
  beforeAll(async () => {
    db = await PGliteDatabase.create();
    await migrate(db);
    await loadDataset(db, 20);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('posts `size` transfers of 1 cent between distinct random accounts in one call of post_transfers', async () => {
    const sql = batchScript(20, 7);
    expect(sql).toContain(', post_transfers(b.customers, b.keys,');
    const rows = (await db.query<{ item: number; outcome: string; body: string }>(sql.replace(/;\n$/, '')))
      .rows;
    expect(rows.map((r) => r.item)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(rows.every((r) => r.outcome === 'completed')).toBe(true);
    for (const { body } of rows) {
      const transfer = JSON.parse(body) as { fromAccountId: string; toAccountId: string; amount: number };
      expect(transfer.amount).toBe(1);
      expect(transfer.fromAccountId).not.toBe(transfer.toAccountId);
      expect(transfer.fromAccountId.slice(0, -12)).toBe(accountIdOf(0).slice(0, -12));
    }
    expect(await totalBalance(db)).toBe(0);
  });
});

describe('bench options for batching', () => {
  it('default to batches of 64 within 1 ms, one service process', () => {
    expect(parseBenchOptions([])).toMatchObject({ batch: 64, batchWindowMs: 1, serviceProcesses: 1 });
    expect(
      parseBenchOptions(['--batch', '1', '--batch-window', '0', '--service-processes', '2']),
    ).toMatchObject({
      batch: 1,
      batchWindowMs: 0,
      serviceProcesses: 2,
    });
  });

  it.each([
    [['--batch', '0'], '--batch'],
    [['--batch', 'many'], '--batch'],
    [['--batch-window', '11'], '--batch-window'],
    [['--batch-window', '-1'], '--batch-window'],
    [['--service-processes', '0'], '--service-processes'],
  ])('refuse %j naming the option', (argv, name) => {
    expect(() => parseBenchOptions(argv)).toThrow(UsageError);
    expect(() => parseBenchOptions(argv)).toThrow(name);
  });
});
