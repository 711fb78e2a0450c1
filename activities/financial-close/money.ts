/**
 * Money as integer cents: amounts are parsed from and printed as decimal strings, never through floats,
 * so a ledger total is exact however many lines it sums.
 */
import { PermanentError } from '../kit/errors';

const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

/** Parses a signed decimal in major units ("-1250.00", "12.5", "7") into integer cents. */
export function toCents(amount: string): number {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new PermanentError(`"${amount}" is not an amount in major units with at most 2 decimals`);
  const [, sign, units, fraction = ''] = match;
  const cents = Number(units) * 100 + Number(fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) throw new PermanentError(`amount ${amount} is too large`);
  return sign && cents !== 0 ? -cents : cents;
}

/** Prints integer cents as a plain signed decimal with 2 decimals ("-1250.00"), the form step outputs use. */
export function formatCents(cents: number): string {
  const abs = Math.abs(cents);
  const text = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return cents < 0 ? `-${text}` : text;
}

/** Converts cents at a rate, rounding half away from zero to the cent. */
export function convertCents(cents: number, rate: number): number {
  const converted = Math.round(Math.abs(cents) * rate);
  return cents < 0 ? -converted : converted;
}
