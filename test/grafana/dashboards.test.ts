// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Grafana variable syntax (${var}, ${var:format}) in SQL strings
/**
 * Every panel and variable query of every dashboard in grafana/dashboards, expanded the way
 * Grafana and the ClickHouse plugin expand it (test/support/grafana.ts) and run on the engine
 * over seeded spans, for All, single, multi-value and `(none)` selections. The spend per
 * feature, per customer, per workflow and in total must equal, to the nano-dollar, what the
 * seed put in: expected sums are computed here from the seed rows with bigint, not with SQL.
 * Ranges of whole UTC days, with partial days at both edges and with daily time buckets check
 * that reading whole days from the daily rollup (grafana/generator/sql.ts rollupOver) keeps
 * every number the hourly rollup gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNanos, parseNanos } from '../../packages/core/src/money/index.js';
import { ALIASES, PRICES } from '../schema/fixtures.js';
import { type EngineSession, insertSpans, loadPriceRows, openMigratedEngine } from '../support/chdb.js';
import { expandQuery } from '../support/grafana.js';
import {
  CURRENT_FROM,
  CURRENT_TO,
  DIMENSIONS,
  type Dimension,
  dashboards,
  HOUR,
  panel,
  SEED_FROM,
  type SeedRow,
  type Selection,
  seed,
  shownValue,
  variables,
} from './fixtures.js';

const { rows, spans } = seed();

// ---------------------------------------------------------------------------
// Selections and the expected numbers
// ---------------------------------------------------------------------------

const SELECTIONS: Array<{ name: string; selection: Selection }> = [
  { name: 'All', selection: {} },
  { name: 'one feature', selection: { feature: ['search'] } },
  { name: 'two features', selection: { feature: ['search', 'chat'] } },
  { name: 'no feature (none)', selection: { feature: ['(none)'] } },
  { name: "a customer with a quote (o'reilly)", selection: { customer: ["o'reilly"] } },
  {
    name: 'prod, two customers, one provider',
    selection: { environment: ['prod'], customer: ['acme', 'globex'], provider: ['openai'] },
  },
];

const DAY = 24 * HOUR;
const hourStart = (date: Date) => Math.floor(date.getTime() / HOUR) * HOUR;
const dayStart = (date: Date) => Math.floor(date.getTime() / DAY) * DAY;

interface Range {
  name: string;
  from: Date;
  to: Date;
  /** Grafana's interval for time series panels. */
  intervalMs: number;
}

const RANGES: Range[] = [
  { name: 'three whole days, 6 h buckets', from: CURRENT_FROM, to: CURRENT_TO, intervalMs: 6 * HOUR },
  {
    name: 'six whole days, daily buckets',
    from: SEED_FROM,
    to: new Date(SEED_FROM.getTime() + 6 * DAY - 1000),
    intervalMs: DAY,
  },
  {
    name: 'partial days at both ends, daily buckets',
    from: new Date(SEED_FROM.getTime() + DAY + 5.5 * HOUR),
    to: new Date(SEED_FROM.getTime() + 4 * DAY + 17.25 * HOUR),
    intervalMs: DAY,
  },
  {
    name: 'partial days at both ends, 6 h buckets',
    from: new Date(SEED_FROM.getTime() + 2 * DAY + 13 * HOUR),
    to: new Date(SEED_FROM.getTime() + 5 * DAY + 2 * HOUR),
    intervalMs: 6 * HOUR,
  },
];

/** The plugin's previous period: from - (to - from), to the second. */
const previousFrom = (range: Range) =>
  new Date(range.from.getTime() - (range.to.getTime() - range.from.getTime()));

/** Every selection over the first range; over the others, the selections that filter differently. */
const SCENARIOS = RANGES.flatMap((range, index) =>
  SELECTIONS.filter(
    ({ name }) => index === 0 || ['All', 'two features', 'prod, two customers, one provider'].includes(name),
  ).map(({ name, selection }) => ({ name: `${name} over ${range.name}`, selection, range })),
);

function matches(row: SeedRow, selection: Selection): boolean {
  return DIMENSIONS.every(
    (name) => selection[name] === undefined || selection[name]!.includes(shownValue(row[name])),
  );
}

