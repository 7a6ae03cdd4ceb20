import { z } from 'zod';

// 10^11 minor units (one billion in a two-decimal currency) per movement: larger requests are
// almost certainly mistakes and would be refused by any payment scheme anyway.
export const MAX_AMOUNT = 100_000_000_000;

export const AccountId = z.uuid({ message: 'must be a UUID' });

// The upper bound is checked first and stops there: 1e16 is over it, and saying it is also "not a
// whole number" (it is past the safe-integer range) would only confuse.
export const Amount = z
  .number({ message: 'must be a number of minor units (e.g. cents)' })
  .max(MAX_AMOUNT, { message: `must be at most ${MAX_AMOUNT}`, abort: true })
  .int('must be a whole number of minor units')
  .positive('must be greater than zero');

const Reference = z
  .string()
  .max(140, 'must be at most 140 characters')
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export const OpenAccountBody = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
});

export const DepositBody = z.strictObject({ amount: Amount, reference: Reference.optional() });

export const TransferBody = z.strictObject({
  fromAccountId: AccountId,
  toAccountId: AccountId,
  amount: Amount,
  reference: Reference.optional(),
});

export const DevTokenBody = z.strictObject({
  customerId: z.string().regex(/^[A-Za-z0-9._@|-]{1,128}$/, 'must be 1-128 letters, digits or . _ @ | -'),
});

export const IdParams = z.object({ id: AccountId });

export const EntriesQuery = z.strictObject({
  // Each check names its own rule: a message on the number alone would be reported for all of them.
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .default(20),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be a cursor returned by a previous page')
    .optional(),
});
