import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createScratchDatabase } from '../../../test/support/postgres.js';
import type { Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrations.js';
import { PgDatabase } from '../src/db/pg-database.js';
import { PGliteDatabase } from '../src/db/pglite-database.js';
import { Ledger, type PostingCommand, type PostingOutcome } from '../src/ledger/ledger.js';
import { PostingBatcher, type Postings } from '../src/ledger/posting-batcher.js';
import { type BackendName, backends, ledgerViolations } from './support/harness.js';

// post_transfers against its specification: a batch answers, item by item, exactly what post_transfer
// answers for the same postings sent one after another, and leaves the same balances. Two databases
// start from the same accounts (same ids); one gets the batch, the other the postings one at a time.

async function openBackend(backend: BackendName): Promise<{ db: Database; close(): Promise<void> }> {
  if (backend === 'pglite') {
    const db = await PGliteDatabase.create();
    await migrate(db);
    return { db, close: () => db.close() };
  }
  const scratch = await createScratchDatabase(inject('postgresAdminUrl'));
  const db = new PgDatabase({
    url: scratch.url,
    sslMode: 'disable',
    poolMax: 12,
    connectTimeoutMs: 5_000,
    statementTimeoutMs: 30_000,
    idleTimeoutMs: 10_000,
  });
  await migrate(db);
  return {
    db,
    async close() {
      await db.close();
      await scratch.drop();
    },
  };
}

const CUSTOMERS = ['alice', 'bob'] as const;
/** Each run's accounts: owner and currency. Index 4 (not created) stands for an account that does not exist. */
const ACCOUNTS = [
  { customer: 'alice', currency: 'EUR' },
  { customer: 'alice', currency: 'EUR' },
  { customer: 'bob', currency: 'EUR' },
  { customer: 'alice', currency: 'USD' },
] as const;

interface Draft {
  customer: number;
  deposit: boolean;
  from: number;
  to: number;
  amount: number;
  key: number;
  variant: number;
}

const draftArb: fc.Arbitrary<Draft> = fc.record({
  customer: fc.integer({ min: 0, max: 1 }),
  deposit: fc.boolean(),
  from: fc.integer({ min: 0, max: 4 }),
  to: fc.integer({ min: 0, max: 4 }),
  amount: fc.integer({ min: 1, max: 60 }),
  // Few keys and two request variants per key: duplicates, replays and conflicts are common.
  key: fc.integer({ min: 0, max: 7 }),
  variant: fc.integer({ min: 0, max: 1 }),
});

function toCommand(run: string, ids: string[], d: Draft): PostingCommand {
  const account = (n: number) => ids[n] as string;
  return {
    customerId: CUSTOMERS[d.customer] as string,
    idempotencyKey: `${run}-k${d.key}`,
    requestHash: `${d.deposit}-${d.from}-${d.to}-${d.amount}-${d.variant}`,
    kind: d.deposit ? 'deposit' : 'transfer',
    fromAccountId: d.deposit ? null : account(d.from),
    toAccountId: account(d.to),
    amount: d.amount,
    reference: d.variant === 1 ? `ref "${d.key}"` : null,
  };
}

/** Outcomes with each transfer id replaced by the position of the posting that created it. */
function normalized(outcomes: PostingOutcome[]): unknown[] {
  const names = new Map<string, string>();
  return outcomes.map((o, i) => {
    if (o.outcome !== 'completed' && o.outcome !== 'replayed') return o;
    const { id, createdAt, ...rest } = JSON.parse(o.json) as { id: string; createdAt: string };
    if (!names.has(id)) names.set(id, `posting-${i}`);
    expect(createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    return { ...o, json: { id: names.get(id), ...rest } };
  });
}

async function createAccounts(db: Database, ids: string[], balances: number[], run: string) {
  for (const [n, account] of ACCOUNTS.entries()) {
    await db.query('INSERT INTO accounts (id, customer_id, currency) VALUES ($1, $2, $3)', [
      ids[n],
      account.customer,
      account.currency,
    ]);
    if ((balances[n] ?? 0) > 0) {
      const seeded = await new Ledger(db).post({
        customerId: account.customer,
        idempotencyKey: `${run}-seed-${n}`,
        requestHash: 'seed',
        kind: 'deposit',
        fromAccountId: null,
        toAccountId: ids[n] as string,
        amount: balances[n] as number,
        reference: null,
      });
      expect(seeded.outcome).toBe('completed');
    }
  }
}

const balancesOf = async (db: Database, ids: string[]) =>
  (
    await db.query<{ id: string; balance: number }>(
      'SELECT id, balance FROM accounts WHERE id = ANY($1) ORDER BY id',
      [ids],
    )
  ).rows;

describe.each(backends())('post_transfers on %s', (backend) => {
  let batchedDb: { db: Database; close(): Promise<void> };
  let singleDb: { db: Database; close(): Promise<void> };
  beforeAll(async () => {
    batchedDb = await openBackend(backend);
    singleDb = await openBackend(backend);
  });
  afterAll(async () => {
    await batchedDb?.close();
    await singleDb?.close();
  });

  it('answers each posting of a batch as post_transfer answers them one after another', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 4, maxLength: 4 }),
        fc.array(draftArb, { maxLength: 4 }),
        fc.array(draftArb, { minLength: 2, maxLength: 24 }),
        async (balances, history, drafts) => {
          const run = `run${++runs}-${randomUUID().slice(0, 8)}`;
          const ids = [...ACCOUNTS.map(() => randomUUID()), randomUUID()];
          const batched = new Ledger(batchedDb.db);
          const single = new Ledger(singleDb.db);
          for (const [db, ledger] of [
            [batchedDb.db, batched],
            [singleDb.db, single],
          ] as const) {
            await createAccounts(db, ids, balances, run);
            // Keys committed before the batch: the batch must replay or refuse them.
            for (const draft of history) await ledger.post(toCommand(run, ids, draft));
          }
          const commands = drafts.map((d) => toCommand(run, ids, d));
          const fromBatch = await batched.postBatch(commands);
          const oneByOne: PostingOutcome[] = [];
          for (const command of commands) oneByOne.push(await single.post(command));

          expect(normalized(fromBatch)).toEqual(normalized(oneByOne));
          const after = await balancesOf(batchedDb.db, ids);
          expect(after).toEqual(await balancesOf(singleDb.db, ids));
        },
      ),
      { numRuns: backend === 'pglite' ? 40 : 60, seed: 1302 },
    );
    expect(await ledgerViolations(async (text) => (await batchedDb.db.query(text)).rows)).toEqual([]);
    expect(await ledgerViolations(async (text) => (await singleDb.db.query(text)).rows)).toEqual([]);
  });

  it('treats a duplicate key inside one batch as a replay of the first, or a conflict', async () => {
    const ledger = new Ledger(batchedDb.db);
    const run = `dup-${randomUUID().slice(0, 8)}`;
    const ids = [...ACCOUNTS.map(() => randomUUID()), randomUUID()];
    await createAccounts(batchedDb.db, ids, [100, 0, 0, 0], run);
    const first = toCommand(run, ids, {
      customer: 0,
      deposit: false,
      from: 0,
      to: 1,
      amount: 30,
      key: 1,
      variant: 0,
    });
    const other = { ...first, amount: 31, requestHash: 'another request' };
    const rejected = toCommand(run, ids, {
      customer: 0,
      deposit: false,
      from: 0,
      to: 1,
      amount: 500,
      key: 2,
      variant: 0,
    });
    const [a, b, c, d, e] = await ledger.postBatch([
      first,
      first,
      other,
      rejected,
      { ...rejected, amount: 5, requestHash: 'smaller' },
    ]);
    expect(a?.outcome).toBe('completed');
    expect(b).toEqual({ ...a, outcome: 'replayed' });
    expect(c).toEqual({ outcome: 'idempotency_conflict' });
    expect(d).toEqual({ outcome: 'insufficient_funds' });
    // The first use of key 2 was rejected, so the key was free again for the next posting with it.
    expect(e?.outcome).toBe('completed');
    expect((await balancesOf(batchedDb.db, [ids[0] as string]))[0]?.balance).toBe(65);
  });

  it('fails no posting because another one in the batch was rejected', async () => {
    const ledger = new Ledger(batchedDb.db);
    const run = `mixed-${randomUUID().slice(0, 8)}`;
    const ids = [...ACCOUNTS.map(() => randomUUID()), randomUUID()];
    await createAccounts(batchedDb.db, ids, [50, 50, 50, 50], run);
    const draft = (over: Partial<Draft>): PostingCommand =>
      toCommand(run, ids, {
        customer: 0,
        deposit: false,
        from: 0,
        to: 2,
        amount: 10,
        key: 0,
        variant: 0,
        ...over,
      });
    const outcomes = await ledger.postBatch([
      draft({ key: 0 }),
      draft({ key: 1, from: 4 }),
      draft({ key: 2, to: 4 }),
      draft({ key: 3, to: 3 }),
      draft({ key: 4, amount: 1_000 }),
      draft({ key: 5, customer: 1, from: 2, to: 0 }),
      draft({ key: 6, customer: 1, deposit: true, to: 0 }),
      draft({ key: 7, deposit: true, to: 0, amount: 7 }),
    ]);
    expect(outcomes.map((o) => o.outcome)).toEqual([
      'completed',
      'not_found',
      'not_found',
      'currency_mismatch',
      'insufficient_funds',
      'completed',
      'not_found',
      'completed',
    ]);
    expect(outcomes[1]).toEqual({ outcome: 'not_found', account: 'from' });
    expect(outcomes[2]).toEqual({ outcome: 'not_found', account: 'to' });
    expect(outcomes[3]).toEqual({ outcome: 'currency_mismatch', fromCurrency: 'EUR', toCurrency: 'USD' });
    expect(outcomes[6]).toEqual({ outcome: 'not_found', account: 'to' });
    const deposit = JSON.parse(outcomes[7]?.outcome === 'completed' ? outcomes[7].json : '{}');
    expect(deposit).toMatchObject({ kind: 'deposit', accountId: ids[0], amount: 7, balance: 57 });
    // Rejected postings keep no key: the same key may be used again.
    const [{ n }] = (
      await batchedDb.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM idempotency_keys WHERE key LIKE $1',
        [`${run}-k%`],
      )
    ).rows as [{ n: number }];
    expect(n).toBe(3);
  });

  it('refuses parameter arrays of different lengths, changing nothing', async () => {
    await expect(
      batchedDb.db.query('SELECT * FROM post_transfers($1, $2, $3, $4, $5, $6, $7, $8)', [
        ['a', 'a'],
        ['k'],
        ['h'],
        ['transfer'],
        [null],
        [randomUUID()],
        [1],
        [null],
      ]),
    ).rejects.toMatchObject({ code: '22023' });
  });
});

