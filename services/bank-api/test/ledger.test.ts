import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, QueryResult } from '../src/db/database.js';
import { migrate } from '../src/db/migrations.js';
import { PGliteDatabase } from '../src/db/pglite-database.js';
import { Ledger, type PostingCommand } from '../src/ledger/ledger.js';
import { DepositResponse, TransferResponse } from '../src/routes/responses.js';

// The Ledger class on its own, against embedded PostgreSQL (PGlite) with the real migrations: what
// each method returns, field by field, for every outcome of post_transfer. The HTTP suites
// (api.test.ts, ledger-invariants.test.ts) cover the same paths on every backend through the API.
// Where a database cannot be made to answer wrongly (no row, an unknown outcome, a foreign-key error
// on another constraint), a Database that answers one fixed result stands in for it.

let db: PGliteDatabase;
let ledger: Ledger;

beforeAll(async () => {
  db = await PGliteDatabase.create();
  await migrate(db);
  ledger = new Ledger(db);
});
afterAll(async () => {
  await db?.close();
});

let keys = 0;
const command = (overrides: Partial<PostingCommand>): PostingCommand => ({
  customerId: 'alice',
  idempotencyKey: `key-${++keys}`,
  requestHash: `hash-${keys}`,
  kind: 'transfer',
  fromAccountId: null,
  toAccountId: randomUUID(),
  amount: 1,
  reference: null,
  ...overrides,
});

async function funded(customerId: string, amount: number, currency = 'EUR') {
  const account = await ledger.openAccount(customerId, currency);
  if (!account) throw new Error('could not open an account');
  if (amount > 0) {
    const deposit = await ledger.post(
      command({ customerId, kind: 'deposit', toAccountId: account.id, amount, reference: 'seed' }),
    );
    expect(deposit.outcome).toBe('completed');
  }
  return account;
}

const readTransfer = async (customerId: string, id: string) => {
  const json = await ledger.findTransfer(customerId, id);
  return json === undefined ? undefined : (JSON.parse(json) as Record<string, unknown>);
};

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('accounts', () => {
  it('opens an account with a zero balance, and lists and finds it only for its customer', async () => {
    const opened = await ledger.openAccount('carol', 'CHF');
    expect(opened).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      customerId: 'carol',
      currency: 'CHF',
      balance: 0,
      createdAt: expect.stringMatching(ISO),
    });
    const second = await ledger.openAccount('carol', 'JPY');
    expect((await ledger.listAccounts('carol')).map((a) => a.currency)).toEqual(['CHF', 'JPY']);
    expect(await ledger.findAccount('carol', opened?.id ?? '')).toEqual(opened);
    expect(await ledger.findAccount('dave', opened?.id ?? '')).toBeUndefined();
    expect(await ledger.listAccounts('dave')).toEqual([]);
    expect(second?.balance).toBe(0);
  });

  it('refuses a currency the bank does not hold with undefined', async () => {
    expect(await ledger.openAccount('carol', 'XXX')).toBeUndefined();
  });

  it('never lists or finds the clearing accounts', async () => {
    const clearing = await db.query<{ id: string }>(
      "SELECT id FROM accounts WHERE kind = 'clearing' LIMIT 1",
    );
    const id = clearing.rows[0]?.id ?? '';
    expect(id).not.toBe('');
    expect(await ledger.listAccounts('bank:clearing')).toEqual([]);
    expect(await ledger.findAccount('bank:clearing', id)).toBeUndefined();
  });

  it('reports the balance as a number after money moved', async () => {
    const account = await funded('erin', 1234);
    expect((await ledger.findAccount('erin', account.id))?.balance).toBe(1234);
  });
});

