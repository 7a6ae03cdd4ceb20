import { createHash } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ProblemError } from '../src/http/problem.js';
import { idempotencyKey, jsonBody, validate } from '../src/http/validation.js';
import { decodeCursor, encodeCursor } from '../src/routes/cursor.js';
import { requestFingerprint } from '../src/routes/idempotency.js';
import {
  AccountId,
  Amount,
  DepositBody,
  DevTokenBody,
  EntriesQuery,
  IdempotencyKey,
  IdParams,
  OpenAccountBody,
  TransferBody,
} from '../src/routes/schemas.js';

// The request validation rules on their own, without a server or a database: every rule at its
// boundary, with the exact message a client reads. The messages are written out here because clients
// show them to people; a change to one is a change to the API. (api.test.ts and bad-input.test.ts
// check the same rules through HTTP on every database backend.)

type Schema = {
  safeParse(input: unknown): {
    success: boolean;
    error?: { issues: { path: PropertyKey[]; message: string }[] };
  };
};

/** `path: message` of every issue, or [] when the input is valid. */
function issues(schema: Schema, input: unknown): string[] {
  const result = schema.safeParse(input);
  return (result.error?.issues ?? []).map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
}

const A = '0b7e3c52-6a5f-4c1e-9d7a-2f4b8c9e1a3d';
const B = '5d1c9a7e-3b2f-4e8d-a6c1-7f9e0b2d4c6a';

describe('amounts', () => {
  it.each([
    [1, []],
    [100_000_000_000, []],
    [100_000_000_001, [': must be at most 100000000000']],
    [1e16, [': must be at most 100000000000']],
    [0, [': must be greater than zero']],
    [-1, [': must be greater than zero']],
    [1.5, [': must be a whole number of minor units']],
    ['100', [': must be a number of minor units (e.g. cents)']],
    [null, [': must be a number of minor units (e.g. cents)']],
  ] as const)('%s → %j', (input, expected) => {
    expect(issues(Amount, input)).toEqual(expected);
  });
});

describe('bodies', () => {
  it.each([
    ['a transfer', TransferBody, { fromAccountId: A, toAccountId: B, amount: 5 }, []],
    [
      'a transfer with a reference',
      TransferBody,
      { fromAccountId: A, toAccountId: B, amount: 5, reference: 'rent ✓' },
      [],
    ],
    [
      'an empty transfer',
      TransferBody,
      {},
      ['fromAccountId: is required', 'toAccountId: is required', 'amount: is required'],
    ],
    [
      'a transfer with fields of the wrong type',
      TransferBody,
      { fromAccountId: 1, toAccountId: B, amount: '5', reference: 7 },
      [
        'fromAccountId: must be a UUID',
        'amount: must be a number of minor units (e.g. cents)',
        'reference: must be a string',
      ],
    ],
    ['a deposit without an amount', DepositBody, { reference: 'x' }, ['amount: is required']],
    ['an account without a currency', OpenAccountBody, {}, ['currency: is required']],
    [
      'a currency that is not a string',
      OpenAccountBody,
      { currency: 978 },
      ['currency: must be an ISO 4217 code such as EUR'],
    ],
    ['a token request without a customer id', DevTokenBody, {}, ['customerId: is required']],
    [
      'a transfer with an unknown field',
      TransferBody,
      { fromAccountId: A, toAccountId: B, amount: 5, fee: 1 },
      [': Unrecognized key: "fee"'],
    ],
    ['a reference of 140 characters', DepositBody, { amount: 1, reference: 'x'.repeat(140) }, []],
    [
      'a reference of 141 characters',
      DepositBody,
      { amount: 1, reference: 'x'.repeat(141) },
      ['reference: must be at most 140 characters'],
    ],
    [
      'a reference with a bell',
      DepositBody,
      { amount: 1, reference: 'ring\u0007' },
      ['reference: must not contain control characters'],
    ],
    [
      'a reference with a newline first',
      DepositBody,
      { amount: 1, reference: '\nrent' },
      ['reference: must not contain control characters'],
    ],
    ['a deposit without reference', DepositBody, { amount: 1 }, []],
    ['a currency', OpenAccountBody, { currency: 'EUR' }, []],
    [
      'a lower-case currency',
      OpenAccountBody,
      { currency: 'eur' },
      ['currency: must be an ISO 4217 code such as EUR'],
    ],
    [
      'a currency with a suffix',
      OpenAccountBody,
      { currency: 'EURO' },
      ['currency: must be an ISO 4217 code such as EUR'],
    ],
    [
      'a currency with a prefix',
      OpenAccountBody,
      { currency: 'XEUR' },
      ['currency: must be an ISO 4217 code such as EUR'],
    ],
    ['a customer id of 128 characters', DevTokenBody, { customerId: `${'a'.repeat(120)}._@|-Z9x` }, []],
    [
      'a customer id of 129 characters',
      DevTokenBody,
      { customerId: 'a'.repeat(129) },
      ['customerId: must be 1-128 letters, digits or . _ @ | -'],
    ],
    [
      'an empty customer id',
      DevTokenBody,
      { customerId: '' },
      ['customerId: must be 1-128 letters, digits or . _ @ | -'],
    ],
    [
      'a customer id with a space',
      DevTokenBody,
      { customerId: 'a b' },
      ['customerId: must be 1-128 letters, digits or . _ @ | -'],
    ],
    [
      'a customer id ending in a slash',
      DevTokenBody,
      { customerId: 'ab/' },
      ['customerId: must be 1-128 letters, digits or . _ @ | -'],
    ],
    [
      'a customer id starting with a slash',
      DevTokenBody,
      { customerId: '/ab' },
      ['customerId: must be 1-128 letters, digits or . _ @ | -'],
    ],
    ['an account id', AccountId, A, []],
    ['an account id that is not a UUID', AccountId, 'acc-1', [': must be a UUID']],
    ['an account id in the path', IdParams, { id: A }, []],
    ['a bad account id in the path', IdParams, { id: 'acc-1' }, ['id: must be a UUID']],
  ] as const)('%s', (_name, schema, input, expected) => {
    expect(issues(schema, input)).toEqual(expected);
  });
});

