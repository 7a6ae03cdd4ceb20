import { z } from 'zod';

// 10^11 minor units (one billion in a two-decimal currency) per movement: larger requests are
// almost certainly mistakes and would be refused by any payment scheme anyway.
export const MAX_AMOUNT = 100_000_000_000;

export const AccountId = z.uuid({ message: 'must be a UUID' });

export const Amount = z
  .number({ message: 'must be a number of minor units (e.g. cents)' })
  .int('must be a whole number of minor units')
  .positive('must be greater than zero')
  .max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`);

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
  limit: z.coerce.number({ message: 'must be a number' }).int().min(1).max(100).default(20),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be a cursor returned by a previous page')
    .optional(),
});