describe('posting', () => {
  it('completes a transfer with the stored response, and replays it for the same key', async () => {
    const from = await funded('alice', 500);
    const to = await funded('bob', 0);
    const transfer = command({ fromAccountId: from.id, toAccountId: to.id, amount: 200, reference: 'rent' });
    const first = await ledger.post(transfer);
    expect(first).toMatchObject({ outcome: 'completed', status: 201 });
    const body = JSON.parse(first.outcome === 'completed' ? first.json : '{}');
    expect(body).toMatchObject({
      fromAccountId: from.id,
      toAccountId: to.id,
      amount: 200,
      reference: 'rent',
    });
    const again = await ledger.post(transfer);
    expect(again).toEqual({
      outcome: 'replayed',
      status: 201,
      json: first.outcome === 'completed' ? first.json : '',
    });
    expect((await ledger.findAccount('alice', from.id))?.balance).toBe(300);
  });

  it('reports each refusal with what the API needs to explain it', async () => {
    const eur = await funded('alice', 100);
    const usd = await funded('alice', 0, 'USD');
    const theirs = await funded('bob', 0);
    const reused = command({ fromAccountId: eur.id, toAccountId: theirs.id, amount: 10 });
    await ledger.post(reused);
    expect(await ledger.post({ ...reused, requestHash: 'another request' })).toEqual({
      outcome: 'idempotency_conflict',
    });
    expect(
      await ledger.post(command({ fromAccountId: eur.id, toAccountId: theirs.id, amount: 1000 })),
    ).toEqual({
      outcome: 'insufficient_funds',
    });
    expect(await ledger.post(command({ fromAccountId: randomUUID(), toAccountId: theirs.id }))).toEqual({
      outcome: 'not_found',
      account: 'from',
    });
    expect(await ledger.post(command({ fromAccountId: eur.id, toAccountId: randomUUID() }))).toEqual({
      outcome: 'not_found',
      account: 'to',
    });
    expect(await ledger.post(command({ fromAccountId: eur.id, toAccountId: usd.id }))).toEqual({
      outcome: 'currency_mismatch',
      fromCurrency: 'EUR',
      toCurrency: 'USD',
    });
  });
});

describe('reading transfers', () => {
  it('shows a transfer with both accounts and a deposit with its account only', async () => {
    const from = await funded('frank', 900);
    const to = await funded('grace', 0);
    const posted = await ledger.post(
      command({ customerId: 'frank', fromAccountId: from.id, toAccountId: to.id, amount: 250 }),
    );
    const id = JSON.parse(posted.outcome === 'completed' ? posted.json : '{}').id as string;
    expect(await readTransfer('frank', id)).toEqual({
      id,
      kind: 'transfer',
      fromAccountId: from.id,
      toAccountId: to.id,
      amount: 250,
      currency: 'EUR',
      reference: null,
      createdAt: expect.stringMatching(ISO),
    });
    expect(await readTransfer('grace', id)).toBeUndefined();

    const deposit = await ledger.post(
      command({ customerId: 'frank', kind: 'deposit', toAccountId: from.id, amount: 5, reference: 'cash' }),
    );
    const depositId = JSON.parse(deposit.outcome === 'completed' ? deposit.json : '{}').id as string;
    expect(await readTransfer('frank', depositId)).toEqual({
      id: depositId,
      kind: 'deposit',
      accountId: from.id,
      amount: 5,
      currency: 'EUR',
      reference: 'cash',
      createdAt: expect.stringMatching(ISO),
    });
  });
});

describe('the field order of postings', () => {
  // The database builds every posting's JSON (posting_json); the order of its fields is the order of
  // the response schemas, which document the API (src/routes/responses.ts).
  const TRANSFER = Object.keys(TransferResponse.shape);
  const DEPOSIT = Object.keys(DepositResponse.shape);

  it("is the schemas' order for a posted, a replayed and a read transfer or deposit, single or batched", async () => {
    const from = await funded('olga', 900);
    const to = await funded('pavel', 0);
    const transfer = command({ customerId: 'olga', fromAccountId: from.id, toAccountId: to.id, amount: 3 });
    const posted = await ledger.post(transfer);
    const replayed = await ledger.post(transfer);
    const text = posted.outcome === 'completed' ? posted.json : '{}';
    expect(Object.keys(JSON.parse(text))).toEqual(TRANSFER);
    expect(replayed.outcome === 'replayed' ? replayed.json : '').toBe(text);
    // The same bytes whichever way the posting is read.
    expect(await ledger.findTransfer('olga', JSON.parse(text).id)).toBe(text);

    const deposit = await ledger.post(
      command({ customerId: 'olga', kind: 'deposit', toAccountId: from.id, amount: 4 }),
    );
    const depositText = deposit.outcome === 'completed' ? deposit.json : '{}';
    expect(Object.keys(JSON.parse(depositText))).toEqual(DEPOSIT);
    const readDeposit = await readTransfer('olga', JSON.parse(depositText).id);
    expect(Object.keys(readDeposit ?? {})).toEqual(DEPOSIT.filter((k) => k !== 'balance'));

    const batched = await ledger.postBatch([
      command({ customerId: 'olga', fromAccountId: from.id, toAccountId: to.id, amount: 1 }),
      command({ customerId: 'olga', kind: 'deposit', toAccountId: from.id, amount: 1 }),
    ]);
    expect(batched.map((o) => Object.keys(JSON.parse(o.outcome === 'completed' ? o.json : '{}')))).toEqual([
      TRANSFER,
      DEPOSIT,
    ]);
  });
});

