/**
 * nanosFromDecimalText: decimals as a database prints them (any scale) read
 * into nano-USD exactly, refused when that would need rounding.
 */
import { describe, expect, it } from 'vitest';
import { formatNanos, nanosFromDecimalText, parseNanos } from '../src/money/index.js';

describe('nanosFromDecimalText', () => {
  it('reads up to 9 fractional digits like parseNanos', () => {
    for (const text of ['0', '0.000000001', '12.3456789', '-0.5', '1234.567890123', '0.000412500']) {
      expect(nanosFromDecimalText(text)).toBe(parseNanos(text));
    }
  });

  it('reads more than 9 fractional digits when the extra ones are zeros', () => {
    // Decimal(38, 18) as ClickHouse prints it with output_format_decimal_trailing_zeros = 1.
    expect(nanosFromDecimalText('1.500000000000000000')).toBe(1_500_000_000n);
    expect(nanosFromDecimalText('0.000000001000000000')).toBe(1n);
    expect(nanosFromDecimalText('-0.000412500000000000')).toBe(-412_500n);
    expect(nanosFromDecimalText('3.000000000000000000')).toBe(3_000_000_000n);
    expect(parseNanos('1.500000000000000000')).toBeUndefined();
  });

  it('refuses an amount finer than a nano-dollar instead of rounding it', () => {
    expect(nanosFromDecimalText('0.0000000005')).toBeUndefined();
    expect(nanosFromDecimalText('1.000000000000000001')).toBeUndefined();
  });

  it('refuses what is not a decimal', () => {
    for (const text of ['', 'abc', '1.2.3', 'NaN', '0x10', '1,5'])
      expect(nanosFromDecimalText(text)).toBeUndefined();
  });

  it('round-trips every formatted amount', () => {
    for (const nanos of [0n, 1n, -1n, 999_999_999n, 10n ** 30n + 7n]) {
      expect(nanosFromDecimalText(formatNanos(nanos))).toBe(nanos);
      expect(nanosFromDecimalText(`${formatNanos(nanos)}000000000`)).toBe(nanos);
    }
  });
});
