/**
 * Revenue, segments and gross AI margin on the engine, loaded through the CLI's own file
 * reader (`aicost revenue load`), with every figure derived here from the seed in integer
 * nano-USD: per customer, per segment, the falling-margin trend, per feature (subscription
 * revenue shared by requests), and the margin and cost-per-request targets they break.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStatement } from '../../packages/cli/src/economics/data-file.js';
import { readDataFile } from '../../packages/cli/src/economics/load.js';
import { REVENUE, TARGETS } from '../../packages/cli/src/economics/tables.js';
import { type EngineSession, insertSpans, loadPriceRows, openMigratedEngine } from '../support/chdb.js';
import {
  dayStart,
  divideHalfUp,
  ECONOMICS_ALIASES,
  ECONOMICS_PRICES,
  economicsSeed,
  isoDay,
  nanos,
  type SeedCall,
  seedSpans,
  sqlTime,
} from './economics-fixtures.js';
import { callSpan } from './fixtures.js';

const seed = economicsSeed();
const P1 = { start: isoDay(dayStart(20)), end: isoDay(dayStart(11)) };
const P2 = { start: isoDay(dayStart(10)), end: isoDay(dayStart(0)) };

const REVENUE_CSV = [
  'customer,segment,plan,feature,period_start,period_end,amount,currency',
  `acme,smb,starter,,${P1.start},${P1.end},5.00,USD`,
  `acme,smb,starter,,${P2.start},${P2.end},5.00,USD`,
  `globex,enterprise,scale,,${P1.start},${P1.end},20.000000001,USD`,
  `globex,enterprise,scale,,${P2.start},${P2.end},20.000000001,USD`,
  `globex,enterprise,scale,search,${P2.start},${P2.end},3.5,USD`,
  // No segment: taken from the aicost.segment attribution on the customer's spans.
  `initech,,starter,,${P1.start},${P1.end},1.25,USD`,
  `initech,,starter,,${P2.start},${P2.end},0.40,usd`,
  // Not USD: no margin (aicost converts no currency).
  `umbrella,enterprise,scale,,${P2.start},${P2.end},17,EUR`,
].join('\n');

const TARGETS_CSV = [
  'feature,min_margin,max_cost_per_request,valid_from',
  'support,70%,0.005,2020-01-01',
  'search,0.5,,2020-01-01',
].join('\n');

let engine: EngineSession;

beforeAll(async () => {
  engine = await openMigratedEngine();
  await loadPriceRows(engine, ECONOMICS_PRICES, ECONOMICS_ALIASES);
  await insertSpans(engine, seedSpans(seed));
  engine.exec(insertStatement(REVENUE.table, readDataFile(REVENUE, 'revenue.csv', REVENUE_CSV)));
  engine.exec(insertStatement(TARGETS.table, readDataFile(TARGETS, 'targets.csv', TARGETS_CSV)));
}, 120_000);
afterAll(() => engine?.close());

/** Half away from zero, as the engine rounds Decimals: ratio to 9 decimals in nano units. */
function ratioNanos(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const value = divideHalfUp(n * 1_000_000_000n, d);
  return negative ? -value : value;
}

const inPeriod = (call: SeedCall, p: { start: string; end: string }) =>
  isoDay(call.start) >= p.start && isoDay(call.start) <= p.end;

function costOf(calls: SeedCall[]) {
  const priced = calls.filter((c) => c.costNanos !== null);
  return {
    requests: calls.length,
    cost:
      calls.length > 0 && priced.length === 0
        ? null
        : priced.reduce((s, c) => s + (c.costNanos as bigint), 0n),
  };
}

interface RevenueRow {
  customer: string;
  segment: string;
  feature: string;
  period: { start: string; end: string };
  amount: bigint;
  currency: string;
}
const revenueRows: RevenueRow[] = REVENUE_CSV.split('\n')
  .slice(1)
  .filter((line) => !line.startsWith('//'))
  .map((line) => {
    const [customer, segment, , feature, start, end, amount, currency] = line.split(',') as string[];
    return {
      customer: customer!,
      segment: segment!,
      feature: feature!,
      period: { start: start!, end: end! },
      amount: nanos(amount!) as bigint,
      currency: currency!.toUpperCase(),
    };
  });
const SEGMENT_FROM_ATTRIBUTION: Record<string, string> = Object.fromEntries(
  seed.outcomes.map((o) => [o.customer, o.segment]),
);

