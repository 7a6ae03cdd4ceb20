import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  ledgerSnapshot,
  openAccount,
  startTestService,
  type TestService,
} from './support/harness.js';

// Every malformed request is a 4xx problem+json and leaves the ledger exactly as it was.

describe.each(backends())('bad input on %s', (backend) => {
  let svc: TestService;
  let headers: { Authorization: string };
  let from: string;
  let to: string;

  beforeAll(async () => {
    svc = await startTestService(backend, { BODY_LIMIT_BYTES: '2048' });
    headers = await svc.auth('cust-bad');
    from = await openAccount(svc, 'cust-bad', { deposit: 10_000 });
    to = await openAccount(svc, 'cust-bad-payee');
  });
  afterAll(async () => {
    await svc?.close();
  });

  const expectRejected = async (
    status: number,
    send: () => Promise<{ status: number; headers: Record<string, string>; body: Record<string, unknown> }>,
  ) => {
    const before = await ledgerSnapshot(svc);
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status,
      type: expect.any(String),
      title: expect.any(String),
      detail: expect.any(String),
    });
    expect(await ledgerSnapshot(svc)).toEqual(before);
    return res;
  };

  const transfer = (body: string | object, contentType = 'application/json', key = `k-${Math.random()}`) =>
    svc.api
      .post('/v1/transfers')
      .set(headers)
      .set('Idempotency-Key', key)
      .set('Content-Type', contentType)
      .send(typeof body === 'string' ? body : JSON.stringify(body));

  it('malformed JSON → 400', async () => {
    const res = await expectRejected(400, () => transfer('{"fromAccountId": '));
    expect(String(res.body.type)).toMatch(/malformed-json$/);
  });

  it.each([
    ['a JSON string', '"hello"'],
    ['a JSON number', '42'],
    ['null', 'null'],
    ['an array', '[]'],
  ])('non-object JSON body (%s) → 400', async (_name, body) => {
    await expectRejected(400, () => transfer(body));
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form', 'application/x-www-form-urlencoded'],
    ['xml', 'application/xml'],
  ])('wrong content type (%s) → 415', async (_name, type) => {
    const res = await expectRejected(415, () =>
      transfer(JSON.stringify({ fromAccountId: from, toAccountId: to, amount: 1 }), type),
    );
    expect(String(res.body.type)).toMatch(/unsupported-media-type$/);
  });

  it('oversized body → 413', async () => {
    const res = await expectRejected(413, () =>
      transfer({ fromAccountId: from, toAccountId: to, amount: 1, reference: 'x'.repeat(5000) }),
    );
    expect(String(res.body.type)).toMatch(/payload-too-large$/);
  });

  it('missing body → 400', async () => {
    await expectRejected(400, () =>
      svc.api.post('/v1/transfers').set(headers).set('Idempotency-Key', 'nobody'),
    );
  });

  it.each([
    ['negative', -1],
    ['zero', 0],
    ['fractional', 10.5],
    ['huge', 1e20],
    ['just above the cap', 100_000_000_001],
    ['a string', '100'],
    ['null', null],
    ['a boolean', true],
    ['an object', { value: 1 }],
  ])('amount %s → 400', async (_name, amount) => {
    const res = await expectRejected(400, () => transfer({ fromAccountId: from, toAccountId: to, amount }));
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'amount' })]));
  });

  // The exact words a client shows: one rule per bad field, the range where there is one.
  it.each([
    [
      'an amount past the maximum',
      (f: string, t: string) => ({ fromAccountId: f, toAccountId: t, amount: 1e16 }),
      'amount',
      'must be at most 100000000000',
    ],
    [
      'a missing amount',
      (f: string, t: string) => ({ fromAccountId: f, toAccountId: t }),
      'amount',
      'is required',
    ],
    ['a missing destination', (f: string) => ({ fromAccountId: f, amount: 1 }), 'toAccountId', 'is required'],
  ])('%s → 400 with one clear message', async (_name, body, path, message) => {
    const res = await expectRejected(400, () => transfer(body(from, to)));
    expect(res.body.errors).toEqual([{ path, message }]);
    expect(res.body.detail).toBe(`The request body is invalid: ${path}: ${message}.`);
  });

  it.each(['0', '101', '2.5', 'ten'])('limit=%s → 400 naming the range', async (limit) => {
    const res = await expectRejected(400, () =>
      svc.api.get(`/v1/accounts/${from}/entries?limit=${limit}`).set(headers),
    );
    expect(res.body.errors).toEqual([{ path: 'limit', message: 'must be a whole number from 1 to 100' }]);
    expect(res.body.detail).toBe('The query string is invalid: limit: must be a whole number from 1 to 100.');
  });

  it('amount as a JSON number literal too large for a double → 400', async () => {
    await expectRejected(400, () =>
      transfer(`{"fromAccountId":"${from}","toAccountId":"${to}","amount":1${'0'.repeat(400)}}`),
    );
  });

  it('unknown fields → 400', async () => {
    const res = await expectRejected(400, () =>
      transfer({ fromAccountId: from, toAccountId: to, amount: 1, currency: 'EUR' }),
    );
    expect(JSON.stringify(res.body.errors)).toContain('currency');
  });

  it('prototype pollution keys are refused', async () => {
    await expectRejected(400, () =>
      transfer(`{"fromAccountId":"${from}","toAccountId":"${to}","amount":1,"__proto__":{"admin":true}}`),
    );
  });

  it.each([
    ['from', (_from: string, to: string) => ({ fromAccountId: 'not-a-uuid', toAccountId: to, amount: 1 })],
    ['to', (from: string) => ({ fromAccountId: from, toAccountId: '12345', amount: 1 })],
    ['sql', (_from: string, to: string) => ({ fromAccountId: "' OR 1=1 --", toAccountId: to, amount: 1 })],
  ])('non-UUID %s id → 400', async (field, body) => {
    const res = await expectRejected(400, () => transfer(body(from, to)));
    const paths = (res.body.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual([field === 'to' ? 'toAccountId' : 'fromAccountId']);
  });

  it('reference with control characters or too long → 400', async () => {
    await expectRejected(400, () =>
      transfer({ fromAccountId: from, toAccountId: to, amount: 1, reference: 'a\u0000b' }),
    );
    await expectRejected(400, () =>
      transfer({ fromAccountId: from, toAccountId: to, amount: 1, reference: 'r'.repeat(141) }),
    );
  });

  it.each([
    ['with a space', 'has space'],
    ['too long', 'k'.repeat(256)],
    ['non-ASCII', 'ключ'],
  ])('bad Idempotency-Key (%s) → 400', async (_name, key) => {
    const body = { fromAccountId: from, toAccountId: to, amount: 1 };
    await expectRejected(400, () =>
      svc.api
        .post('/v1/transfers')
        .set(headers)
        .set('Idempotency-Key', encodeURI(key) === key ? key : Buffer.from(key).toString('latin1'))
        .send(body),
    );
  });

  it('non-UUID path ids → 400 on every account route', async () => {
    await expectRejected(400, () => svc.api.get('/v1/accounts/..%2F..%2Fetc').set(headers));
    await expectRejected(400, () =>
      svc.api.post('/v1/accounts/abc/deposits').set(headers).set('Idempotency-Key', 'p').send({ amount: 1 }),
    );
    await expectRejected(400, () => svc.api.get('/v1/accounts/abc/entries').set(headers));
  });

  it('deposit with bad amounts or unknown fields → 400', async () => {
    const deposit = (body: object) =>
      svc.api
        .post(`/v1/accounts/${from}/deposits`)
        .set(headers)
        .set('Idempotency-Key', `d-${Math.random()}`)
        .send(body);
    await expectRejected(400, () => deposit({ amount: -5 }));
    await expectRejected(400, () => deposit({ amount: 5, to: from }));
  });
});

describe('requests too broken for the router', () => {
  it('answers bad HTTP framing with a problem, not a bare 400', async () => {
    const { connect } = await import('node:net');
    const svc = await startTestService('pglite');
    try {
      const { port } = new URL(svc.server.url);
      const response = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write('POST /v1/transfers HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n');
        });
        let data = '';
        socket.on('data', (chunk) => {
          data += String(chunk);
        });
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      expect(response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(response).toContain('Content-Type: application/problem+json');
      const body = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
      expect(body).toMatchObject({ status: 400, title: 'Malformed request' });
    } finally {
      await svc.close();
    }
  });
});
