import type { Nanos } from '../types.js';
import { type Decimal, parseDecimal, pow10 } from './decimal.js';

/** 1 USD in nano-USD. */
export const NANOS_PER_UNIT = 1_000_000_000n;
/** Fractional digits of every formatted amount. */
export const MONEY_SCALE = 9;

const NANOS_PATTERN = /^([+-])?(\d+)(?:\.(\d{1,9}))?$/;

/**
 * The one rounding rule of aicost: divide and round half up to the nearest
 * integer (`2.5 -> 3`, `2.4999 -> 2`). Amounts are never negative in pricing;
 * for a negative numerator the rule is mirrored (half away from zero) so that
 * `round(-x) = -round(x)`.
 */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  if (numerator < 0n) return -divideRoundHalfUp(-numerator, denominator);
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/**
 * Nano-USD of `product(factors) / product(divisors)` dollars, rounded half up
 * to the nano: one exact rational, one rounding.
 * `nanosOfRatio([tokens, pricePerMillion], [1_000_000])` is a token cost line.
 */
export function nanosOfRatio(factors: readonly Decimal[], divisors: readonly Decimal[] = []): Nanos {
  let numerator = NANOS_PER_UNIT;
  let denominator = 1n;
  for (const factor of factors) {
    numerator *= factor.units;
    denominator *= pow10(factor.scale);
  }
  for (const divisor of divisors) {
    if (divisor.units <= 0n) throw new RangeError('divisor must be positive');
    numerator *= pow10(divisor.scale);
    denominator *= divisor.units;
  }
  return divideRoundHalfUp(numerator, denominator);
}

/**
 * Cost of `quantity` units at `price` per `per` units (per = 1,000,000 for a
 * `$ / 1M tokens` price, 1,000 for a `$ / 1K requests` price), in nano-USD,
 * rounded half up to the nano:
 *
 *   nanos = round_half_up(quantity * price * 10^9 / per)
 */
export function costNanos(
  quantity: number | bigint,
  price: Decimal,
  per: number | bigint = 1_000_000,
): Nanos {
  const count = typeof quantity === 'bigint' ? quantity : BigInt(quantity);
  const perUnits = typeof per === 'bigint' ? per : BigInt(per);
  if (perUnits <= 0n) throw new RangeError('divisor must be positive');
  // nanosOfRatio([count, price], [per]) written out: this runs for every priced line of every call.
  return divideRoundHalfUp(NANOS_PER_UNIT * count * price.units, pow10(price.scale) * perUnits);
}

const ZERO_TEXT = '0.000000000';

/** `"0.000412500"`: sign, integer part, exactly 9 fractional digits. */
export function formatNanos(amount: Nanos): string {
  // Most cost components of a call are zero (no cache, no audio): one shared string.
  if (amount === 0n) return ZERO_TEXT;
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(MONEY_SCALE + 1, '0');
  const integerPart = digits.slice(0, digits.length - MONEY_SCALE);
  const fractionPart = digits.slice(digits.length - MONEY_SCALE);
  return `${negative ? '-' : ''}${integerPart}.${fractionPart}`;
}

/**
 * Reads an amount written by {@link formatNanos} (or any decimal with at most
 * 9 fractional digits). Returns `undefined` for anything else: more than 9
 * fractional digits would need rounding, and a parser must not round silently.
 */
export function parseNanos(text: string): Nanos | undefined {
  const match = NANOS_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, sign, integerDigits = '0', fractionDigits = ''] = match;
  const nanos = BigInt(integerDigits) * NANOS_PER_UNIT + BigInt(fractionDigits.padEnd(MONEY_SCALE, '0'));
  return sign === '-' ? -nanos : nanos;
}

/**
 * Reads a decimal as a database prints it, exactly: any number of fractional
 * digits as long as those past the 9th are zeros (ClickHouse prints a
 * `Decimal(38, 18)` with 18 digits under `output_format_decimal_trailing_zeros`).
 * Returns `undefined` when a digit past the 9th is not zero (the amount is
 * finer than a nano-dollar and would need rounding) or for a non-number.
 */
export function nanosFromDecimalText(text: string): Nanos | undefined {
  const value = parseDecimal(text);
  if (value === undefined || value.scale > MONEY_SCALE) return undefined;
  return value.units * pow10(MONEY_SCALE - value.scale);
}

export function sumNanos(amounts: Iterable<Nanos>): Nanos {
  let total = 0n;
  for (const amount of amounts) total += amount;
  return total;
}

/**
 * Dollars as a JavaScript number, for metric instruments only (OTel counters
 * take numbers). Lossy by nature: never feed the result back into money.
 */
export function nanosToNumber(amount: Nanos): number {
  const whole = amount / NANOS_PER_UNIT;
  const fraction = amount % NANOS_PER_UNIT;
  return Number(whole) + Number(fraction) / 1e9;
}
