/**
 * Hybrid capacity on the engine: each pool-hour's capacity cost is split over that pool's
 * requests by tokens (floor to the nano-dollar), the rest is idle, and allocated + idle equals
 * the capacity cost exactly; requests of one pool never receive another pool's cost. The
 * tier comparison's cost per 1M tokens is derived here from the same seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStatement } from '../../packages/cli/src/economics/data-file.js';
import { readDataFile } from '../../packages/cli/src/economics/load.js';
import { economicsSections } from '../../packages/cli/src/economics/queries.js';
import { CAPACITY } from '../../packages/cli/src/economics/tables.js';
import { type EngineSession, insertSpans, loadPriceRows, openMigratedEngine } from '../support/chdb.js';
import {
  DAY_MS,
  dayStart,
  divideHalfUp,
  ECONOMICS_ALIASES,
  ECONOMICS_PRICES,
  economicsSeed,
  HOUR_MS,
  nanos,
  seedSpans,
  sqlTime,
} from './economics-fixtures.js';

const seed = economicsSeed();
const base = dayStart(2);
const at = (hour: number) => sqlTime(base + hour * HOUR_MS).slice(0, 19);

/** Pool a: 4 GPUs 08:00-14:00; pool b: 1 unit 10:00-11:00 plus 2 units 09:00-12:00 (overlapping rows add up). */
const CAPACITY_ROWS = [
  { pool: 'gpu-pool-a', tier: 'self_hosted', units: 4n, rate: 2_345_678_901n, from: 8, to: 14 },
  { pool: 'gpu-pool-b', tier: 'cloud_gpu', units: 1n, rate: 3_333_333_333n, from: 10, to: 11 },
  { pool: 'gpu-pool-b', tier: 'cloud_gpu', units: 2n, rate: 100_000_007n, from: 9, to: 12 },
];
const CSV = [
  'pool,tier,units,unit_usd_per_hour,valid_from,valid_to',
  ...CAPACITY_ROWS.map(
    (r) => `${r.pool},${r.tier},${r.units},${(Number(r.rate) / 1e9).toFixed(9)},${at(r.from)},${at(r.to)}`,
  ),
].join('\n');

let engine: EngineSession;

beforeAll(async () => {
  engine = await openMigratedEngine();
  await loadPriceRows(engine, ECONOMICS_PRICES, ECONOMICS_ALIASES);
  await insertSpans(engine, seedSpans(seed));
  engine.exec(insertStatement(CAPACITY.table, readDataFile(CAPACITY, 'capacity.csv', CSV)));
}, 120_000);
afterAll(() => engine?.close());

/** Capacity cost of a pool in the hour starting `base + hour`. */
function capacityCost(pool: string, hour: number): bigint {
  return CAPACITY_ROWS.filter((r) => r.pool === pool && r.from <= hour && hour < r.to).reduce(
    (s, r) => s + r.units * r.rate,
    0n,
  );
}

const poolCalls = (pool: string, hour: number) =>
  seed.calls.filter(
    (c) => c.pool === pool && Math.floor((c.start - base) / HOUR_MS) === hour && c.start - base < DAY_MS,
  );

