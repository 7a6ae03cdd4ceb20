// Amounts travel as whole minor units (cents); people read and type them in major units. The number
// of minor digits comes from Intl for the account's currency (EUR 2, JPY 0), so no table is kept here.

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string): Intl.NumberFormat {
  let f = formatters.get(currency);
  if (!f) {
    f = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    formatters.set(currency, f);
  }
  return f;
}

/** How many digits the currency has after the decimal separator. */
export function minorDigits(currency: string): number {
  return formatter(currency).resolvedOptions().maximumFractionDigits ?? 2;
}

/** 123456 EUR → "€1,234.56" in the reader's locale. */
export function formatMoney(minor: number, currency: string): string {
  return formatter(currency).format(minor / 10 ** minorDigits(currency));
}

export type ParsedAmount = { ok: true; minor: number } | { ok: false; message: string };

/**
 * "12.5" EUR → 1250. Accepts a point or a comma as the decimal separator and no grouping, so
 * "1,234" is never silently read as 1234 or 1.234. Whole-number arithmetic on the digits: no floats.
 */
export function parseAmount(text: string, currency: string): ParsedAmount {
  const digits = minorDigits(currency);
  const value = text.trim();
  if (value === '') return { ok: false, message: 'Enter an amount.' };
  const pattern = digits === 0 ? /^(\d+)$/ : new RegExp(`^(\\d+)(?:[.,](\\d{1,${digits}}))?$`);
  const match = pattern.exec(value);
  if (!match) {
    const example = digits === 0 ? '1200' : `12${'.'}${'5'.padEnd(digits, '0')}`;
    return {
      ok: false,
      message: `Enter an amount such as ${example} (at most ${digits} decimal places, no thousands separator).`,
    };
  }
  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '').padEnd(digits, '0');
  const minor = Number(`${whole}${fraction}`);
  if (!Number.isSafeInteger(minor)) return { ok: false, message: 'That amount is too large.' };
  if (minor === 0) return { ok: false, message: 'Enter an amount greater than zero.' };
  return { ok: true, minor };
}
