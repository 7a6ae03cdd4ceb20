import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  ledgerSnapshot,
  ledgerViolations,
  multiPostingBatches,
  openAccount,
  serviceBackends,
  startTestService,
  type TestService,
} from './support/harness.js';

// Both posting paths: batched (the default: postings of the same few milliseconds share one call of
// post_transfers) and single (POSTING_BATCH_MAX=1: one post_transfer per posting).
const PATHS = [
  ['batched', { POSTING_BATCH_MAX: '64', POSTING_BATCH_WINDOW_MS: '2' }],
  ['single', { POSTING_BATCH_MAX: '1' }],
] as const;
const CASES = serviceBackends().flatMap((backend) =>
  PATHS.map(([path, env]) => [backend, path, env] as const),
);

describe.each(CASES)('ledger invariants under concurrency on %s, %s path', (backend, path, env) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(backend, { DATABASE_POOL_MAX: '16', ...env });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('many concurrent transfers among a few accounts conserve money, never overdraw, never double-spend a key', async () => {
    const customers = ['c-a', 'c-b', 'c-c', 'c-d'];
    const accounts: { id: string; customer: string }[] = [];
    for (const customer of customers) {
      accounts.push({ id: await openAccount(svc, customer, { deposit: 5_000 }), customer });
    }
    const before = await ledgerSnapshot(svc);
    const auth = Object.fromEntries(
      await Promise.all(customers.map(async (c) => [c, await svc.auth(c)] as const)),
    );

    // 400 transfers in random directions (so opposite transfers race for the same rows), amounts big
    // enough that many must fail for lack of funds, and every key sent twice or three times at once.
    const requests: Promise<{ status: number; key: string; body: { id?: string } }>[] = [];
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 400; i++) {
      const from = accounts[Math.floor(random() * accounts.length)] as { id: string; customer: string };
      let to = accounts[Math.floor(random() * accounts.length)] as { id: string; customer: string };
      if (to.id === from.id)
        to = accounts[(accounts.indexOf(from) + 1) % accounts.length] as { id: string; customer: string };
      const amount = 1 + Math.floor(random() * 2_000);
      const key = `conc-${i}`;
      const copies = 1 + (i % 3);
      for (let c = 0; c < copies; c++) {
        requests.push(
          svc.api
            .post('/v1/transfers')
            .set(auth[from.customer] as { Authorization: string })
            .set('Idempotency-Key', key)
            .send({ fromAccountId: from.id, toAccountId: to.id, amount })
            .then((res) => ({ status: res.status, key, body: res.body as { id?: string } })),
        );
      }
    }
    const results = await Promise.all(requests);

    const statuses = new Set(results.map((r) => r.status));
    expect([...statuses].every((s) => s === 201 || s === 422 || s === 409)).toBe(true);
    expect(results.some((r) => r.status === 201)).toBe(true);
    expect(results.some((r) => r.status === 422)).toBe(true);

    // Every copy of a key that succeeded reports the same transfer id: one key, one movement.
    const byKey = new Map<string, Set<string>>();
    for (const r of results.filter((x) => x.status === 201)) {
      const ids = byKey.get(r.key) ?? new Set<string>();
      ids.add(String(r.body.id));
      byKey.set(r.key, ids);
    }
    for (const ids of byKey.values()) expect(ids.size).toBe(1);

    const [{ transfers }] = (await svc.sql<{ transfers: number }>(
      "SELECT count(*)::int AS transfers FROM transfers WHERE kind = 'transfer'",
    )) as [{ transfers: number }];
    expect(transfers).toBe(byKey.size);

    const after = await ledgerSnapshot(svc);
    expect(after.customerBalance).toBe(before.customerBalance);
    expect(after.totalBalance).toBe(0);
    expect(await ledgerViolations((text) => svc.sql(text))).toEqual([]);
    // The path under test really was taken.
    if (path === 'batched') expect(await multiPostingBatches(svc)).toBeGreaterThan(0);
    else expect(await multiPostingBatches(svc)).toBe(0);
  });
});

describe.each(backends())('schema constraints on %s', (backend) => {
  let svc: TestService;
  let account: string;
  beforeAll(async () => {
    svc = await startTestService(backend);
    account = await openAccount(svc, 'c-schema', { deposit: 100 });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('refuses a negative customer balance even from raw SQL', async () => {
    await expect(svc.sql('UPDATE accounts SET balance = -1 WHERE id = $1', [account])).rejects.toMatchObject({
      code: '23514',
    });
  });

  it('refuses an unbalanced transfer at commit', async () => {
    await expect(
      svc.server.db.transaction(async (tx) => {
        const [clearing] = (
          await tx.query<{ id: string }>(
            "SELECT id FROM accounts WHERE kind = 'clearing' AND currency = 'EUR'",
          )
        ).rows;
        const [t] = (
          await tx.query<{ id: string }>(
            "INSERT INTO transfers (kind, customer_id, from_account_id, to_account_id, amount, currency) VALUES ('deposit', 'c-schema', $1, $2, 50, 'EUR') RETURNING id",
            [clearing?.id, account],
          )
        ).rows;
        await tx.query(
          'INSERT INTO entries (transfer_id, account_id, amount, balance_after) VALUES ($1, $2, 50, 150)',
          [t?.id, account],
        );
      }),
    ).rejects.toMatchObject({ code: '23514' });
  });

  it('keeps ledger rows append-only', async () => {
    await expect(svc.sql('UPDATE entries SET amount = amount * 2')).rejects.toMatchObject({ code: '23001' });
    await expect(svc.sql('DELETE FROM transfers')).rejects.toMatchObject({ code: '23001' });
  });

  it('refuses amounts that are not positive', async () => {
    await expect(
      svc.sql(
        "INSERT INTO transfers (kind, customer_id, from_account_id, to_account_id, amount, currency) SELECT 'transfer', 'c', $1, $1, 0, 'EUR'",
        [account],
      ),
    ).rejects.toMatchObject({ code: '23514' });
  });

  it('still balances after the refused attempts', async () => {
    expect(await ledgerViolations((text) => svc.sql(text))).toEqual([]);
  });
});