describe('account entries', () => {
  it('pages newest first with a cursor, debits and credits as positive amounts', async () => {
    const account = await funded('heidi', 1000);
    const payee = await funded('ivan', 0);
    for (const amount of [100, 200, 300]) {
      await ledger.post(
        command({ customerId: 'heidi', fromAccountId: account.id, toAccountId: payee.id, amount }),
      );
    }
    const first = await ledger.listEntries('heidi', account.id, { limit: 2, before: undefined });
    expect(first?.items.map((e) => [e.kind, e.direction, e.amount, e.balanceAfter])).toEqual([
      ['transfer', 'debit', 300, 400],
      ['transfer', 'debit', 200, 700],
    ]);
    expect(first?.items[0]).toEqual({
      id: expect.stringMatching(/^\d+$/),
      transferId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      kind: 'transfer',
      direction: 'debit',
      amount: 300,
      balanceAfter: 400,
      reference: null,
      createdAt: expect.stringMatching(ISO),
    });
    expect(first?.nextBefore).toBe(Number(first?.items[1]?.id));
    const second = await ledger.listEntries('heidi', account.id, { limit: 2, before: first?.nextBefore });
    expect(second?.items.map((e) => [e.kind, e.direction, e.amount, e.balanceAfter, e.reference])).toEqual([
      ['transfer', 'debit', 100, 900, null],
      ['deposit', 'credit', 1000, 1000, 'seed'],
    ]);
    expect(second?.nextBefore).toBeUndefined();
    const three = await ledger.listEntries('heidi', account.id, { limit: 3, before: undefined });
    expect(three?.nextBefore).toBe(Number(three?.items[2]?.id));
    const exact = await ledger.listEntries('heidi', account.id, { limit: 4, before: undefined });
    expect(exact?.items).toHaveLength(4);
    expect(exact?.nextBefore).toBeUndefined();
  });

  it('shows the payee a credit', async () => {
    const payer = await funded('judy', 50);
    const payee = await funded('ken', 0);
    await ledger.post(
      command({ customerId: 'judy', fromAccountId: payer.id, toAccountId: payee.id, amount: 50 }),
    );
    const entries = await ledger.listEntries('ken', payee.id, { limit: 10, before: undefined });
    expect(entries?.items.map((e) => [e.direction, e.amount, e.balanceAfter])).toEqual([['credit', 50, 50]]);
  });

  it('is undefined for an account of another customer or of nobody', async () => {
    const account = await funded('leo', 10);
    expect(await ledger.listEntries('mallory', account.id, { limit: 10, before: undefined })).toBeUndefined();
    expect(await ledger.listEntries('leo', randomUUID(), { limit: 10, before: undefined })).toBeUndefined();
  });
});

const A_UUID = '3f2a9c1e-8b7d-4e6f-a5c4-1d2e3f4a5b6c';

/** A database that answers every query with `answer` (or throws it), counting the calls and noting the statement names. */
function answering(
  answer: QueryResult<unknown> | Error,
  names: (string | undefined)[] = [],
): Database & { calls: number } {
  const fake = {
    kind: 'pglite' as const,
    calls: 0,
    async query<R>(_text: string, _params?: readonly unknown[], name?: string): Promise<QueryResult<R>> {
      fake.calls++;
      names.push(name);
      if (answer instanceof Error) throw answer;
      return answer as QueryResult<R>;
    },
    exec: async () => {},
    transaction: async () => {
      throw new Error('not used by the ledger');
    },
    poolStats: () => ({ total: 0, idle: 0, inUse: 0, waiting: 0, max: 0 }),
    close: async () => {},
  };
  return fake;
}