describe('capacity allocation', () => {
  it('per pool and hour: capacity, allocated and idle; allocated + idle == capacity exactly', () => {
    const rows = engine.query<Record<string, string | boolean>>(
      `SELECT pool, toHour(hour) AS h, tier, toString(units) AS units, capacity_cost_usd, toString(requests) AS requests,
              allocated_usd, idle_usd, toBool(allocated_usd + idle_usd = capacity_cost_usd) AS exact
       FROM otel.aicost_capacity_utilisation ORDER BY pool, hour`,
    );
    const expected: Record<string, unknown>[] = [];
    for (const pool of ['gpu-pool-a', 'gpu-pool-b']) {
      for (let hour = 0; hour < 24; hour++) {
        const cost = capacityCost(pool, hour);
        if (cost === 0n) continue;
        const calls = poolCalls(pool, hour);
        const total = calls.reduce((s, c) => s + BigInt(c.input + c.output), 0n);
        const allocated = calls.reduce(
          (s, c) => s + (total === 0n ? 0n : (cost * BigInt(c.input + c.output)) / total),
          0n,
        );
        expected.push({
          pool,
          h: String(hour),
          tier: pool === 'gpu-pool-a' ? 'self_hosted' : 'cloud_gpu',
          units: String(
            CAPACITY_ROWS.filter((r) => r.pool === pool && r.from <= hour && hour < r.to).reduce(
              (s, r) => s + r.units,
              0n,
            ),
          ),
          capacity: cost,
          requests: String(calls.length),
          allocated,
          idle: cost - allocated,
          exact: true,
        });
      }
    }
    expect(
      rows.map(({ capacity_cost_usd, allocated_usd, idle_usd, ...rest }) => ({
        ...rest,
        h: String(rest.h),
        capacity: nanos(capacity_cost_usd as string),
        allocated: nanos(allocated_usd as string),
        idle: nanos(idle_usd as string),
      })),
    ).toEqual(expected);
    // Idle hours carry their whole cost; busy hours leave at most a nano per request idle.
    expect(expected.filter((e) => e.requests === '0').every((e) => e.idle === e.capacity)).toBe(true);
    expect(
      expected
        .filter((e) => e.requests !== '0')
        .every((e) => (e.idle as bigint) < BigInt(Number(e.requests))),
    ).toBe(true);
  });

  it('each request gets floor(C x tokens / pool-hour tokens) of its own pool only', () => {
    const rows = engine.query<{ span_id: string; pool: string; allocated_cost_usd: string }>(
      'SELECT span_id, pool, allocated_cost_usd FROM otel.aicost_capacity_allocation ORDER BY span_id',
    );
    const expected = seed.calls
      .filter((c) => c.pool !== undefined)
      .map((c) => {
        const hour = Math.floor((c.start - base) / HOUR_MS);
        const peers = poolCalls(c.pool!, hour);
        const total = peers.reduce((s, p) => s + BigInt(p.input + p.output), 0n);
        return {
          span_id: c.spanId,
          pool: c.pool!,
          allocated: (capacityCost(c.pool!, hour) * BigInt(c.input + c.output)) / total,
        };
      })
      .sort((a, b) => a.span_id.localeCompare(b.span_id));
    expect(
      rows.map((r) => ({ span_id: r.span_id, pool: r.pool, allocated: nanos(r.allocated_cost_usd) })),
    ).toEqual(expected);
    // Hour 10 has requests on both pools; the sums per pool are each pool's own cost (to the nano).
    for (const pool of ['gpu-pool-a', 'gpu-pool-b']) {
      const sum = expected.filter(
        (e) => e.pool === pool && poolCalls(pool, 10).some((c) => c.spanId === e.span_id),
      );
      const total = sum.reduce((s, e) => s + e.allocated, 0n);
      expect(capacityCost(pool, 10) - total).toBeGreaterThanOrEqual(0n);
      expect(capacityCost(pool, 10) - total).toBeLessThan(BigInt(sum.length));
    }
  });

  it('aicost_tier_cost_per_mtok: capacity tiers at their allocated cost, the provider API at its own', () => {
    const rows = engine.query<Record<string, string>>(
      `SELECT tier, model_family, toString(hour_of_day) AS hour_of_day, toString(tokens) AS tokens, cost_usd, cost_per_mtok_usd
       FROM otel.aicost_tier_cost_per_mtok ORDER BY tier, model_family, toUInt8(hour_of_day)`,
    );
    const allocation = engine.query<{ span_id: string; allocated_cost_usd: string }>(
      'SELECT span_id, allocated_cost_usd FROM otel.aicost_capacity_allocation',
    );
    const allocated = new Map(allocation.map((a) => [a.span_id, nanos(a.allocated_cost_usd) as bigint]));
    const groups = new Map<string, { tokens: bigint; cost: bigint }>();
    for (const c of seed.calls) {
      const onPool = c.pool !== undefined;
      if (!onPool && c.costNanos === null) continue;
      const tier = onPool ? (c.pool === 'gpu-pool-a' ? 'self_hosted' : 'cloud_gpu') : 'provider_api';
      const key = `${tier}|${c.model}|${new Date(c.start).getUTCHours()}`;
      const g = groups.get(key) ?? { tokens: 0n, cost: 0n };
      g.tokens += BigInt(c.input + c.output);
      g.cost += onPool ? allocated.get(c.spanId)! : (c.costNanos as bigint);
      groups.set(key, g);
    }
    const expected = [...groups.entries()]
      .map(([key, g]) => {
        const [tier, family, hour] = key.split('|') as [string, string, string];
        return {
          tier,
          model_family: family,
          hour_of_day: hour,
          tokens: g.tokens.toString(),
          cost: g.cost,
          perMtok: divideHalfUp(g.cost * 1_000_000n, g.tokens),
        };
      })
      .sort((a, b) =>
        a.tier !== b.tier
          ? a.tier.localeCompare(b.tier)
          : a.model_family !== b.model_family
            ? a.model_family.localeCompare(b.model_family)
            : Number(a.hour_of_day) - Number(b.hour_of_day),
      );
    expect(
      rows.map(({ cost_usd, cost_per_mtok_usd, ...rest }) => ({
        ...rest,
        cost: nanos(cost_usd),
        perMtok: nanos(cost_per_mtok_usd),
      })),
    ).toEqual(expected);
  });

  it('aicost economics: every section runs; the capacity section adds up to the capacity loaded', () => {
    for (const section of economicsSections())
      expect(() => engine.query(section.sql), section.title).not.toThrow();
    const capacity = economicsSections().find((s) => s.title.startsWith('Capacity'))!;
    const rows = engine.query<Record<string, string>>(capacity.sql);
    const total = (pool: string) =>
      CAPACITY_ROWS.filter((r) => r.pool === pool).reduce(
        (s, r) => s + r.units * r.rate * BigInt(r.to - r.from),
        0n,
      );
    expect(
      rows.map((r) => ({
        pool: r.pool,
        capacity: nanos(r.capacity_total_usd),
        split: (nanos(r.allocated_total_usd) as bigint) + (nanos(r.idle_total_usd) as bigint),
      })),
    ).toEqual(
      ['gpu-pool-a', 'gpu-pool-b'].map((pool) => ({ pool, capacity: total(pool), split: total(pool) })),
    );
  });
});