describe('the entries query', () => {
  it('pages 20 entries unless told otherwise', () => {
    expect(EntriesQuery.parse({})).toEqual({ limit: 20 });
  });

  it.each([
    [{ limit: '1' }, []],
    [{ limit: '100' }, []],
    [{ limit: '0' }, ['limit: must be a whole number from 1 to 100']],
    [{ limit: '101' }, ['limit: must be a whole number from 1 to 100']],
    [{ limit: '1.5' }, ['limit: must be a whole number from 1 to 100']],
    [{ limit: '-1.5' }, ['limit: must be a whole number from 1 to 100']],
    [{ limit: 'ten' }, ['limit: must be a whole number from 1 to 100']],
    [{ limit: '' }, ['limit: must be a whole number from 1 to 100']],
    [{ cursor: 'ZTo0Mg' }, []],
    [{ cursor: 'a'.repeat(32) }, []],
    [{ cursor: 'a'.repeat(33) }, ['cursor: must be a cursor returned by a previous page']],
    [{ cursor: 'ab=' }, ['cursor: must be a cursor returned by a previous page']],
    [{ cursor: '=ab' }, ['cursor: must be a cursor returned by a previous page']],
    [{ offset: '3' }, [': Unrecognized key: "offset"']],
  ] as const)('%j → %j', (query, expected) => {
    expect(issues(EntriesQuery, query)).toEqual(expected);
  });

  it('turns the limit into a number', () => {
    expect(EntriesQuery.parse({ limit: '7', cursor: 'ZTo0Mg' })).toEqual({ limit: 7, cursor: 'ZTo0Mg' });
  });
});

describe('the JSON Schemas the OpenAPI document is made of', () => {
  const input = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });

  it('state the amount range and the reference rules', () => {
    expect(input(DepositBody)).toMatchObject({
      properties: {
        amount: {
          type: 'integer',
          exclusiveMinimum: 0,
          maximum: 100_000_000_000,
          description: 'An amount of minor units (e.g. cents): a whole number from 1 to 100000000000.',
        },
        reference: {
          type: 'string',
          maxLength: 140,
          description: 'Free text for the customer, at most 140 characters, no control characters.',
        },
      },
      required: ['amount'],
      additionalProperties: false,
    });
  });

  it('state the page limit, its default, and the cursor', () => {
    expect(input(EntriesQuery)).toMatchObject({
      properties: {
        limit: {
          type: 'integer',
          minimum: 1,
          maximum: 100,
          default: 20,
          description: 'How many entries per page, 1 to 100.',
        },
        cursor: { type: 'string', description: "The previous page's nextCursor." },
      },
      additionalProperties: false,
    });
    expect(input(EntriesQuery)).not.toHaveProperty('required');
  });

  it('state the Idempotency-Key rule', () => {
    expect(input(IdempotencyKey)).toMatchObject({
      type: 'string',
      pattern: '^[\\x21-\\x7E]{1,255}$',
      description:
        'Scoped to the customer. The same key with the same request replays the first response; with another request it is a 409.',
    });
  });
});

