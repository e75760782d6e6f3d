import { describe, expect, it } from 'vitest';
import {
  addBreakdowns,
  costNanos,
  discountDecimal,
  divideRoundHalfUp,
  formatDecimal,
  formatNanos,
  makeBreakdown,
  multiplyBreakdown,
  nanosOfRatio,
  nanosToNumber,
  parseDecimal,
  parseNanos,
  sumNanos,
} from '../src/money/index.js';

const decimal = (text: string) => {
  const parsed = parseDecimal(text);
  if (!parsed) throw new Error(`bad decimal ${text}`);
  return parsed;
};

describe('money: formatting', () => {
  it('writes exactly nine fractional digits', () => {
    expect(formatNanos(412_500n)).toBe('0.000412500');
    expect(formatNanos(0n)).toBe('0.000000000');
    expect(formatNanos(1n)).toBe('0.000000001');
    expect(formatNanos(1_234_567_890_123n)).toBe('1234.567890123');
    expect(formatNanos(-1n)).toBe('-0.000000001');
  });

  it('round-trips every formatted amount', () => {
    for (const amount of [
      0n,
      1n,
      999_999_999n,
      1_000_000_000n,
      8_462_500_000_000n,
      123_456_789_012_345_678n,
      -42n,
    ]) {
      expect(parseNanos(formatNanos(amount))).toBe(amount);
    }
  });

  it('parses shorter decimals and refuses what it would have to round', () => {
    expect(parseNanos('0.5')).toBe(500_000_000n);
    expect(parseNanos('12')).toBe(12_000_000_000n);
    expect(parseNanos('0.0000000001')).toBeUndefined();
    expect(parseNanos('abc')).toBeUndefined();
    expect(parseNanos('1e-9')).toBeUndefined();
  });

  it('converts to a float only for metrics', () => {
    expect(nanosToNumber(8_462_500_000_000n)).toBe(8462.5);
  });
});

describe('money: decimals', () => {
  it('reads catalogue numbers through their shortest decimal string', () => {
    expect(parseDecimal(0.075)).toEqual({ units: 75n, scale: 3 });
    expect(parseDecimal(1.25)).toEqual({ units: 125n, scale: 2 });
    expect(parseDecimal(1e-7)).toEqual({ units: 1n, scale: 7 });
    expect(parseDecimal('2.50')).toEqual({ units: 25n, scale: 1 });
    expect(parseDecimal(10)).toEqual({ units: 10n, scale: 0 });
    expect(parseDecimal('.5')).toEqual({ units: 5n, scale: 1 });
    expect(parseDecimal(Number.NaN)).toBeUndefined();
    expect(parseDecimal(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(parseDecimal('1.2.3')).toBeUndefined();
  });

  it('formats without exponent or trailing zeros', () => {
    expect(formatDecimal(decimal('0.0750'))).toBe('0.075');
    expect(formatDecimal(decimal('1e-7'))).toBe('0.0000001');
    expect(formatDecimal(decimal('3e2'))).toBe('300');
  });

  it('applies a percentage discount exactly', () => {
    // $3.00 with 15 % off is $2.55; $0.075 with 12.5 % off is $0.065625.
    expect(formatDecimal(discountDecimal(decimal('3'), decimal('15')))).toBe('2.55');
    expect(formatDecimal(discountDecimal(decimal('0.075'), decimal('12.5')))).toBe('0.065625');
  });
});

describe('money: the rounding rule (half up to the nano)', () => {
  it('rounds halves up and the rest to nearest', () => {
    expect(divideRoundHalfUp(15n, 10n)).toBe(2n);
    expect(divideRoundHalfUp(25n, 10n)).toBe(3n);
    expect(divideRoundHalfUp(249n, 100n)).toBe(2n);
    expect(divideRoundHalfUp(-15n, 10n)).toBe(-2n);
  });

  it('multiplies tokens by a $/1M price with no float error', () => {
    // 1,234 tokens at $0.075 per 1M tokens = $0.00009255 = 92,550 nano-USD.
    expect(costNanos(1234, decimal('0.075'))).toBe(92_550n);
    // 5 tokens at $0.0015 per 1M = 7.5 nano-USD, rounded half up to 8.
    // The float product 5 * 0.0015 / 1e6 * 1e9 is 7.499999999999999 and would round to 7.
    expect(((5 * 0.0015) / 1e6) * 1e9).toBeLessThan(7.5);
    expect(costNanos(5, decimal('0.0015'))).toBe(8n);
    // 1 token at $0.0004 per 1M = 0.4 nano-USD, rounded to 0.
    expect(costNanos(1, decimal('0.0004'))).toBe(0n);
    // 3 requests at $5 per 1K requests = $0.015.
    expect(costNanos(3, decimal('5'), 1000)).toBe(15_000_000n);
  });

  it('rounds a whole ratio once', () => {
    // 3.6 GPU-seconds of a $2.50/hour GPU = $0.0025.
    expect(nanosOfRatio([decimal('2.5'), decimal('3.6')], [decimal('3600')])).toBe(2_500_000n);
  });
});

describe('money: sums', () => {
  it('sums amounts and breakdowns exactly', () => {
    expect(sumNanos([1n, 2n, 3n])).toBe(6n);
    const a = makeBreakdown({ input: 100n, output: 5n });
    const b = makeBreakdown({ cacheRead: 7n, other: 1n });
    expect(addBreakdowns(a, b)).toEqual({
      input: 100n,
      cacheRead: 7n,
      cacheWrite: 0n,
      output: 5n,
      other: 1n,
      total: 113n,
    });
    expect(multiplyBreakdown(a, 1_000_000).total).toBe(105_000_000n);
  });
});
