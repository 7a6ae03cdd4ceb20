import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError } from '../src/api.js';
import { fieldErrorsOf } from '../src/field-errors.js';
import { formatMoney, minorDigits, parseAmount } from '../src/money.js';
import { SubmissionKey } from '../src/submission-key.js';

// The app's pure parts, in Node (same Intl data as the browser's ICU for these currencies).

describe('amounts', () => {
  it('knows each currency’s minor digits from Intl', () => {
    expect([minorDigits('EUR'), minorDigits('JPY'), minorDigits('USD')]).toEqual([2, 0, 2]);
  });

  it.each([
    ['12.5', 'EUR', 1250],
    ['12,50', 'EUR', 1250],
    ['0.01', 'EUR', 1],
    [' 7 ', 'EUR', 700],
    ['1200', 'JPY', 1200],
  ])('reads %s %s as %d minor units', (text, currency, minor) => {
    expect(parseAmount(text, currency)).toEqual({ ok: true, minor });
  });

  it.each([
    ['', 'EUR', 'Enter an amount.'],
    ['0', 'EUR', 'Enter an amount greater than zero.'],
    ['12.345', 'EUR', 'Enter an amount such as 12.50 (at most 2 decimal places, no thousands separator).'],
    ['1,234.00', 'EUR', 'Enter an amount such as 12.50'],
    ['-5', 'EUR', 'Enter an amount such as 12.50'],
    ['1e3', 'EUR', 'Enter an amount such as 12.50'],
    ['12.5', 'JPY', 'Enter an amount such as 1200 (at most 0 decimal places'],
    ['99999999999999999', 'EUR', 'That amount is too large.'],
  ])('refuses %j in %s', (text, currency, message) => {
    const parsed = parseAmount(text, currency);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toContain(message);
  });

  it('reads back every amount it formats (no floating-point drift)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000_000_000 }), (minor) => {
        const text = `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
        expect(parseAmount(text, 'EUR')).toEqual({ ok: true, minor });
      }),
    );
  });

  it('formats minor units in the currency', () => {
    const en = (minor: number, currency: string) =>
      new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(
        minor / 10 ** minorDigits(currency),
      );
    expect(formatMoney(123_456, 'EUR')).toBe(en(123_456, 'EUR'));
    expect(en(123_456, 'EUR')).toBe('€1,234.56');
    expect(en(1_200, 'JPY')).toBe('¥1,200');
  });
});

describe('errors next to their field', () => {
  const problem = (type: string, detail: string, errors?: { path: string; message: string }[]) =>
    new ApiError({
      type: `/problems/${type}`,
      title: type,
      status: 422,
      detail,
      ...(errors ? { errors } : {}),
    });

  it('puts validation errors on the fields they name, and the rest on the form', () => {
    const error = problem('validation-error', 'The request body is invalid.', [
      { path: 'amount', message: 'must be at most 100000000000' },
      { path: 'toAccountId', message: 'must be a UUID' },
      { path: 'headers.Idempotency-Key', message: 'must be 1-255 visible ASCII characters' },
    ]);
    expect(fieldErrorsOf(error, ['amount', 'toAccountId'])).toEqual({
      amount: 'Must be at most 100000000000.',
      toAccountId: 'Must be a UUID.',
      '': 'The request body is invalid.',
    });
  });

  it('places problems without a field list by their type', () => {
    const funds = problem('insufficient-funds', 'The source account balance is lower than the amount.');
    expect(fieldErrorsOf(funds, ['amount'])).toEqual({ amount: funds.problem.detail });
    expect(fieldErrorsOf(problem('same-account', 'differ'), ['toAccountId'])).toEqual({
      toAccountId: 'differ',
    });
    expect(fieldErrorsOf(problem('unsupported-currency', 'no XXX'), ['currency'])).toEqual({
      currency: 'no XXX',
    });
    // A form's own mapping, and a field the form does not have.
    expect(
      fieldErrorsOf(problem('not-found', 'gone'), ['toAccountId'], { 'not-found': 'toAccountId' }),
    ).toEqual({
      toAccountId: 'gone',
    });
    expect(fieldErrorsOf(funds, ['currency'])).toEqual({ '': funds.problem.detail });
  });

  it('says what to do after a lost connection, and something for anything else', () => {
    expect(fieldErrorsOf(new NetworkError(), ['amount'])['']).toMatch(
      /submit again: it will not be sent twice/,
    );
    expect(fieldErrorsOf(new Error('x'), ['amount'])).toEqual({ '': 'Something went wrong. Try again.' });
  });
});

describe('one Idempotency-Key per submission', () => {
  it('keeps the key until reset, then makes a new random one', () => {
    const key = new SubmissionKey();
    const first = key.current();
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(key.current()).toBe(first);
    key.reset();
    const second = key.current();
    expect(second).not.toBe(first);
    expect(second).toMatch(/^[0-9a-f]{32}$/);
  });
});