describe('validate', () => {
  it('returns the parsed value when the input is valid', () => {
    expect(validate(EntriesQuery, { limit: '5' }, 'query')).toEqual({ limit: 5 });
  });

  it('throws one 400 problem naming every bad field and its rule', () => {
    const error = (() => {
      try {
        validate(TransferBody, { fromAccountId: 'x', toAccountId: B, amount: 0 }, 'transfer');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).toProblemDetails('https://bank.test/problems/')).toEqual({
      type: 'https://bank.test/problems/validation-error',
      title: 'Request validation failed',
      status: 400,
      detail: 'The transfer is invalid: fromAccountId: must be a UUID; amount: must be greater than zero.',
      errors: [
        { path: 'fromAccountId', message: 'must be a UUID' },
        { path: 'amount', message: 'must be greater than zero' },
      ],
    });
  });

  // (No parentheses or quotes in this test's name: Stryker selects tests by name.)
  it('names the whole input root when it is not an object at all', () => {
    expect(() => validate(OpenAccountBody, 'EUR', 'account')).toThrow(
      'The account is invalid: (root): Invalid input: expected object, received string.',
    );
  });
});

/** A tiny app that answers with what jsonBody and idempotencyKey made of the request. */
function probe() {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      ctx.status = error.status;
      ctx.body = { problem: error.slug, detail: error.message, ...error.extensions };
    }
  });
  app.use(bodyParser({ enableTypes: ['json', 'text'], encoding: 'utf-8' }));
  app.use((ctx) => {
    ctx.body = ctx.path === '/key' ? { key: idempotencyKey(ctx) } : { body: jsonBody(ctx) ?? 'none' };
  });
  return request(app.callback());
}

describe('jsonBody', () => {
  it('is undefined when no body was sent', async () => {
    expect((await probe().post('/body')).body).toEqual({ body: 'none' });
    expect((await probe().post('/body').set('Content-Length', '0')).body).toEqual({ body: 'none' });
  });

  it('is the parsed JSON, with a length or chunked', async () => {
    const sent = await probe().post('/body').set('Content-Type', 'application/json').send('{"a":1}');
    expect(sent.body).toEqual({ body: { a: 1 } });
    const chunked = probe()
      .post('/body')
      .set('Content-Type', 'application/json')
      .set('Transfer-Encoding', 'chunked');
    chunked.write('{"b":');
    chunked.write('2}');
    expect((await chunked).body).toEqual({ body: { b: 2 } });
  });

  it('is a 415 problem for a body in another format', async () => {
    const res = await probe().post('/body').set('Content-Type', 'text/plain').send('a=1');
    expect(res.status).toBe(415);
    expect(res.body).toEqual({
      problem: 'unsupported-media-type',
      detail: "Send the request body as 'application/json'.",
    });
  });
});

describe('idempotencyKey', () => {
  it.each([
    ['!', 200],
    ['~', 200],
    ['k'.repeat(255), 200],
    ['k'.repeat(256), 400],
    ['with space', 400],
    ['tab\there', 400],
    ['café', 400],
  ] as const)('%j → %i', async (key, status) => {
    const res = await probe().get('/key').set('Idempotency-Key', key);
    expect(res.status).toBe(status);
    if (status === 200) expect(res.body).toEqual({ key });
    else
      expect(res.body).toEqual({
        problem: 'validation-error',
        detail: 'The Idempotency-Key header must be 1-255 visible ASCII characters.',
        errors: [{ path: 'headers.Idempotency-Key', message: 'must be 1-255 visible ASCII characters' }],
      });
  });

  it('is required', async () => {
    const res = await probe().get('/key');
    expect(res.status).toBe(400);
    expect(res.body.problem).toBe('idempotency-key-required');
  });
});

describe('page cursors', () => {
  it('carry the entry id base64url-encoded', () => {
    expect(encodeCursor(42)).toBe(Buffer.from('e:42').toString('base64url'));
    expect(decodeCursor(encodeCursor(42))).toBe(42);
    expect(decodeCursor(encodeCursor(999_999_999_999_999))).toBe(999_999_999_999_999);
  });

  it.each([
    ['not base64 of ours', 'garbage'],
    ['id 0', Buffer.from('e:0').toString('base64url')],
    ['a 16-digit id', Buffer.from('e:1000000000000000').toString('base64url')],
    ['a negative id', Buffer.from('e:-5').toString('base64url')],
    ['another prefix', Buffer.from('x:5').toString('base64url')],
    ['trailing text', Buffer.from('e:5x').toString('base64url')],
    ['leading text', Buffer.from('ae:5').toString('base64url')],
  ])('refuse %s', (_name, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});

describe('request fingerprints', () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

  it('hash the operation and the fields in key order, a missing value as null', () => {
    expect(requestFingerprint('transfer', { to: 'b', amount: 5, from: 'a', reference: undefined })).toBe(
      sha256('["transfer",[["amount",5],["from","a"],["reference",null],["to","b"]]]'),
    );
  });

  it('differ by operation and by value, not by key order', () => {
    const fields = { accountId: A, amount: 5, reference: null };
    expect(requestFingerprint('deposit', fields)).toBe(
      requestFingerprint('deposit', { reference: null, amount: 5, accountId: A }),
    );
    expect(requestFingerprint('deposit', fields)).not.toBe(requestFingerprint('transfer', fields));
    expect(requestFingerprint('deposit', fields)).not.toBe(
      requestFingerprint('deposit', { ...fields, amount: 6 }),
    );
  });
});
