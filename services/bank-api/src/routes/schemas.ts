import { z } from 'zod';

// The request schemas validate every request (validation.ts) and are the request half of the OpenAPI
// document (src/http/openapi.ts): one definition, so the document cannot drift from the code.

// 10^11 minor units (one billion in a two-decimal currency) per movement: larger requests are
// almost certainly mistakes and would be refused by any payment scheme anyway.
export const MAX_AMOUNT = 100_000_000_000;

/** The message of a field's type check: "is required" when the field is missing, `message` otherwise. */
const requiredOr = (message: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message),
});

export const AccountId = z.uuid(requiredOr('must be a UUID'));

// The upper bound is checked first and stops there: 1e16 is over it, and saying it is also "not a
// whole number" (it is past the safe-integer range) would only confuse.
export const Amount = z
  .number(requiredOr('must be a number of minor units (e.g. cents)'))
  .max(MAX_AMOUNT, { message: `must be at most ${MAX_AMOUNT}`, abort: true })
  .int('must be a whole number of minor units')
  .positive('must be greater than zero')
  .meta({
    description: `An amount of minor units (e.g. cents): a whole number from 1 to ${MAX_AMOUNT}.`,
  });

const Reference = z
  .string({ error: 'must be a string' })
  .max(140, 'must be at most 140 characters')
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
  .meta({ description: 'Free text for the customer, at most 140 characters, no control characters.' });

const CURRENCY_RULE = 'must be an ISO 4217 code such as EUR';
export const Currency = z.string(requiredOr(CURRENCY_RULE)).regex(/^[A-Z]{3}$/, CURRENCY_RULE);

export const OpenAccountBody = z.strictObject({ currency: Currency });

export const DepositBody = z.strictObject({ amount: Amount, reference: Reference.optional() });

export const TransferBody = z.strictObject({
  fromAccountId: AccountId,
  toAccountId: AccountId,
  amount: Amount,
  reference: Reference.optional(),
});

const CUSTOMER_ID_RULE = 'must be 1-128 letters, digits or . _ @ | -';
export const DevTokenBody = z.strictObject({
  customerId: z.string(requiredOr(CUSTOMER_ID_RULE)).regex(/^[A-Za-z0-9._@|-]{1,128}$/, CUSTOMER_ID_RULE),
});

export const IdParams = z.object({ id: AccountId });

export const MAX_PAGE_LIMIT = 100;
// One message for every way a limit can be wrong (not a number, fractional, out of range): the
// client needs the range, not which check tripped first.
const LIMIT_RULE = `must be a whole number from 1 to ${MAX_PAGE_LIMIT}`;

export const EntriesQuery = z.strictObject({
  limit: z.coerce
    .number({ error: LIMIT_RULE })
    .int({ error: LIMIT_RULE, abort: true })
    .min(1, { error: LIMIT_RULE, abort: true })
    .max(MAX_PAGE_LIMIT, { error: LIMIT_RULE, abort: true })
    .default(20)
    .meta({ description: `How many entries per page, 1 to ${MAX_PAGE_LIMIT}.` }),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be a cursor returned by a previous page')
    .optional()
    .meta({ description: "The previous page's nextCursor." }),
});

export const IDEMPOTENCY_KEY_RULE = 'must be 1-255 visible ASCII characters';
/** The Idempotency-Key header of every request that moves money, scoped to the customer. */
export const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7E]{1,255}$/, IDEMPOTENCY_KEY_RULE)
  .meta({
    description:
      'Scoped to the customer. The same key with the same request replays the first response; with another request it is a 409.',
  });