function customerMargins() {
  const keys = [
    ...new Set(
      revenueRows.map((r) => JSON.stringify([r.customer, r.period.start, r.period.end, r.currency])),
    ),
  ];
  return keys.map((key) => {
    const [customer, start, end, currency] = JSON.parse(key) as string[];
    const period = { start: start!, end: end! };
    const rows = revenueRows.filter((r) => r.customer === customer && r.period.start === start);
    const revenue = rows.reduce((s, r) => s + r.amount, 0n);
    const { requests, cost } = costOf(
      seed.calls.filter((c) => c.customer === customer && inPeriod(c, period)),
    );
    const margin = currency !== 'USD' || cost === null ? null : revenue - cost;
    const segment = rows.find((r) => r.segment !== '')?.segment ?? SEGMENT_FROM_ATTRIBUTION[customer!] ?? '';
    return {
      customer: customer!,
      segment,
      period_start: start!,
      currency: currency!,
      revenue,
      requests,
      cost,
      margin,
      ratio: margin === null || revenue === 0n ? null : ratioNanos(margin, revenue),
    };
  });
}

describe('margin', () => {
  it('aicost_customer_margin: revenue, AI cost over the billed days, margin and ratio per customer and period', () => {
    const rows = engine.query<Record<string, string | null>>(
      `SELECT customer, segment, toString(period_start) AS period_start, currency, revenue, toString(requests) AS requests,
              ai_cost_usd, margin_usd, margin_ratio
       FROM otel.aicost_customer_margin ORDER BY customer, period_start`,
    );
    const expected = customerMargins().sort((a, b) =>
      `${a.customer}|${a.period_start}`.localeCompare(`${b.customer}|${b.period_start}`),
    );
    expect(
      rows.map((r) => ({
        customer: r.customer,
        segment: r.segment,
        period_start: r.period_start,
        currency: r.currency,
        revenue: nanos(r.revenue),
        requests: Number(r.requests ?? 0),
        cost: nanos(r.ai_cost_usd),
        margin: nanos(r.margin_usd),
        ratio: nanos(r.margin_ratio),
      })),
    ).toEqual(expected);
    expect(expected.find((r) => r.customer === 'initech')?.segment).toBe('smb');
  });

  it('aicost_segment_margin and its trend: sums of the customers, falling margins flagged', () => {
    const margins = customerMargins();
    const keys = [
      ...new Set(margins.map((m) => JSON.stringify([m.segment, m.period_start, m.currency]))),
    ].sort();
    const expected = keys.map((key) => {
      const [segment, start, currency] = JSON.parse(key) as string[];
      const ms = margins.filter(
        (m) => m.segment === segment && m.period_start === start && m.currency === currency,
      );
      const known = ms.filter((m) => m.cost !== null);
      const revenue = known.reduce((s, m) => s + m.revenue, 0n);
      const cost = known.reduce((s, m) => s + (m.cost as bigint), 0n);
      const margin = currency === 'USD' ? revenue - cost : null;
      return {
        segment: segment!,
        period_start: start!,
        currency: currency!,
        customers: ms.length,
        revenue,
        cost,
        margin,
        ratio: margin === null || revenue === 0n ? null : ratioNanos(margin, revenue),
      };
    });
    const rows = engine.query<Record<string, string | null>>(
      `SELECT segment, toString(period_start) AS period_start, currency, toString(customers) AS customers, revenue,
              ai_cost_usd, margin_usd, margin_ratio, previous_margin_ratio, margin_ratio_change, margin_falling
       FROM otel.aicost_segment_margin_trend ORDER BY segment, period_start, currency`,
    );
    expect(
      rows.map((r) => ({
        segment: r.segment,
        period_start: r.period_start,
        currency: r.currency,
        customers: Number(r.customers),
        revenue: nanos(r.revenue),
        cost: nanos(r.ai_cost_usd),
        margin: nanos(r.margin_usd),
        ratio: nanos(r.margin_ratio),
      })),
    ).toEqual(expected);
    for (const segment of ['smb', 'enterprise']) {
      const [first, second] = expected.filter((e) => e.segment === segment && e.currency === 'USD');
      const row = rows.find(
        (r) => r.segment === segment && r.period_start === second!.period_start && r.currency === 'USD',
      );
      const change = second!.ratio! - first!.ratio!;
      expect({ change: nanos(row?.margin_ratio_change), falling: row?.margin_falling }).toEqual({
        change,
        falling: change < 0n,
      });
    }
  });

  it('aicost_feature_margin: add-on revenue to its feature, subscriptions shared by requests, exactly', () => {
    const shares = new Map<string, { revenue: bigint; customers: Set<string> }>();
    const add = (feature: string, start: string, customer: string, amount: bigint) => {
      const key = `${feature}|${start}`;
      const entry = shares.get(key) ?? { revenue: 0n, customers: new Set<string>() };
      entry.revenue += amount;
      entry.customers.add(customer);
      shares.set(key, entry);
    };
    const usd = revenueRows.filter((r) => r.currency === 'USD');
    for (const r of usd.filter((r) => r.feature !== '')) add(r.feature, r.period.start, r.customer, r.amount);
    const subscriptions = new Map<string, bigint>();
    for (const r of usd.filter((r) => r.feature === '')) {
      const key = `${r.customer}|${r.period.start}|${r.period.end}`;
      subscriptions.set(key, (subscriptions.get(key) ?? 0n) + r.amount);
    }
    for (const [key, amount] of subscriptions) {
      const [customer, start, end] = key.split('|') as [string, string, string];
      const calls = seed.calls.filter((c) => c.customer === customer && inPeriod(c, { start, end }));
      const perFeature = new Map<string, bigint>();
      for (const c of calls) perFeature.set(c.feature, (perFeature.get(c.feature) ?? 0n) + 1n);
      const total = BigInt(calls.length);
      if (total === 0n) {
        add('', start, customer, amount);
        continue;
      }
      const ordered = [...perFeature].sort((a, b) =>
        a[1] === b[1] ? a[0].localeCompare(b[0]) : a[1] > b[1] ? -1 : 1,
      );
      const parts = ordered.map(([feature, n]) => [feature, (amount * n) / total] as const);
      const remainder = amount - parts.reduce((s, [, v]) => s + v, 0n);
      for (const [i, [feature, v]] of parts.entries())
        add(feature, start, customer, v + (i === 0 ? remainder : 0n));
    }
    const rows = engine.query<Record<string, string | null>>(
      `SELECT feature, toString(period_start) AS period_start, toString(customers) AS customers, revenue, ai_cost_usd, margin_ratio
       FROM otel.aicost_feature_margin WHERE currency = 'USD' ORDER BY feature, period_start`,
    );
    const expected = [...shares.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, entry]) => {
        const [feature, start] = key.split('|') as [string, string];
        const end = start === P1.start ? P1.end : P2.end;
        const { cost } = costOf(
          seed.calls.filter(
            (c) => c.feature === feature && entry.customers.has(c.customer) && inPeriod(c, { start, end }),
          ),
        );
        return {
          feature,
          period_start: start,
          customers: entry.customers.size,
          revenue: entry.revenue,
          cost,
          ratio: cost === null ? null : ratioNanos(entry.revenue - cost, entry.revenue),
        };
      });
    expect(
      rows.map((r) => ({
        feature: r.feature,
        period_start: r.period_start,
        customers: Number(r.customers),
        revenue: nanos(r.revenue),
        cost: nanos(r.ai_cost_usd),
        ratio: nanos(r.margin_ratio),
      })),
    ).toEqual(expected);
    // The shares of each subscription add up to it exactly.
    const total = rows.reduce((s, r) => s + (nanos(r.revenue) as bigint), 0n);
    expect(total).toBe(usd.reduce((s, r) => s + r.amount, 0n));
  });
});