describe.skipIf(!inject('postgresAdminUrl'))('batches on a real server, concurrently', () => {
  let backend: { db: Database; close(): Promise<void> };
  beforeAll(async () => {
    backend = await openBackend('postgres');
  });
  afterAll(async () => {
    await backend?.close();
  });

  it('never deadlock: opposite transfers in concurrent batches and single postings, money exact', async () => {
    const db = backend.db;
    const deadlocks: unknown[] = [];
    const ledger = new Ledger(db, (error) => {
      if ((error as { code?: string }).code === '40P01') deadlocks.push(error);
    });
    const ids = Array.from({ length: 4 }, () => randomUUID());
    for (const id of ids) {
      await db.query("INSERT INTO accounts (id, customer_id, currency) VALUES ($1, 'lock', 'EUR')", [id]);
      await ledger.post({
        customerId: 'lock',
        idempotencyKey: `seed-${id}`,
        requestHash: 'seed',
        kind: 'deposit',
        fromAccountId: null,
        toAccountId: id,
        amount: 1_000,
        reference: null,
      });
    }
    let key = 0;
    const transfer = (from: number, to: number): PostingCommand => ({
      customerId: 'lock',
      idempotencyKey: `lock-${++key}`,
      requestHash: 'h',
      kind: 'transfer',
      fromAccountId: ids[from] as string,
      toAccountId: ids[to] as string,
      amount: 1 + (key % 3),
      reference: null,
    });
    const work: Promise<PostingOutcome[]>[] = [];
    for (let round = 0; round < 40; round++) {
      // Each batch runs its accounts in the opposite direction to the previous one, and its keys in
      // descending order: only a global lock order keeps these from waiting on each other in a cycle.
      const forward = round % 2 === 0;
      const batch = Array.from({ length: 12 }, (_, i) =>
        forward ? transfer(i % 4, (i + 1) % 4) : transfer((i + 1) % 4, i % 4),
      );
      work.push(ledger.postBatch(batch.reverse()));
      work.push(ledger.post(forward ? transfer(3, 0) : transfer(0, 3)).then((o) => [o]));
    }
    const outcomes = (await Promise.all(work)).flat();
    expect(outcomes.every((o) => o.outcome === 'completed')).toBe(true);
    expect(deadlocks).toEqual([]);
    const [{ total }] = (
      await db.query<{ total: number }>(
        'SELECT sum(balance)::bigint AS total FROM accounts WHERE id = ANY($1)',
        [ids],
      )
    ).rows as [{ total: number }];
    expect(Number(total)).toBe(4_000);
    expect(await ledgerViolations(async (text) => (await db.query(text)).rows)).toEqual([]);
  });
});

