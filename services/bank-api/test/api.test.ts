import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestVersion, readMigrations } from '../src/db/migrations.js';
import {
  ledgerSnapshot,
  ledgerViolations,
  openAccount,
  serviceBackends,
  startTestService,
  type TestService,
} from './support/harness.js';

const PROBLEM = /application\/problem\+json/;
const OTHER_UUID = '00000000-0000-4000-8000-000000000000';

describe.each(serviceBackends())('bank API on %s', (backend) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(backend);
  });
  afterAll(async () => {
    await svc?.close();
  });

  describe('POST /v1/dev/token', () => {
    it('issues a token whose subject is the customer', async () => {
      const res = await svc.api.post('/v1/dev/token').send({ customerId: 'cust-token' }).expect(201);
      expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
      const payload = JSON.parse(
        Buffer.from(String(res.body.token).split('.')[1] ?? '', 'base64url').toString(),
      );
      expect(payload.sub).toBe('cust-token');
    });
    it('rejects a missing or malformed customer id', async () => {
      await svc.api.post('/v1/dev/token').send({}).expect(400).expect('Content-Type', PROBLEM);
      await svc.api.post('/v1/dev/token').send({ customerId: 'has space' }).expect(400);
    });
  });

  describe('authentication', () => {
    const MISSING = 'Send a bearer token: Authorization: Bearer <JWT>.';
    const MALFORMED =
      "The Authorization header is not 'Bearer <JWT>' (the word Bearer, one space, then a token of three base64url parts separated by dots).";
    const INVALID = 'The bearer token is invalid or expired.';
    it.each([
      ['no header', undefined, MISSING],
      ['not bearer', 'Basic YWxpY2U6c2VjcmV0', MALFORMED],
      ['a bearer without a token', 'Bearer ', MALFORMED],
      ['a token that is not a JWT', 'Bearer abc', MALFORMED],
      ['garbage token', 'Bearer abc.def.ghi', INVALID],
      [
        'token signed with another key',
        'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.c2lnbmF0dXJlLW5vdC12YWxpZA',
        INVALID,
      ],
      [
        'alg none',
        `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`,
        MALFORMED,
      ],
    ])('401 problem for %s', async (_name, header, detail) => {
      const req = svc.api.get('/v1/accounts');
      if (header) req.set('Authorization', header);
      const res = await req.expect(401).expect('Content-Type', PROBLEM);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized', detail });
      expect(res.body.type).toMatch(/unauthorized$/);
    });
  });

  describe('accounts', () => {
    it('opens, lists and reads an account', async () => {
      const headers = await svc.auth('cust-acc');
      const created = await svc.api.post('/v1/accounts').set(headers).send({ currency: 'EUR' }).expect(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        customerId: 'cust-acc',
        currency: 'EUR',
        balance: 0,
        createdAt: expect.any(String),
      });
      expect(created.headers.location).toBe(`/v1/accounts/${created.body.id}`);
      const list = await svc.api.get('/v1/accounts').set(headers).expect(200);
      expect(list.body.items).toEqual([created.body]);
      const one = await svc.api.get(`/v1/accounts/${created.body.id}`).set(headers).expect(200);
      expect(one.body).toEqual(created.body);
    });
    it('validates the currency', async () => {
      const headers = await svc.auth('cust-acc-bad');
      await svc.api.post('/v1/accounts').set(headers).send({ currency: 'eur' }).expect(400);
      await svc.api.post('/v1/accounts').set(headers).send({}).expect(400);
      const unsupported = await svc.api
        .post('/v1/accounts')
        .set(headers)
        .send({ currency: 'XXX' })
        .expect(422);
      expect(unsupported.body.type).toMatch(/unsupported-currency$/);
      const list = await svc.api.get('/v1/accounts').set(headers).expect(200);
      expect(list.body.items).toEqual([]);
    });
    it("hides other customers' accounts (404) and does not list them", async () => {
      const mine = await openAccount(svc, 'cust-owner');
      const other = await svc.auth('cust-intruder');
      const res = await svc.api
        .get(`/v1/accounts/${mine}`)
        .set(other)
        .expect(404)
        .expect('Content-Type', PROBLEM);
      expect(res.body.type).toMatch(/not-found$/);
      expect((await svc.api.get('/v1/accounts').set(other).expect(200)).body.items).toEqual([]);
      await svc.api.get(`/v1/accounts/${OTHER_UUID}`).set(other).expect(404);
    });
    it('rejects a non-UUID id with 400', async () => {
      const headers = await svc.auth('cust-acc');
      const res = await svc.api.get('/v1/accounts/not-a-uuid').set(headers).expect(400);
      expect(res.body.errors[0]).toMatchObject({ path: 'id' });
    });
  });

  describe('deposits', () => {
    it('credits the account from the clearing account (double entry)', async () => {
      const headers = await svc.auth('cust-dep');
      const account = await openAccount(svc, 'cust-dep');
      const res = await svc.api
        .post(`/v1/accounts/${account}/deposits`)
        .set(headers)
        .set('Idempotency-Key', 'dep-1')
        .send({ amount: 1500, reference: 'salary' })
        .expect(201);
      // In the order of every other response (the ledger stores it as jsonb, which reorders keys).
      expect(Object.keys(JSON.parse(res.text))).toEqual([
        'id',
        'kind',
        'accountId',
        'amount',
        'currency',
        'balance',
        'reference',
        'createdAt',
      ]);
      expect(res.body).toMatchObject({
        kind: 'deposit',
        accountId: account,
        amount: 1500,
        currency: 'EUR',
        balance: 1500,
        reference: 'salary',
      });
      const entries = await svc.sql<{ amount: number; kind: string }>(
        'SELECT e.amount, a.kind FROM entries e JOIN accounts a ON a.id = e.account_id WHERE e.transfer_id = $1 ORDER BY e.amount',
        [res.body.id],
      );
      expect(entries.map((e) => [Number(e.amount), e.kind])).toEqual([
        [-1500, 'clearing'],
        [1500, 'customer'],
      ]);
    });
    it('replays the same key and body; 409 for the same key with another body', async () => {
      const headers = await svc.auth('cust-dep2');
      const account = await openAccount(svc, 'cust-dep2');
      const first = await svc.api
        .post(`/v1/accounts/${account}/deposits`)
        .set(headers)
        .set('Idempotency-Key', 'k')
        .send({ amount: 100 })
        .expect(201);
      const replay = await svc.api
        .post(`/v1/accounts/${account}/deposits`)
        .set(headers)
        .set('Idempotency-Key', 'k')
        .send({ amount: 100 })
        .expect(201);
      expect(replay.body).toEqual(first.body);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      const conflict = await svc.api
        .post(`/v1/accounts/${account}/deposits`)
        .set(headers)
        .set('Idempotency-Key', 'k')
        .send({ amount: 101 })
        .expect(409);
      expect(conflict.body.type).toMatch(/idempotency-conflict$/);
      const balance = await svc.api.get(`/v1/accounts/${account}`).set(headers).expect(200);
      expect(balance.body.balance).toBe(100);
    });
    it("requires an Idempotency-Key and refuses other customers' accounts", async () => {
      const account = await openAccount(svc, 'cust-dep3');
      const headers = await svc.auth('cust-dep3');
      const missing = await svc.api
        .post(`/v1/accounts/${account}/deposits`)
        .set(headers)
        .send({ amount: 1 })
        .expect(400);
      expect(missing.body.type).toMatch(/idempotency-key-required$/);
      const intruder = await svc.auth('cust-dep3-intruder');
      await svc.api
        .post(`/v1/accounts/${account}/deposits`)
        .set(intruder)
        .set('Idempotency-Key', 'x')
        .send({ amount: 1 })
        .expect(404);
      expect((await svc.api.get(`/v1/accounts/${account}`).set(headers)).body.balance).toBe(0);
    });
  });

  describe('transfers', () => {
    it('moves money, replays, conflicts, and refuses overdrafts and currency mismatches', async () => {
      const headers = await svc.auth('cust-tx');
      const from = await openAccount(svc, 'cust-tx', { deposit: 1000 });
      const to = await openAccount(svc, 'cust-tx-payee');
      const body = { fromAccountId: from, toAccountId: to, amount: 400, reference: 'rent' };

      const created = await svc.api
        .post('/v1/transfers')
        .set(headers)
        .set('Idempotency-Key', 't-1')
        .send(body)
        .expect(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        kind: 'transfer',
        fromAccountId: from,
        toAccountId: to,
        amount: 400,
        currency: 'EUR',
        reference: 'rent',
        createdAt: expect.any(String),
      });
      const transferFields = [
        'id',
        'kind',
        'fromAccountId',
        'toAccountId',
        'amount',
        'currency',
        'reference',
        'createdAt',
      ];
      expect(Object.keys(JSON.parse(created.text))).toEqual(transferFields);
      // Same key, same body (fields in another order): the first response again, no second movement.
      const replay = await svc.api
        .post('/v1/transfers')
        .set(headers)
        .set('Idempotency-Key', 't-1')
        .send({ reference: 'rent', amount: 400, toAccountId: to, fromAccountId: from })
        .expect(201);
      expect(replay.text).toBe(created.text);
      await svc.api
        .post('/v1/transfers')
        .set(headers)
        .set('Idempotency-Key', 't-1')
        .send({ ...body, amount: 401 })
        .expect(409);

      const fetched = await svc.api.get(`/v1/transfers/${created.body.id}`).set(headers).expect(200);
      expect(fetched.text).toBe(created.text);

      const overdraft = await svc.api
        .post('/v1/transfers')
        .set(headers)
        .set('Idempotency-Key', 't-2')
        .send({ ...body, amount: 601 })
        .expect(422);
      expect(overdraft.body.type).toMatch(/insufficient-funds$/);
      // A rejected request leaves its key free: the same key succeeds once the request is valid.
      await svc.api
        .post('/v1/transfers')
        .set(headers)
        .set('Idempotency-Key', 't-2')
        .send({ ...body, amount: 600 })
        .expect(201);

      const usd = await openAccount(svc, 'cust-tx', { currency: 'USD' });
      const mismatch = await svc.api
        .post('/v1/transfers')
        .set(headers)
        .set('Idempotency-Key', 't-3')
        .send({ fromAccountId: usd, toAccountId: to, amount: 1 })
        .expect(422);
      expect(mismatch.body.type).toMatch(/currency-mismatch$/);

      expect((await svc.api.get(`/v1/accounts/${from}`).set(headers)).body.balance).toBe(0);
      const payee = await svc.auth('cust-tx-payee');
      expect((await svc.api.get(`/v1/accounts/${to}`).set(payee)).body.balance).toBe(1000);
    });

    it("refuses moving money out of another customer's account and unknown destinations (404)", async () => {
      const victim = await openAccount(svc, 'cust-victim', { deposit: 500 });
      const thief = await svc.auth('cust-thief');
      const thiefAccount = await openAccount(svc, 'cust-thief');
      const res = await svc.api
        .post('/v1/transfers')
        .set(thief)
        .set('Idempotency-Key', 'steal')
        .send({ fromAccountId: victim, toAccountId: thiefAccount, amount: 500 })
        .expect(404);
      expect(res.body.detail).toMatch(/source/);
      const unknownTo = await svc.api
        .post('/v1/transfers')
        .set(thief)
        .set('Idempotency-Key', 'nowhere')
        .send({ fromAccountId: thiefAccount, toAccountId: OTHER_UUID, amount: 1 })
        .expect(404);
      expect(unknownTo.body.detail).toMatch(/destination/);
      const owner = await svc.auth('cust-victim');
      expect((await svc.api.get(`/v1/accounts/${victim}`).set(owner)).body.balance).toBe(500);
    });

    it('refuses a transfer to the same account and requires an Idempotency-Key', async () => {
      const headers = await svc.auth('cust-same');
      const account = await openAccount(svc, 'cust-same', { deposit: 10 });
      const same = await svc.api
        .post('/v1/transfers')
        .set(headers)
        .set('Idempotency-Key', 's')
        .send({ fromAccountId: account, toAccountId: account, amount: 1 })
        .expect(422);
      expect(same.body.type).toMatch(/same-account$/);
      await svc.api
        .post('/v1/transfers')
        .set(headers)
        .send({ fromAccountId: account, toAccountId: OTHER_UUID, amount: 1 })
        .expect(400);
    });

    it('shows a transfer only to the customer who made it', async () => {
      const headers = await svc.auth('cust-view');
      const from = await openAccount(svc, 'cust-view', { deposit: 50 });
      const to = await openAccount(svc, 'cust-view-payee');
      const created = await svc.api
        .post('/v1/transfers')
        .set(headers)
        .set('Idempotency-Key', 'v')
        .send({ fromAccountId: from, toAccountId: to, amount: 5 })
        .expect(201);
      await svc.api
        .get(`/v1/transfers/${created.body.id}`)
        .set(await svc.auth('cust-view-payee'))
        .expect(404);
      await svc.api.get(`/v1/transfers/${OTHER_UUID}`).set(headers).expect(404);
      await svc.api.get('/v1/transfers/123').set(headers).expect(400);
    });
  });

  describe('GET /v1/accounts/:id/entries', () => {
    it('pages ledger lines newest first with an opaque cursor', async () => {
      const headers = await svc.auth('cust-entries');
      const account = await openAccount(svc, 'cust-entries');
      const other = await openAccount(svc, 'cust-entries-2');
      for (let i = 1; i <= 5; i++) {
        await svc.api
          .post(`/v1/accounts/${account}/deposits`)
          .set(headers)
          .set('Idempotency-Key', `e-${i}`)
          .send({ amount: i * 100 })
          .expect(201);
      }
      await svc.api
        .post('/v1/transfers')
        .set(headers)
        .set('Idempotency-Key', 'e-out')
        .send({ fromAccountId: account, toAccountId: other, amount: 50 })
        .expect(201);

      const first = await svc.api.get(`/v1/accounts/${account}/entries?limit=4`).set(headers).expect(200);
      expect(first.body.items).toHaveLength(4);
      expect(first.body.items[0]).toMatchObject({
        kind: 'transfer',
        direction: 'debit',
        amount: 50,
        balanceAfter: 1450,
      });
      expect(first.body.items[1]).toMatchObject({
        kind: 'deposit',
        direction: 'credit',
        amount: 500,
        balanceAfter: 1500,
      });
      expect(typeof first.body.nextCursor).toBe('string');
      const second = await svc.api
        .get(`/v1/accounts/${account}/entries`)
        .query({ limit: 4, cursor: first.body.nextCursor })
        .set(headers)
        .expect(200);
      expect(second.body.items.map((e: { amount: number }) => e.amount)).toEqual([200, 100]);
      expect(second.body.nextCursor).toBeNull();
      const ids = [...first.body.items, ...second.body.items].map((e: { id: string }) => Number(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
    });
    it('validates limit and cursor and hides other customers', async () => {
      const headers = await svc.auth('cust-entries-v');
      const account = await openAccount(svc, 'cust-entries-v');
      await svc.api.get(`/v1/accounts/${account}/entries?limit=0`).set(headers).expect(400);
      await svc.api.get(`/v1/accounts/${account}/entries?limit=101`).set(headers).expect(400);
      await svc.api.get(`/v1/accounts/${account}/entries?limit=abc`).set(headers).expect(400);
      await svc.api.get(`/v1/accounts/${account}/entries?cursor=bm9wZQ`).set(headers).expect(400);
      await svc.api.get(`/v1/accounts/${account}/entries?sort=asc`).set(headers).expect(400);
      await svc.api
        .get(`/v1/accounts/${account}/entries`)
        .set(await svc.auth('cust-entries-x'))
        .expect(404);
    });
  });

  describe('routing', () => {
    it('answers unknown routes and wrong methods with problems', async () => {
      const missing = await svc.api.get('/nope').expect(404).expect('Content-Type', PROBLEM);
      expect(missing.body.status).toBe(404);
      const headers = await svc.auth('cust-route');
      const wrong = await svc.api
        .delete('/v1/accounts')
        .set(headers)
        .expect(405)
        .expect('Content-Type', PROBLEM);
      expect(wrong.headers.allow).toContain('GET');
    });
    it('serves liveness and readiness; metrics are not on the API port', async () => {
      await svc.api.get('/livez').expect(200, { status: 'ok' });
      const ready = await svc.api.get('/readyz').expect(200);
      const version = latestVersion(await readMigrations());
      expect(ready.body).toMatchObject({ status: 'ready', schemaVersion: version });
      await svc.api.get('/metrics').expect(404);
    });
    it('sets a request id and API security headers', async () => {
      const res = await svc.api.get('/livez').set('X-Request-Id', 'trace-me-123').expect(200);
      expect(res.headers['x-request-id']).toBe('trace-me-123');
      const generated = await svc.api.get('/livez').set('X-Request-Id', 'bad id with spaces').expect(200);
      expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers).toMatchObject({
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'strict-transport-security': expect.stringContaining('max-age='),
        'content-security-policy': expect.stringContaining("default-src 'none'"),
      });
      expect(res.headers['x-powered-by']).toBeUndefined();
    });
  });

  it('leaves the ledger consistent after everything above', async () => {
    expect(await ledgerViolations((text) => svc.sql(text))).toEqual([]);
    const snapshot = await ledgerSnapshot(svc);
    expect(snapshot.totalBalance).toBe(0);
    expect(snapshot.entries).toBe(snapshot.transfers * 2);
  });
});
