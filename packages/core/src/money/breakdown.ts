import type { CostBreakdown, Nanos } from '../types.js';

export type CostComponent = Exclude<keyof CostBreakdown, 'total'>;

export const COST_COMPONENTS: readonly CostComponent[] = [
  'input',
  'cacheRead',
  'cacheWrite',
  'output',
  'other',
];

/** A breakdown whose `total` is, by construction, exactly the sum of its components. */
export function makeBreakdown(parts: Partial<Record<CostComponent, Nanos>> = {}): CostBreakdown {
  const input = parts.input ?? 0n;
  const cacheRead = parts.cacheRead ?? 0n;
  const cacheWrite = parts.cacheWrite ?? 0n;
  const output = parts.output ?? 0n;
  const other = parts.other ?? 0n;
  return {
    input,
    cacheRead,
    cacheWrite,
    output,
    other,
    total: input + cacheRead + cacheWrite + output + other,
  };
}

/** Component-wise sum of any number of breakdowns. */
export function addBreakdowns(...breakdowns: CostBreakdown[]): CostBreakdown {
  const parts: Record<CostComponent, Nanos> = {
    input: 0n,
    cacheRead: 0n,
    cacheWrite: 0n,
    output: 0n,
    other: 0n,
  };
  for (const breakdown of breakdowns) {
    for (const component of COST_COMPONENTS) parts[component] += breakdown[component];
  }
  return makeBreakdown(parts);
}

/** `count` identical requests: every component multiplied, still exact. */
export function multiplyBreakdown(breakdown: CostBreakdown, count: number | bigint): CostBreakdown {
  const factor = BigInt(count);
  return makeBreakdown({
    input: breakdown.input * factor,
    cacheRead: breakdown.cacheRead * factor,
    cacheWrite: breakdown.cacheWrite * factor,
    output: breakdown.output * factor,
    other: breakdown.other * factor,
  });
}