describe('PostingBatcher', () => {
  /** The ledger's two entry points, recording how they were called; `batchError` makes postBatch throw. */
  function recording(batchError?: Error) {
    const calls: string[] = [];
    const answer = (c: PostingCommand): PostingOutcome => ({
      outcome: 'completed',
      status: 201,
      json: `"${c.idempotencyKey}"`,
    });
    const postings: Postings = {
      async post(command) {
        calls.push(`single ${command.idempotencyKey}`);
        if (command.idempotencyKey === 'bad') throw new Error('bad posting');
        return answer(command);
      },
      async postBatch(commands) {
        calls.push(`batch ${commands.map((c) => c.idempotencyKey).join(',')}`);
        if (batchError) throw batchError;
        return commands.map(answer);
      },
    };
    return { calls, postings };
  }
  const cmd = (key: string): PostingCommand => ({
    customerId: 'c',
    idempotencyKey: key,
    requestHash: 'h',
    kind: 'transfer',
    fromAccountId: randomUUID(),
    toAccountId: randomUUID(),
    amount: 1,
    reference: null,
  });

  it('gathers the postings of one window into one batch, and cuts batches at the size bound', async () => {
    const { calls, postings } = recording();
    const sizes: number[] = [];
    const batcher = new PostingBatcher(postings, { maxSize: 3, windowMs: 5 }, (n) => sizes.push(n));
    const outcomes = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => batcher.post(cmd(k))));
    expect(outcomes.map((o) => (o.outcome === 'completed' ? o.json : ''))).toEqual([
      '"a"',
      '"b"',
      '"c"',
      '"d"',
      '"e"',
    ]);
    expect(calls).toEqual(['batch a,b,c', 'batch d,e']);
    expect(sizes).toEqual([3, 2]);
    expect(batcher.waiting).toBe(0);
  });

  it('waits at most the window: a posting alone goes the single way after it', async () => {
    const { calls, postings } = recording();
    const batcher = new PostingBatcher(postings, { maxSize: 10, windowMs: 2 });
    const started = performance.now();
    await batcher.post(cmd('alone'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(1);
    expect(calls).toEqual(['single alone']);
    const zero = new PostingBatcher(postings, { maxSize: 10, windowMs: 0 });
    await Promise.all([zero.post(cmd('x')), zero.post(cmd('y'))]);
    expect(calls.at(-1)).toBe('batch x,y');
  });

  it('cancels the pending window when the size bound sends the batch first', async () => {
    for (const windowMs of [0, 5]) {
      const { calls, postings } = recording();
      const batcher = new PostingBatcher(postings, { maxSize: 2, windowMs });
      const posted = ['a', 'b', 'c'].map((k) => batcher.post(cmd(k)));
      expect(batcher.waiting).toBe(1);
      await Promise.all(posted);
      // One batch by size, then the third alone when its own window closed: no window fired twice.
      expect(calls).toEqual(['batch a,b', 'single c']);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(calls).toHaveLength(2);
    }
  });

  it('posts every one on its own when the size bound is 1', async () => {
    const { calls, postings } = recording();
    const batcher = new PostingBatcher(postings, { maxSize: 1, windowMs: 5 });
    await Promise.all([batcher.post(cmd('a')), batcher.post(cmd('b'))]);
    expect(calls).toEqual(['single a', 'single b']);
  });

  it('tries each posting alone when a batch fails for a reason of its data, so only the bad one fails', async () => {
    const { calls, postings } = recording(Object.assign(new Error('check'), { code: '23514' }));
    const batcher = new PostingBatcher(postings, { maxSize: 10, windowMs: 1 });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((k) => batcher.post(cmd(k))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual(['batch a,bad,c', 'single a', 'single bad', 'single c']);
  });

  it('fails the whole batch with the database error when the database is unavailable (after the ledger retried)', async () => {
    const lost = Object.assign(new Error('gone'), { code: 'ECONNRESET' });
    const { calls, postings } = recording(lost);
    const batcher = new PostingBatcher(postings, { maxSize: 10, windowMs: 1 });
    const results = await Promise.allSettled(['a', 'b'].map((k) => batcher.post(cmd(k))));
    expect(results).toEqual([
      { status: 'rejected', reason: lost },
      { status: 'rejected', reason: lost },
    ]);
    expect(calls).toEqual(['batch a,b']);
  });
});