/** Rows the rollup panels count: hour bucket starting inside [from, to]. */
function inRollupRange(row: SeedRow, from: Date, to: Date): boolean {
  const hour = hourStart(row.start);
  return hour >= from.getTime() && hour <= to.getTime();
}

interface Totals {
  spend: bigint | null;
  requests: number;
  priced: number;
}

function totals(selected: SeedRow[]): Totals {
  const priced = selected.filter((row) => row.nanos !== null);
  return {
    spend: priced.length === 0 ? null : priced.reduce((sum, row) => sum + row.nanos!, 0n),
    requests: selected.length,
    priced: priced.length,
  };
}

function totalsBy(selected: SeedRow[], key: (row: SeedRow) => string): Map<string, Totals> {
  const groups = new Map<string, SeedRow[]>();
  for (const row of selected) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return new Map([...groups].map(([name, group]) => [name, totals(group)]));
}

const money = (value: unknown): bigint | null => (value === null ? null : parseNanos(String(value))!);

// ---------------------------------------------------------------------------

let engine: EngineSession;

beforeAll(async () => {
  engine = await openMigratedEngine();
  await loadPriceRows(engine, PRICES, ALIASES);
  await insertSpans(engine, spans);
});
afterAll(async () => {
  await engine?.close();
});

function runQuery(
  sql: string,
  selection: Selection,
  range: Pick<Range, 'from' | 'to' | 'intervalMs'> = RANGES[0]!,
) {
  const { from, to, intervalMs } = range;
  const expanded = expandQuery(sql, { from, to, intervalMs, variables: variables(selection) });
  try {
    return engine.query<Record<string, unknown>>(expanded);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- expanded SQL:\n${expanded}`);
  }
}

describe('the seed', () => {
  it('went through the schema: every model call is a request, priced or not as planned', () => {
    const [count] = engine.query<{ n: string; priced: string }>(
      'SELECT count() AS n, countIf(cost_total IS NOT NULL) AS priced FROM otel.aicost_requests',
    );
    expect(Number(count!.n)).toBe(rows.length);
    expect(Number(count!.priced)).toBe(rows.filter((row) => row.nanos !== null).length);
    expect(rows.some((row) => row.nanos === null)).toBe(true);
  });
});

describe.each(SCENARIOS)('dashboards with $name selected', ({ selection, range }) => {
  const { from, to } = range;
  const selected = () => rows.filter((row) => matches(row, selection));
  const current = () => selected().filter((row) => inRollupRange(row, from, to));
  const previous = () =>
    selected().filter((row) => {
      const hour = hourStart(row.start);
      return hour >= previousFrom(range).getTime() && hour < from.getTime();
    });
  /** A panel query with this scenario's selection over its range. */
  const run = (sql: string) => runQuery(sql, selection, range);

  it('runs every panel and variable query of every dashboard', () => {
    let queries = 0;
    for (const dashboard of dashboards) {
      for (const variable of dashboard.templating.list) {
        run(variable.query.rawSql);
        queries += 1;
      }
      for (const p of dashboard.panels) {
        for (const target of p.targets) {
          run(target.rawSql);
          queries += 1;
        }
      }
    }
    expect(queries).toBeGreaterThan(40);
  });

  it('Overview: total spend, requests, cost per request and unpriced share', () => {
    const expected = totals(current());
    const [spend] = run(panel('aicost-overview', 'Total spend').targets[0]!.rawSql);
    expect(money(spend!.spend_usd)).toBe(expected.spend);
    const [requests] = run(panel('aicost-overview', 'Requests').targets[0]!.rawSql);
    expect(Number(requests!.request_count)).toBe(expected.requests);
    const [perRequest] = run(panel('aicost-overview', 'Cost per request').targets[0]!.rawSql);
    expect(money(perRequest!.cost_per_request_usd)).toBe(
      expected.spend === null ? null : expected.spend / BigInt(expected.priced),
    );
    const [unpriced] = run(panel('aicost-overview', 'Unpriced requests').targets[0]!.rawSql);
    expect(unpriced!.unpriced_share).toBeCloseTo(
      (expected.requests - expected.priced) / expected.requests,
      12,
    );
  });

  it('Overview: spend vs the previous period of the same length', () => {
    const now = totals(current());
    const before = totals(previous());
    const [row] = run(panel('aicost-overview', 'Spend vs previous period').targets[0]!.rawSql);
    expect(money(row!.spend_usd)).toBe(now.spend);
    expect(money(row!.previous_spend_usd)).toBe(before.spend);
    const seconds = BigInt((to.getTime() - from.getTime()) / 1000);
    expect(money(row!.spend_per_day_usd)).toBe(((now.spend ?? 0n) * 86_400n) / seconds);
    if (before.spend !== null && now.spend !== null) {
      expect(row!.change).toBeCloseTo(Number(now.spend - before.spend) / Number(before.spend), 9);
    }
  });

  it.each([
    ['aicost-overview', 'Top features', 'feature'],
    ['aicost-overview', 'Top customers', 'customer'],
    ['aicost-features', 'Most expensive workflows', 'workflow'],
  ] as const)('%s / %s: spend per %s to the nano-dollar', (uid, title, column) => {
    const expected = totalsBy(current(), (row) => shownValue(row[column]));
    const result = run(panel(uid, title).targets[0]!.rawSql);
    expect(new Map(result.map((r) => [String(r[column]), money(r.spend_usd)]))).toEqual(
      new Map([...expected].map(([name, t]) => [name, t.spend])),
    );
    expect(new Map(result.map((r) => [String(r[column]), Number(r.request_count)]))).toEqual(
      new Map([...expected].map(([name, t]) => [name, t.requests])),
    );
  });

  it('Features / Spend per feature: the buckets of each series add up to the feature spend', () => {
    const expected = totalsBy(current(), (row) => shownValue(row.feature));
    const result = run(panel('aicost-features', 'Spend per feature').targets[0]!.rawSql);
    const sums = new Map<string, bigint>();
    for (const r of result) {
      if (r.spend_usd !== null)
        sums.set(String(r.series), (sums.get(String(r.series)) ?? 0n) + money(r.spend_usd)!);
      // Buckets are at least an hour and aligned to Grafana's interval.
      expect(new Date(`${r.time}Z`).getTime() % range.intervalMs).toBe(0);
    }
    expect(sums).toEqual(
      new Map([...expected].filter(([, t]) => t.spend !== null).map(([name, t]) => [name, t.spend!])),
    );
  });

  it('Features / Cost per request per feature (request table): spend, counts and mean', () => {
    const expected = totalsBy(
      selected().filter((row) => row.start >= from && row.start <= to),
      (row) => shownValue(row.feature),
    );
    const result = run(panel('aicost-features', 'Cost per request per feature').targets[0]!.rawSql);
    expect(result.map((r) => String(r.feature)).sort()).toEqual([...expected.keys()].sort());
    for (const r of result) {
      const want = expected.get(String(r.feature))!;
      expect(money(r.spend_usd)).toBe(want.spend);
      expect(Number(r.request_count)).toBe(want.requests);
      expect(Number(r.priced_count)).toBe(want.priced);
      expect(money(r.mean_cost_usd)).toBe(want.spend === null ? null : want.spend / BigInt(want.priced));
    }
  });

  it('Features / What caching saved: cache reads at the input price minus their cost, per feature', () => {
    // Whole UTC days of the range; the savings view has no customer column, so that filter is off.
    const { customer: _ignored, ...withoutCustomer } = selection;
    const saved = new Map<string, bigint>();
    for (const row of rows) {
      if (!matches(row, withoutCustomer) || row.savedNanos === 0n) continue;
      if (dayStart(row.start) < dayStart(from) || dayStart(row.start) > dayStart(to)) continue;
      saved.set(shownValue(row.feature), (saved.get(shownValue(row.feature)) ?? 0n) + row.savedNanos);
    }
    const result = run(panel('aicost-features', 'What caching saved').targets[0]!.rawSql);
    expect(new Map(result.map((r) => [String(r.feature), money(r.saved_usd)]))).toEqual(saved);
  });

  it('Customers / Spend per customer and feature, and Top customers with the previous period', () => {
    const expected = totalsBy(current(), (row) => `${shownValue(row.customer)}|${shownValue(row.feature)}`);
    const result = run(panel('aicost-customers', 'Spend per customer and feature').targets[0]!.rawSql);
    expect(new Map(result.map((r) => [`${r.customer}|${r.feature}`, money(r.spend_usd)]))).toEqual(
      new Map([...expected].map(([key, t]) => [key, t.spend])),
    );

    const now = totalsBy(current(), (row) => shownValue(row.customer));
    const before = totalsBy(previous(), (row) => shownValue(row.customer));
    const trend = run(panel('aicost-customers', 'Top customers and trend').targets[0]!.rawSql);
    expect(trend.map((r) => String(r.customer)).sort()).toEqual([...now.keys()].sort());
    for (const r of trend) {
      expect(money(r.spend_usd)).toBe(now.get(String(r.customer))!.spend);
      expect(money(r.previous_spend_usd)).toBe(before.get(String(r.customer))?.spend ?? null);
    }
  });

  it('Requests / Most expensive requests: the costliest single requests first, with trace ids', () => {
    const inRange = selected().filter((row) => row.start >= from && row.start <= to);
    const costs = inRange
      .filter((row) => row.nanos !== null)
      .map((row) => row.nanos!)
      .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    const result = run(panel('aicost-requests', 'Most expensive requests').targets[0]!.rawSql);
    expect(result).toHaveLength(Math.min(100, inRange.length));
    expect(result.slice(0, costs.length).map((r) => money(r.cost_usd))).toEqual(costs.slice(0, 100));
    const byTrace = new Map(rows.map((row) => [row.traceId, row]));
    for (const r of result) expect(byTrace.get(String(r.trace_id))?.spanId).toBe(r.span_id);
  });
});

describe('edge ranges', () => {
  it('a zero-length range (from = to) runs every query without a division by zero', () => {
    for (const dashboard of dashboards) {
      for (const p of dashboard.panels) {
        for (const target of p.targets) runQuery(target.rawSql, {}, { ...RANGES[0]!, to: RANGES[0]!.from });
      }
    }
  });
});

describe('variables', () => {
  it('list the values of the range, empty ones as (none), and ignore the other variables', () => {
    const overview = dashboards.find((d) => d.uid === 'aicost-overview')!;
    const inRange = rows.filter((row) => inRollupRange(row, CURRENT_FROM, CURRENT_TO));
    for (const variable of overview.templating.list) {
      const name = variable.name as Dimension;
      const values = runQuery(variable.query.rawSql, { feature: ['search'] }).map((r) => String(r.value));
      expect(values.sort()).toEqual([...new Set(inRange.map((row) => shownValue(row[name])))].sort());
    }
  });
});

describe('the View trace data link of the Requests dashboard', () => {
  it('opens the whole trace with the columns the trace view expects', () => {
    const override = panel('aicost-requests', 'Most expensive requests').fieldConfig.overrides.find(
      (o) => o.matcher.options === 'trace_id',
    )!;
    const [link] = override.properties.find((p) => p.id === 'links')!.value as Array<{
      internal: { query: { rawSql: string; format: number } };
    }>;
    expect(link!.internal.query.format).toBe(3);
    const row = rows[7]!;
    // Grafana fills ${__value.raw} with the clicked cell's value.
    const sql = link!.internal.query.rawSql.replaceAll('${__value.raw}', row.traceId);
    const spansOfTrace = engine.query<Record<string, unknown>>(sql);
    expect(spansOfTrace).toHaveLength(2);
    for (const span of spansOfTrace) {
      expect(Object.keys(span)).toEqual(
        expect.arrayContaining([
          'traceID',
          'spanID',
          'parentSpanID',
          'serviceName',
          'operationName',
          'startTime',
          'duration',
          'tags',
          'serviceTags',
        ]),
      );
      expect(span.traceID).toBe(row.traceId);
    }
    const call = spansOfTrace.find((span) => span.spanID === row.spanId)!;
    expect(call.parentSpanID).toBe(spansOfTrace.find((span) => span.spanID !== row.spanId)!.spanID);
    expect(call.serviceName).toBe(row.service);
    expect(call.tags).toEqual(expect.arrayContaining([{ key: 'gen_ai.request.model', value: row.model }]));
    expect(Number(call.startTime)).toBe(row.start.getTime());
  });
});

describe('which rollup a range reads (rows only in the daily rollups show which)', () => {
  // A day after the seed: a row in each daily rollup alone, as if its hours had been dropped
  // from the hourly one, each with its own cost. A panel shows the cost of the table it read.
  const probeDay = new Date(SEED_FROM.getTime() + 10 * DAY);
  const wholeDay = { from: probeDay, to: new Date(probeDay.getTime() + DAY - 1000), intervalMs: 6 * HOUR };
  const WIDE = 1_000_000_007n; // aicost_rollup_daily
  const BY_FEATURE = 2_000_000_011n; // aicost_rollup_feature_daily
  const BY_CUSTOMER = 3_000_000_013n; // aicost_rollup_customer_daily
  const sql = (uid: string, title: string) => panel(uid, title).targets[0]!.rawSql;
  const totalSpend = (selection: Selection, range: Range | typeof wholeDay = wholeDay) =>
    money(
      runQuery(sql('aicost-overview', 'Total spend'), { service: ['probe'], ...selection }, range)[0]!
        .spend_usd,
    );

  beforeAll(() => {
    const day = probeDay.toISOString().slice(0, 10);
    const row = (table: string, columns: string, values: string, cost: bigint) =>
      engine.exec(
        `INSERT INTO otel.${table} (day, environment, service, ${columns}cost_status, requests, priced_requests, cost_total)
         VALUES ('${day}', 'prod', 'probe', ${values}'priced', 1, 1, ${formatNanos(cost)})`,
      );
    row('aicost_rollup_daily', 'feature, customer, ', "'probe', 'probe', ", WIDE);
    row('aicost_rollup_feature_daily', 'feature, ', "'probe', ", BY_FEATURE);
    row('aicost_rollup_customer_daily', 'customer, ', "'probe', ", BY_CUSTOMER);
  });

  it('whole days: the narrowest daily rollup the panel and the selection allow', () => {
    // No customer column and customer All: the feature rollup.
    expect(totalSpend({})).toBe(BY_FEATURE);
    // A customer selected: the daily rollup (the feature rollup cannot filter by customer).
    expect(totalSpend({ customer: ['probe'] })).toBe(WIDE);
    // By customer with feature, provider and model All: the customer rollup; else the daily one.
    const topCustomers = sql('aicost-overview', 'Top customers');
    expect(money(runQuery(topCustomers, { service: ['probe'] }, wholeDay)[0]!.spend_usd)).toBe(BY_CUSTOMER);
    expect(
      money(runQuery(topCustomers, { service: ['probe'], feature: ['probe'] }, wholeDay)[0]!.spend_usd),
    ).toBe(WIDE);
    // Customer and feature together: the daily rollup whatever the selection.
    const perCustomerAndFeature = sql('aicost-customers', 'Spend per customer and feature');
    expect(money(runQuery(perCustomerAndFeature, { service: ['probe'] }, wholeDay)[0]!.spend_usd)).toBe(WIDE);
  });

  it('a partial day reads its hours from the hourly rollup', () => {
    expect(totalSpend({}, { ...wholeDay, from: new Date(probeDay.getTime() + HOUR) })).toBeNull();
    expect(totalSpend({}, { ...wholeDay, to: new Date(probeDay.getTime() + 22 * HOUR) })).toBeNull();
  });

  it('a time series reads a day whole only when its buckets are at least that day', () => {
    const spendPerFeature = sql('aicost-features', 'Spend per feature');
    expect(runQuery(spendPerFeature, { service: ['probe'] }, wholeDay)).toEqual([]);
    const daily = runQuery(spendPerFeature, { service: ['probe'] }, { ...wholeDay, intervalMs: DAY });
    expect(daily.map((r) => [r.series, money(r.spend_usd)])).toEqual([['probe', BY_FEATURE]]);
  });
});