describe('targets', () => {
  it('aicost_margin_target_breaches: features below their minimum margin', () => {
    const rows = engine.query<{
      feature: string;
      period_start: string;
      margin_ratio: string;
      min_margin: string;
      breached: boolean;
    }>(
      `SELECT feature, toString(period_start) AS period_start, margin_ratio, min_margin, breached
       FROM otel.aicost_margin_target_breaches ORDER BY feature, period_start`,
    );
    const margins = engine.query<{ feature: string; period_start: string; margin_ratio: string }>(
      `SELECT feature, toString(period_start) AS period_start, margin_ratio FROM otel.aicost_feature_margin
       WHERE feature IN ('support', 'search') AND margin_ratio IS NOT NULL ORDER BY feature, period_start`,
    );
    const target: Record<string, bigint> = { support: 700_000_000n, search: 500_000_000n };
    expect(rows.map((r) => ({ ...r, min_margin: nanos(r.min_margin) }))).toEqual(
      margins.map((m) => ({
        ...m,
        min_margin: target[m.feature],
        breached: (nanos(m.margin_ratio) as bigint) < target[m.feature]!,
      })),
    );
  });

  it('aicost_cost_target_breaches and aicost_release_target_breaches: the day and the release that exceeded 0.005 per request', () => {
    const max = 5_000_000n;
    const days = [
      ...new Set(seed.calls.filter((c) => c.feature === 'support').map((c) => isoDay(c.start))),
    ].sort();
    const expected = days.flatMap((day) => {
      const calls = seed.calls.filter(
        (c) => c.feature === 'support' && isoDay(c.start) === day && c.costNanos !== null,
      );
      if (calls.length === 0) return [];
      const perRequest = divideHalfUp(
        calls.reduce((s, c) => s + (c.costNanos as bigint), 0n),
        BigInt(calls.length),
      );
      return [{ day, perRequest, breached: perRequest > max }];
    });
    const rows = engine.query<{ day: string; cost_per_request_usd: string; breached: boolean }>(
      `SELECT toString(day) AS day, cost_per_request_usd, breached FROM otel.aicost_cost_target_breaches
       WHERE feature = 'support' ORDER BY day`,
    );
    expect(
      rows.map((r) => ({ day: r.day, perRequest: nanos(r.cost_per_request_usd), breached: r.breached })),
    ).toEqual(expected);

    const releases = engine.query<{
      release: string;
      cost_per_request_usd: string;
      breached: boolean;
      newly_breached: boolean;
    }>(
      `SELECT release, cost_per_request_usd, breached, newly_breached FROM otel.aicost_release_target_breaches
       WHERE feature = 'support' ORDER BY first_seen`,
    );
    const perRelease = ['1.0.0', '2.0.0'].map((release) => {
      const calls = seed.calls.filter(
        (c) => c.feature === 'support' && c.release === release && c.costNanos !== null,
      );
      return divideHalfUp(
        calls.reduce((s, c) => s + (c.costNanos as bigint), 0n),
        BigInt(calls.length),
      );
    });
    expect(releases.map((r) => ({ ...r, cost_per_request_usd: nanos(r.cost_per_request_usd) }))).toEqual([
      {
        release: '1.0.0',
        cost_per_request_usd: perRelease[0],
        breached: perRelease[0]! > max,
        newly_breached: perRelease[0]! > max,
      },
      {
        release: '2.0.0',
        cost_per_request_usd: perRelease[1],
        breached: perRelease[1]! > max,
        newly_breached: perRelease[1]! > max && !(perRelease[0]! > max),
      },
    ]);
    // The seed moves `support` from gpt-4o-mini to gpt-4o in 2.0.0: that release breaks the target.
    expect(releases[1]?.newly_breached).toBe(true);
  });
});

describe('segments from the attribution of model calls', () => {
  // Runs last: one call of a customer with no revenue row, in a feature with no target.
  it('the request table keeps aicost.segment, and a customer without revenue takes its segment from it', async () => {
    await insertSpans(engine, [
      callSpan({
        start: sqlTime(dayStart(1) + 3_600_000),
        traceId: 'a'.repeat(32),
        spanId: 'b'.repeat(16),
        service: 'support-api',
        provider: 'openai',
        requestModel: 'gpt-4o-mini',
        responseModel: 'gpt-4o-mini',
        usage: { input: 10, output: 10 },
        attributes: {
          'aicost.customer': 'hooli',
          'aicost.feature': 'onboarding',
          'aicost.segment': 'startup',
        },
      }),
    ]);
    expect(
      engine.query(`SELECT customer, segment FROM otel.aicost_requests WHERE span_id = '${'b'.repeat(16)}'`),
    ).toEqual([{ customer: 'hooli', segment: 'startup' }]);
    expect(
      engine.query(
        "SELECT customer, segment, segment_source FROM otel.aicost_customer_segments WHERE customer = 'hooli'",
      ),
    ).toEqual([{ customer: 'hooli', segment: 'startup', segment_source: 'attribution' }]);
  });
});
