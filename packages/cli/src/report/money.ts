/**
 * Money for the report, on @aicost/core's helpers (one set of rules): the
 * engine's Decimal text read into integer nano-USD (bigint), and amounts
 * printed for people, never through a float.
 */
import { divideRoundHalfUp, formatNanos, MONEY_SCALE, nanosFromDecimalText } from '@aicost/core';

/**
 * The engine's Decimal text (`"12.3456789"`, `"-0.5"`, a `Decimal(38, 18)`
 * with trailing zeros) in nano-USD. Throws rather than round an amount finer
 * than a nano-dollar: a report must not lose money silently.
 */
export function parseCostText(text: string): bigint {
  const nanos = nanosFromDecimalText(text);
  if (nanos === undefined) throw new Error(`not an exact nano-USD amount: ${JSON.stringify(text)}`);
  return nanos;
}

/** Nano-USD with `decimals` fractional digits (0-9), rounded half away from zero (core's rule). */
export function formatRounded(nanos: bigint, decimals: number): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MONEY_SCALE) {
    throw new RangeError(`decimals must be 0-${MONEY_SCALE}`);
  }
  const dropped = MONEY_SCALE - decimals;
  const unit = 10n ** BigInt(dropped);
  const text = formatNanos(divideRoundHalfUp(nanos, unit) * unit);
  if (dropped === 0) return text;
  return text.slice(0, text.length - dropped - (decimals === 0 ? 1 : 0));
}

/** For people: `$1,234.567890` (6 decimals: a millionth of a dollar is the smallest cost that shows). */
export function formatUsd(nanos: bigint, decimals = 6): string {
  const text = formatRounded(nanos, decimals);
  const sign = nanos < 0n ? '-' : '';
  const digits = text.replace(/^-/, '');
  if (nanos !== 0n && /^[0.]+$/.test(digits)) {
    // Too small to show at this precision, but not zero.
    return `${nanos < 0n ? '>-' : '<'}$0.${'0'.repeat(Math.max(0, decimals - 1))}1`;
  }
  const [whole, fraction] = digits.split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}$${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}