describe('answers a real database does not give', () => {
  it('fails loudly when post_transfer returns no row or an outcome it does not know', async () => {
    await expect(new Ledger(answering({ rows: [], rowCount: 0 })).post(command({}))).rejects.toThrow(
      'post_transfer returned no row',
    );
    const odd = { rows: [{ outcome: 'odd', status_code: 500, body: null }], rowCount: 1 };
    await expect(new Ledger(answering(odd)).post(command({}))).rejects.toThrow(
      "post_transfer returned unknown outcome 'odd'",
    );
  });

  it('passes an empty object on when a completed posting has no stored body', async () => {
    const bare = { rows: [{ outcome: 'completed', status_code: 201, body: null }], rowCount: 1 };
    expect(await new Ledger(answering(bare)).post(command({}))).toEqual({
      outcome: 'completed',
      status: 201,
      json: '{}',
    });
  });

  it('rethrows a foreign-key error that is not about the currency, without retrying it', async () => {
    const error = Object.assign(new Error('fk'), { code: '23503', constraint: 'accounts_customer_fkey' });
    const database = answering(error);
    await expect(new Ledger(database).openAccount('x', 'EUR')).rejects.toBe(error);
    expect(database.calls).toBe(1);
  });

  it('retries reads and postings on a lost connection, telling the caller each time', async () => {
    const lost = Object.assign(new Error('gone'), { code: 'ECONNRESET' });
    const retries: number[] = [];
    const database = answering(lost);
    const ledgerWithHook = new Ledger(database, (_error, attempt) => retries.push(attempt));
    await expect(ledgerWithHook.listAccounts('x')).rejects.toBe(lost);
    expect(retries).toEqual([1, 2, 3]);
    expect(database.calls).toBe(4);
    await expect(ledgerWithHook.post(command({}))).rejects.toBe(lost);
    expect(database.calls).toBe(8);
  });

  it('names its hot statements, so the pg driver prepares each once per connection', async () => {
    const names: (string | undefined)[] = [];
    const account = { id: A_UUID, customer_id: 'x', currency: 'EUR', balance: 0, created_at: new Date(0) };
    const recording = answering({ rows: [account], rowCount: 1 }, names);
    const named = new Ledger(recording);
    await named.openAccount('x', 'EUR');
    await named.listAccounts('x');
    await named.findAccount('x', A_UUID);
    await named.findTransfer('x', A_UUID).catch(() => undefined);
    await named.listEntries('x', A_UUID, { limit: 1, before: undefined }).catch(() => undefined);
    const posting = answering(
      { rows: [{ outcome: 'completed', status_code: 201, body: '{}' }], rowCount: 1 },
      names,
    );
    await new Ledger(posting).post(command({}));
    const batch = answering(
      { rows: [{ item: 1, outcome: 'completed', status_code: 201, body: '{}' }], rowCount: 1 },
      names,
    );
    await new Ledger(batch).postBatch([command({})]);
    expect(names).toEqual([
      'open_account',
      'list_accounts',
      'find_account',
      'find_transfer',
      undefined, // the ownership check before the page
      'list_entries',
      'post_transfer',
      'post_transfers',
    ]);
  });

  it('fails loudly when post_transfers answers other items than it was given', async () => {
    const row = (item: number) => ({ item, outcome: 'insufficient_funds', status_code: 422, body: null });
    for (const rows of [[row(1)], [row(1), row(1)], [row(0), row(1)], [row(1), row(3)]]) {
      await expect(
        new Ledger(answering({ rows, rowCount: rows.length })).postBatch([command({}), command({})]),
      ).rejects.toThrow(/post_transfers returned/);
    }
    expect(await new Ledger(answering({ rows: [], rowCount: 0 })).postBatch([])).toEqual([]);
  });

  it('retries opening an account on a serialization failure (nothing was committed), telling the caller', async () => {
    const conflict = Object.assign(new Error('conflict'), { code: '40001' });
    const retries: number[] = [];
    const database = answering(conflict);
    await expect(
      new Ledger(database, (_e, attempt) => retries.push(attempt)).openAccount('x', 'EUR'),
    ).rejects.toBe(conflict);
    expect(retries).toEqual([1, 2, 3]);
  });

  it('does not retry opening an account on a lost connection: the insert may have committed', async () => {
    const lost = Object.assign(new Error('gone'), { code: 'ECONNRESET' });
    const database = answering(lost);
    await expect(new Ledger(database).openAccount('x', 'EUR')).rejects.toBe(lost);
    expect(database.calls).toBe(1);
  });
});
