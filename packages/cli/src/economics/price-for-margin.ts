/**
 * `aicost report --feature X --price-for-margin 70%`: what to charge per request and per
 * customer-month so that the gross AI margin reaches the target at each percentile of cost.
 * price = cost / (1 - margin), computed on integer nano-USD and rounded UP to the nano-dollar
 * (a price rounded down would miss the target by a fraction of a nano).
 */
import { parseDecimal } from '@aicost/core';
import { ratio } from './data-file.js';

/** `70%` or `0.7` as units / 10^scale; throws a readable message otherwise. */
export function parseMargin(text: string): { units: bigint; scale: number } {
  const decimal = parseDecimal(ratio(text) as string);
  if (decimal === undefined) throw new Error(`not a margin: ${text}`);
  return decimal;
}

/** ceil(cost / (1 - margin)) in nano-USD. */
export function priceForMargin(costNanos: bigint, margin: { units: bigint; scale: number }): bigint {
  const whole = 10n ** BigInt(margin.scale);
  const numerator = costNanos * whole;
  const denominator = whole - margin.units;
  return (numerator + denominator - 1n) / denominator;
}
