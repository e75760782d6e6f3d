/**
 * The change between consecutive releases (`aicost report --by release`): exact USD, percent
 * half away from zero to 2 decimals, none without a known, non-zero previous figure, and never
 * across services or environments. The figures on seeded data: test/cli/report-release.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { formatPercent, type ReleaseTotals, releaseRows } from '../src/report/releases.js';

const totals = (over: Partial<ReleaseTotals>): ReleaseTotals => ({
  environment: 'prod',
  service: 'api',
  release: '1',
  deployment: '',
  firstSeen: '',
  requests: 3,
  pricedRequests: 3,
  costNanos: 3_000n,
  outcomes: 2,
  outcomeRequests: 3,
  outcomePricedRequests: 3,
  outcomeCostNanos: 3_000n,
  ...over,
});

describe('releaseRows', () => {
  it('cost per request and per outcome half up, the change exact and in hundredths of a percent', () => {
    const [first, second] = releaseRows([
      totals({ release: '1', costNanos: 3_000n, outcomeCostNanos: 3_001n }),
      // 2001 / 3 = 667 (666.33); 3001 / 2 = 1500.5 -> 1501 (half up).
      totals({ release: '2', costNanos: 2_001n, outcomeCostNanos: 2_001n, outcomes: 3 }),
    ]);
    expect(first!.previousRelease).toBe('');
    expect(first!.costPerRequest).toEqual({
      value: 1_000n,
      previous: undefined,
      changeNanos: undefined,
      changeBasisPoints: undefined,
    });
    expect(first!.costPerOutcome.value).toBe(1_501n);
    expect(second!.previousRelease).toBe('1');
    // 667 - 1000 = -333: -33.30%.
    expect(second!.costPerRequest).toEqual({
      value: 667n,
      previous: 1_000n,
      changeNanos: -333n,
      changeBasisPoints: -3_330n,
    });
    // 2001 / 3 = 667; 667 - 1501 = -834; -834 / 1501 = -55.5629...% -> -55.56%.
    expect(second!.costPerOutcome).toMatchObject({
      value: 667n,
      changeNanos: -834n,
      changeBasisPoints: -5_556n,
    });
  });

  it('a half hundredth rounds away from zero, both ways', () => {
    // 96 / 3 = 32 nanos a request; to 33: +1 / 32 = +3.125% -> 3.13; to 31: -3.125% -> -3.13.
    const up = releaseRows([
      totals({ release: 'a', costNanos: 96n }),
      totals({ release: 'b', costNanos: 99n }),
    ]);
    const down = releaseRows([
      totals({ release: 'a', costNanos: 96n }),
      totals({ release: 'b', costNanos: 93n }),
    ]);
    expect([up[1]!.costPerRequest.changeBasisPoints, down[1]!.costPerRequest.changeBasisPoints]).toEqual([
      313n,
      -313n,
    ]);
    expect(formatPercent(313n)).toBe('3.13');
    expect(formatPercent(-313n)).toBe('-3.13');
    expect(formatPercent(-5n)).toBe('-0.05');
    expect(formatPercent(0n)).toBe('0.00');
  });

  it('no change without a known, non-zero previous figure, and none across services', () => {
    const rows = releaseRows([
      totals({ release: '1', pricedRequests: 0, costNanos: 0n, outcomePricedRequests: 0 }),
      totals({ release: '2' }),
      totals({ release: '3', costNanos: 0n, outcomeCostNanos: 0n }),
      totals({ release: '4' }),
      totals({ service: 'worker', release: '1' }),
    ]);
    expect(
      rows.map((r) => [r.release, r.previousRelease, r.costPerRequest.value, r.costPerRequest.changeNanos]),
    ).toEqual([
      ['1', '', undefined, undefined],
      ['2', '1', 1_000n, undefined],
      ['3', '2', 0n, -1_000n],
      ['4', '3', 1_000n, 1_000n],
      ['1', '', 1_000n, undefined],
    ]);
    // From 0 the change is exact but has no percent; to 0 it is -100%.
    expect(rows[3]!.costPerRequest.changeBasisPoints).toBeUndefined();
    expect(rows[2]!.costPerRequest.changeBasisPoints).toBe(-10_000n);
    // No outcome priced: cost per outcome unknown.
    expect(rows[0]!.costPerOutcome.value).toBeUndefined();
  });
});
