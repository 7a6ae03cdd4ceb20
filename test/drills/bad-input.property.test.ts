import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  ledgerSnapshot,
  openAccount,
  startTestService,
  type TestService,
} from '../../services/bank-api/test/support/harness.js';

// Thousands of random and malformed requests from one customer (and from callers with broken
// credentials) against the real service. Whatever arrives: never a 5xx, never a state change from a
// rejected request, never a byte of another customer's data.

const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_601);
const SECRET = randomBytes(32).toString('base64url');
const ATTACKER = 'fuzz-attacker';
const VICTIM = 'fuzz-victim';

interface Reply {
  status: number;
  contentType: string;
  text: string;
}

/** Plain node:http, which (unlike fetch) sends any method with any body, as a hostile client can. */
function send(
  base: string,
  req: { method: string; path: string; headers: Record<string, string>; body: string | undefined },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // An explicit length: node frames a GET/DELETE body without one, which breaks the HTTP framing
    // itself (the server then answers the stray bytes as a malformed next request).
    const headers =
      req.body === undefined
        ? req.headers
        : { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) };
    const r = httpRequest(new URL(req.path, base), { method: req.method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          text,
        }),
      );
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

const backend = backends().at(-1) ?? 'pglite';

describe(`bad input at scale (fast-check, ${RUNS} requests, ${backend})`, () => {
  let svc: TestService;
  let mine: string;
  let mine2: string;
  let theirs: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    svc = await startTestService(backend, {
      DEV_AUTH_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      BODY_LIMIT_BYTES: '4096',
    });
    mine = await openAccount(svc, ATTACKER, { deposit: 100_000 });
    mine2 = await openAccount(svc, ATTACKER);
    theirs = await openAccount(svc, VICTIM, { deposit: 50_000 });
    const key = new TextEncoder().encode(SECRET);
    const sign = (claims: { sub?: string; iss?: string; aud?: string; exp?: number }, secret = key) => {
      let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt();
      if (claims.sub !== undefined) jwt = jwt.setSubject(claims.sub);
      jwt = jwt.setIssuer(claims.iss ?? 'bank-api-dev').setAudience(claims.aud ?? 'bank-api');
      jwt = jwt.setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 3_600);
      return jwt.sign(secret);
    };
    tokens.valid = (await svc.auth(ATTACKER)).Authorization.replace(/^Bearer /, '');
    tokens.otherSecret = await sign({ sub: ATTACKER }, new TextEncoder().encode('x'.repeat(40)));
    tokens.expired = await sign({ sub: ATTACKER, exp: Math.floor(Date.now() / 1000) - 60 });
    tokens.wrongAudience = await sign({ sub: ATTACKER, aud: 'someone-else' });
    tokens.wrongIssuer = await sign({ sub: ATTACKER, iss: 'evil' });
    tokens.noSubject = await sign({});
    tokens.badSubject = await sign({ sub: 'spaces are not allowed' });
    const [header, payload] = tokens.valid.split('.') as [string, string];
    tokens.unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.x`;
    tokens.tampered = `${header}.${Buffer.from(JSON.stringify({ sub: VICTIM, iss: 'bank-api-dev', aud: 'bank-api', exp: 4e9 })).toString('base64url')}.${tokens.valid.split('.')[2]}`;
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('never answers 5xx, never changes state on a rejection, never shows another customer', async () => {
    const id = fc.oneof(
      fc.constantFrom(mine, mine2, theirs, randomUUID(), '00000000-0000-0000-0000-000000000000'),
      fc.uuid(),
      fc.string({ maxLength: 60 }),
      fc.constantFrom('..', '%00', "' OR 1=1 --", '%2e%2e%2f', 'null', '-1', '1e309'),
    );
    const amount = fc.oneof(
      fc.integer({ min: -1_000, max: 1_000 }),
      fc.constantFrom(0, -1, 1, 100_000_000_000, 100_000_000_001, 2 ** 53, -(2 ** 63), 1e308),
      fc.double(),
      fc.string({ maxLength: 12 }),
      fc.constant(null),
      fc.boolean(),
    );
    const objectBody = fc.record(
      {
        fromAccountId: id,
        toAccountId: id,
        amount,
        currency: fc.oneof(fc.constantFrom('EUR', 'USD', 'XXX', 'eur', ''), fc.string({ maxLength: 5 })),
        reference: fc.oneof(fc.string({ maxLength: 200 }), fc.constant(null), fc.integer()),
        customerId: fc.constantFrom(VICTIM, ATTACKER, ''),
        extra: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.constant(undefined),
      objectBody.map((o) => JSON.stringify(o)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 300 }),
      fc.constantFrom('{', '{"amount": 1,}', '[]', 'null', '{"__proto__": {"amount": 1}}', 'x'.repeat(5_000)),
    );
    const path = fc.oneof(
      fc.constantFrom(
        '/v1/accounts',
        '/v1/transfers',
        '/v1/dev/token',
        '/livez',
        '/readyz',
        '/',
        '/v1',
        '/metrics',
      ),
      id.map((x) => `/v1/accounts/${encodeURIComponent(x)}`),
      id.map((x) => `/v1/accounts/${encodeURIComponent(x)}/deposits`),
      fc
        .tuple(id, fc.string({ maxLength: 10 }), fc.string({ maxLength: 40 }))
        .map(
          ([x, l, c]) =>
            `/v1/accounts/${encodeURIComponent(x)}/entries?limit=${encodeURIComponent(l)}&cursor=${encodeURIComponent(c)}`,
        ),
      id.map((x) => `/v1/transfers/${encodeURIComponent(x)}`),
    );
    const visibleAscii = fc.stringMatching(/^[\x20-\x7e]{0,300}$/);
    const requestArb = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
      path,
      body,
      auth: fc.constantFrom(
        'valid',
        'valid',
        'valid',
        'none',
        'garbage',
        ...Object.keys(tokens).filter((t) => t !== 'valid'),
      ),
      contentType: fc.constantFrom(
        'application/json',
        'application/json',
        'application/json; charset=utf-16',
        'text/plain',
        'application/x-www-form-urlencoded',
        undefined,
      ),
      idempotencyKey: fc.option(fc.oneof(visibleAscii, fc.uuid()), { nil: undefined }),
    });

    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const headers: Record<string, string> = {};
        if (r.auth === 'garbage') headers.authorization = 'Bearer not-a-token';
        else if (r.auth !== 'none') headers.authorization = `Bearer ${tokens[r.auth]}`;
        if (r.contentType && r.body !== undefined) headers['content-type'] = r.contentType;
        if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey;

        const before = await ledgerSnapshot(svc);
        const theirsBefore = await balanceOf(svc, theirs);
        const reply = await send(svc.server.url, { method: r.method, path: r.path, headers, body: r.body });
        const after = await ledgerSnapshot(svc);
        const where = `${r.method} ${r.path} (auth ${r.auth}) → ${reply.status} ${reply.text.slice(0, 200)}`;

        expect(reply.status, where).toBeLessThan(500);
        if (reply.status >= 400) {
          expect(reply.contentType, where).toMatch(/^application\/problem\+json/);
          expect(after, `rejected request changed the ledger: ${where}`).toEqual(before);
        } else {
          accepted++;
        }
        // Without a valid token nothing succeeds, and no answer depends on the ledger's state (those
        // are 409/422); framing errors (400, 405, 413, 415) may come first and reveal nothing.
        // OPTIONS is answered by the router with the Allow header alone, for anyone.
        if (r.method === 'OPTIONS' && reply.status < 400) {
          expect(reply.text, where).toBe('');
          expect(after, where).toEqual(before);
        } else if (r.auth !== 'valid' && r.path.startsWith('/v1/') && !r.path.startsWith('/v1/dev/')) {
          expect(reply.status, where).toBeGreaterThanOrEqual(400);
          expect([409, 422], where).not.toContain(reply.status);
        }
        // Nothing of the victim's: not their customer id, not their account unless the caller named
        // it, and never a successful read of it.
        expect(reply.text, where).not.toContain(VICTIM);
        if (!r.path.includes(theirs) && !(r.body ?? '').includes(theirs))
          expect(reply.text, where).not.toContain(theirs);
        if (r.method === 'GET' && r.path.includes(theirs))
          expect(reply.status, where).toBeGreaterThanOrEqual(400);
        // The victim's money moves only up, only by a transfer to them the caller was told about.
        const theirsAfter = await balanceOf(svc, theirs);
        if (theirsAfter !== theirsBefore) {
          expect(theirsAfter, where).toBeGreaterThan(theirsBefore);
          expect(reply.status, where).toBe(201);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    console.info(
      `[drill] bad input: ${RUNS} random requests (seed ${SEED}), ${accepted} accepted, ${RUNS - accepted} rejected`,
    );
    expect(accepted).toBeGreaterThan(0);
    expect(RUNS - accepted).toBeGreaterThan(RUNS / 2);
  });
});

async function balanceOf(svc: TestService, account: string): Promise<number> {
  const [row] = await svc.sql<{ balance: number }>('SELECT balance FROM accounts WHERE id = $1', [account]);
  return Number(row?.balance);
}
