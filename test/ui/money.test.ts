import { describe, expect, it } from 'vitest';
import { formatSumUsd, sumUsd } from '../../packages/ui/src/web/money.ts';

describe('sums shown on the pages', () => {
  it('adds the priced rows exactly, in nano-dollars (no float drift)', () => {
    const rows = Array.from({ length: 10 }, () => ({ cost_usd: '0.1' }));
    expect(sumUsd(rows, 'cost_usd')).toBe(1_000_000_000n);
    expect(formatSumUsd(sumUsd(rows, 'cost_usd'))).toBe('$1.00');
  });

  it('leaves unpriced rows out of a sum of priced ones', () => {
    const rows = [{ cost_usd: '0.000412' }, { cost_usd: null }, { cost_usd: '1234.5' }];
    expect(formatSumUsd(sumUsd(rows, 'cost_usd'))).toBe('$1,234.500412');
  });

  it('is unknown, not $0.00, when no row is priced or there are no rows', () => {
    expect(sumUsd([{ cost_usd: null }, { cost_usd: null }], 'cost_usd')).toBeUndefined();
    expect(formatSumUsd(sumUsd([{ cost_usd: null }], 'cost_usd'))).toBe('—');
    expect(formatSumUsd(sumUsd([], 'cost_usd'))).toBe('—');
  });

  it('keeps a priced zero as $0.00', () => {
    expect(formatSumUsd(sumUsd([{ cost_usd: '0' }, { cost_usd: null }], 'cost_usd'))).toBe('$0.00');
  });
});
