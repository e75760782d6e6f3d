/**
 * The Economics dashboard and the economics alert rules on the engine: every panel and
 * variable query of grafana/dashboards/economics.json expanded as Grafana and the ClickHouse
 * plugin expand it (test/support/grafana.ts) and run over the unit-economics seed, with
 * figures checked against the seed; every alert rule of
 * grafana/provisioning/alerting/economics.yaml checked for structure and its query run.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { insertStatement } from '../../packages/cli/src/economics/data-file.js';
import { readDataFile } from '../../packages/cli/src/economics/load.js';
import { CAPACITY, REVENUE, TARGETS } from '../../packages/cli/src/economics/tables.js';
import {
  DAY_MS,
  dayStart,
  divideHalfUp,
  ECONOMICS_ALIASES,
  ECONOMICS_PRICES,
  economicsSeed,
  HOUR_MS,
  isoDay,
  nanos,
  type SeedCall,
  seedSpans,
  sqlTime,
} from '../schema/economics-fixtures.js';
import { type EngineSession, insertSpans, loadPriceRows, openMigratedEngine } from '../support/chdb.js';
import { ALL_VALUE, expandQuery, type VariableState } from '../support/grafana.js';
import { DIMENSIONS, dashboards } from './fixtures.js';

const seed = economicsSeed();
const economics = dashboards.find((d) => d.uid === 'aicost-economics')!;
const P = { start: isoDay(dayStart(20)), end: isoDay(dayStart(0)) };
const at = (hour: number) => sqlTime(dayStart(2) + hour * HOUR_MS).slice(0, 19);

let engine: EngineSession;

beforeAll(async () => {
  engine = await openMigratedEngine();
  await loadPriceRows(engine, ECONOMICS_PRICES, ECONOMICS_ALIASES);
  await insertSpans(engine, seedSpans(seed));
  const load = (table: typeof REVENUE, csv: string) =>
    engine.exec(insertStatement(table.table, readDataFile(table, `${table.command}.csv`, csv)));
  load(
    REVENUE,
    `customer,segment,period_start,period_end,amount\nacme,smb,${P.start},${P.end},5\nglobex,enterprise,${P.start},${P.end},20`,
  );
  load(TARGETS, 'feature,min_margin,max_cost_per_request\nsupport,99%,0.005\nsearch,99%,');
  load(
    CAPACITY,
    `pool,tier,units,unit_usd_per_hour,valid_from,valid_to\ngpu-pool-a,self_hosted,2,1.5,${at(8)},${at(14)}`,
  );
}, 120_000);
afterAll(() => engine?.close());

const RANGE = {
  from: new Date(dayStart(30)),
  to: new Date(dayStart(0) + DAY_MS - 1000),
  intervalMs: 6 * HOUR_MS,
};

function variables(selection: Record<string, string[]> = {}): VariableState[] {
  return DIMENSIONS.map((name) => ({ name, value: selection[name] ?? [ALL_VALUE], allValue: ALL_VALUE }));
}

function run(sql: string, selection: Record<string, string[]> = {}, range = RANGE) {
  return engine.query<Record<string, unknown>>(
    expandQuery(sql, { ...range, variables: variables(selection) }),
  );
}

function panelSql(title: string): string {
  const found = economics.panels.find((p) => p.title === title);
  if (!found) throw new Error(`no panel ${title}`);
  return found.targets[0]!.rawSql;
}

const priced = (calls: SeedCall[]) => calls.filter((c) => c.costNanos !== null);
const sum = (calls: SeedCall[]) => priced(calls).reduce((s, c) => s + (c.costNanos as bigint), 0n);

describe('Economics dashboard', () => {
  it('has the panels the issue asks for and runs every panel and variable query, for All and one feature', () => {
    expect(economics.panels.map((p) => p.title)).toEqual(
      expect.arrayContaining([
        'Gross AI margin by customer',
        'Gross AI margin by segment (falling margins first)',
        'Cost per outcome by feature',
        'Cost per request by release',
        'Cost per request by release over time',
        'Cost per outcome by release',
        'Largest what-if savings (estimate)',
        'Capacity utilisation and idle cost',
        'Targets broken',
      ]),
    );
    const selections: Record<string, string[]>[] = [
      {},
      { feature: ['support'] },
      { customer: ['acme', "o'reilly"] },
    ];
    for (const selection of selections) {
      for (const variable of economics.templating.list) run(variable.query.rawSql, selection);
      for (const p of economics.panels) {
        const rows = run(p.targets[0]!.rawSql, selection);
        if (Object.keys(selection).length === 0) expect(rows.length, p.title).toBeGreaterThan(0);
      }
    }
  }, 180_000);

  it('Cost per outcome by feature: the priced calls of the outcome traces, each trace once', () => {
    const rows = run(panelSql('Cost per outcome by feature'));
    for (const feature of ['support', 'search']) {
      const outcomes = seed.outcomes.filter((o) => o.feature === feature);
      const traces = new Set(outcomes.map((o) => o.traceId));
      const cost = sum(seed.calls.filter((c) => traces.has(c.traceId)));
      const row = rows.find((r) => r.feature === feature);
      expect({ outcomes: Number(row?.outcome_count), cost: nanos(String(row?.cost_usd)) }).toEqual({
        outcomes: outcomes.length,
        cost,
      });
    }
  });

  it('Gross AI margin by customer: revenue minus the AI cost of the period', () => {
    const rows = run(panelSql('Gross AI margin by customer'));
    for (const [customer, revenue] of [
      ['acme', 5_000_000_000n],
      ['globex', 20_000_000_000n],
    ] as const) {
      const cost = sum(seed.calls.filter((c) => c.customer === customer && isoDay(c.start) >= P.start));
      const row = rows.find((r) => r.customer === customer);
      expect(nanos(String(row?.margin_usd))).toBe(revenue - cost);
    }
  });

  it('Capacity utilisation and idle cost: allocated + idle = capacity, idle hours included', () => {
    const [row] = run(panelSql('Capacity utilisation and idle cost'));
    expect({
      hours: Number(row?.hours),
      capacity: nanos(String(row?.capacity_usd)),
      split: (nanos(String(row?.allocated_usd)) as bigint) + (nanos(String(row?.idle_usd)) as bigint),
    }).toEqual({ hours: 6, capacity: 18_000_000_000n, split: 18_000_000_000n });
  });

  it('Cost per request and per outcome by release: the change between consecutive releases', () => {
    const rows = run(panelSql('Cost per request by release'));
    const per = (release: string) => {
      const calls = priced(seed.calls.filter((c) => c.release === release));
      return divideHalfUp(sum(calls), BigInt(calls.length));
    };
    const second = rows.find((r) => r.release === '2.0.0');
    expect(nanos(String(second?.change_usd))).toBe(per('2.0.0') - per('1.0.0'));
    const outcomeRows = run(panelSql('Cost per outcome by release'));
    const perOutcome = (release: string) => {
      const outcomes = seed.outcomes.filter((o) => o.release === release);
      const traces = new Set(outcomes.map((o) => o.traceId));
      return divideHalfUp(sum(seed.calls.filter((c) => traces.has(c.traceId))), BigInt(outcomes.length));
    };
    // One rule with aicost report --by release: the outcomes recorded by support-worker (w-1, w-2)
    // count for support-api's release whose calls are in their traces (here 1.0.0 and 2.0.0).
    const second2 = outcomeRows.find((r) => r.service === 'support-api' && r.release === '2.0.0');
    expect(second2?.previous_release).toBe('1.0.0');
    expect(nanos(String(second2?.change_usd))).toBe(perOutcome('w-2') - perOutcome('w-1'));
    expect(outcomeRows.some((r) => r.service === 'support-worker')).toBe(false);
  });
});

describe('Economics dashboard: releases from the rollup', () => {
  it('Cost per request by release over time: per day and service release, the priced calls of that day', () => {
    const rows = run(panelSql('Cost per request by release over time'), {}, { ...RANGE, intervalMs: DAY_MS });
    const expected = new Map<string, SeedCall[]>();
    for (const call of priced(seed.calls)) {
      const key = `${isoDay(call.start)} 00:00:00|${call.service} ${call.release}`;
      expected.set(key, [...(expected.get(key) ?? []), call]);
    }
    // The panel divides a Decimal sum by a count: the engine truncates to the nano-dollar.
    expect(
      new Map(rows.map((r) => [`${r.time}|${r.series}`, nanos(String(r.cost_per_request_usd))])),
    ).toEqual(new Map([...expected].map(([key, calls]) => [key, sum(calls) / BigInt(calls.length)])));
    expect(new Set(rows.map((r) => r.series))).toEqual(new Set(['support-api 1.0.0', 'support-api 2.0.0']));
  });
});

interface AlertQuery {
  refId: string;
  datasourceUid: string;
  relativeTimeRange?: { from: number; to: number };
  model: {
    refId: string;
    rawSql?: string;
    format?: number;
    type?: string;
    expression?: string;
    conditions?: unknown[];
  };
}
interface AlertRule {
  uid: string;
  title: string;
  condition: string;
  data: AlertQuery[];
  for: string;
  noDataState: string;
  execErrState: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
}

const ALERTS = parse(
  readFileSync(new URL('../../grafana/provisioning/alerting/economics.yaml', import.meta.url), 'utf8'),
) as {
  apiVersion: number;
  groups: { orgId: number; name: string; folder: string; interval: string; rules: AlertRule[] }[];
};
const DATASOURCE_UID = /uid: (\S+)/.exec(
  readFileSync(new URL('../../grafana/provisioning/datasources/clickhouse.yaml', import.meta.url), 'utf8'),
)?.[1];
const RULES = ALERTS.groups.flatMap((g) => g.rules);

describe('economics alert rules', () => {
  it('are Grafana file-provisioned rules: unique uids, the aicost datasource, a condition on an existing query', () => {
    expect(ALERTS.apiVersion).toBe(1);
    expect(RULES.map((r) => r.uid)).toEqual([
      'aicost-cost-spike-per-feature',
      'aicost-margin-below-target',
      'aicost-cost-per-request-above-target',
    ]);
    for (const rule of RULES) {
      expect(rule.uid.length, rule.uid).toBeLessThanOrEqual(40);
      const refIds = rule.data.map((d) => d.refId);
      expect(refIds).toContain(rule.condition);
      const sqlQueries = rule.data.filter((d) => d.datasourceUid !== '__expr__');
      expect(sqlQueries.map((d) => d.datasourceUid)).toEqual([DATASOURCE_UID]);
      for (const query of sqlQueries) {
        expect(query.model).toMatchObject({ refId: query.refId, format: 1 });
        expect(query.relativeTimeRange?.from).toBeGreaterThan(0);
      }
      for (const expression of rule.data.filter((d) => d.datasourceUid === '__expr__')) {
        expect(refIds).toContain(expression.model.expression);
        expect(expression.model.type).toBe('threshold');
      }
      expect(['OK', 'NoData', 'Alerting', 'KeepLast']).toContain(rule.noDataState);
      expect(['OK', 'Error', 'Alerting', 'KeepLast']).toContain(rule.execErrState);
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(rule.annotations.summary).toContain('{{ $labels.feature }}');
    }
  });

  const alertRun = (uid: string, to: Date) => {
    const rule = RULES.find((r) => r.uid === uid)!;
    const query = rule.data.find((d) => d.refId === 'A')!;
    const from = new Date(to.getTime() - query.relativeTimeRange!.from * 1000);
    return run(query.model.rawSql!, {}, { from, to, intervalMs: 60_000 });
  };

  it('cost spike: last full hour of each feature against its average hour of the week before', () => {
    const call = seed.calls.find((c) => c.start >= dayStart(1) && c.feature === 'support')!;
    const hour = Math.floor(call.start / HOUR_MS) * HOUR_MS;
    const to = new Date(hour + HOUR_MS + 60_000);
    const rows = alertRun('aicost-cost-spike-per-feature', to);
    const inHour = sum(
      seed.calls.filter((c) => c.feature === 'support' && Math.floor(c.start / HOUR_MS) * HOUR_MS === hour),
    );
    const before = sum(
      seed.calls.filter((c) => c.feature === 'support' && c.start < hour && c.start >= hour - 168 * HOUR_MS),
    );
    const expected = Number(inHour) / 1e9 / Math.max(Number(before) / 1e9 / 168, 0.01);
    expect(Number(rows.find((r) => r.feature === 'support')?.spike_ratio)).toBeCloseTo(expected, 9);
  });

  it('margin below target and cost per request above target: the features that break them', () => {
    const margin = alertRun('aicost-margin-below-target', new Date(dayStart(0) + 3_600_000));
    const breaches = engine.query<{ feature: string; shortfall: number }>(
      `SELECT feature, toFloat64(min_margin - margin_ratio) AS shortfall FROM otel.aicost_margin_target_breaches
       WHERE breached ORDER BY feature`,
    );
    expect(
      margin
        .filter((r) => Number(r.shortfall) > 0)
        .map((r) => r.feature)
        .sort(),
    ).toEqual(breaches.map((b) => b.feature));
    expect(breaches.length).toBeGreaterThan(0);
    const supportDay = seed.calls.find(
      (c) => c.feature === 'support' && c.release === '2.0.0' && c.costNanos !== null,
    )!;
    const day = isoDay(supportDay.start);
    const cost = alertRun('aicost-cost-per-request-above-target', new Date(`${day}T12:00:00Z`));
    const calls = priced(seed.calls.filter((c) => c.feature === 'support' && isoDay(c.start) === day));
    const perRequest = divideHalfUp(sum(calls), BigInt(calls.length));
    const row = cost.find((r) => r.feature === 'support');
    if (perRequest > 5_000_000n)
      expect(Number(row?.over_target)).toBeCloseTo(Number(perRequest) / 5_000_000, 9);
    else expect(row).toBeUndefined();
  });
});
