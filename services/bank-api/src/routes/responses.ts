import { z } from 'zod';
import { MAX_AMOUNT } from './schemas.js';

// The bodies the API sends. They document the responses in the OpenAPI document (src/http/openapi.ts)
// and the tests check real responses against that document, so a route that starts sending another
// shape fails a test instead of surprising a client. Strict objects: an unlisted field is a change.

const Id = z.uuid();
const Timestamp = z.iso.datetime().meta({ description: 'An instant in UTC (ISO 8601).' });
const Money = z.number().int().meta({ description: 'Minor units (e.g. cents).' });
const PositiveAmount = z
  .number()
  .int()
  .min(1)
  .max(MAX_AMOUNT)
  .meta({ description: 'Minor units (e.g. cents).' });
const Reference = z.string().max(140).nullable();

export const AccountResponse = z.strictObject({
  id: Id,
  customerId: z.string(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  balance: Money,
  createdAt: Timestamp,
});

export const AccountListResponse = z.strictObject({ items: z.array(AccountResponse) });

/** A deposit as POST /v1/accounts/:id/deposits answers it: with the account's new balance. */
export const DepositResponse = z.strictObject({
  id: Id,
  kind: z.literal('deposit'),
  accountId: Id,
  amount: PositiveAmount,
  currency: z.string(),
  balance: Money,
  reference: Reference,
  createdAt: Timestamp,
});

export const TransferResponse = z.strictObject({
  id: Id,
  kind: z.literal('transfer'),
  fromAccountId: Id,
  toAccountId: Id,
  amount: PositiveAmount,
  currency: z.string(),
  reference: Reference,
  createdAt: Timestamp,
});

/** GET /v1/transfers/:id: a transfer, or a deposit (without a balance: that changes later). */
export const MovementResponse = z.discriminatedUnion('kind', [
  TransferResponse,
  DepositResponse.omit({ balance: true }),
]);

export const EntryResponse = z.strictObject({
  id: z.string().regex(/^[0-9]+$/),
  transferId: Id,
  kind: z.enum(['transfer', 'deposit']),
  direction: z.enum(['debit', 'credit']),
  amount: PositiveAmount,
  balanceAfter: Money,
  reference: Reference,
  createdAt: Timestamp,
});

export const EntriesPageResponse = z.strictObject({
  items: z.array(EntryResponse),
  nextCursor: z
    .string()
    .nullable()
    .meta({ description: 'Pass as `cursor` for the next page; null on the last.' }),
});

export const DevTokenResponse = z.strictObject({
  token: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().positive().meta({ description: 'Seconds.' }),
});

export const LivenessResponse = z.strictObject({ status: z.literal('ok') });

export const ReadinessResponse = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('ready'), schemaVersion: z.number().int() }),
  z.strictObject({
    status: z.literal('migrations-pending'),
    schemaVersion: z.number().int(),
    requiredVersion: z.number().int(),
  }),
  z.strictObject({ status: z.literal('shutting-down') }),
  z.strictObject({ status: z.literal('database-unreachable') }),
]);

/** RFC 9457 problem details, as src/http/problem.ts renders every error. */
export const ProblemResponse = z.strictObject({
  type: z.string().meta({ description: 'A URI naming the kind of problem (`<PROBLEM_TYPE_BASE><slug>`).' }),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string(),
  instance: z.string().optional().meta({ description: 'The request id, as `urn:request:<id>`.' }),
  errors: z
    .array(z.strictObject({ path: z.string(), message: z.string() }))
    .optional()
    .meta({ description: 'Validation errors only: each bad field and its rule.' }),
});
