/**
 * Pricing a feature and what-if substitution on the engine, every figure derived here from the
 * seed: request and customer-month percentiles with the engine's quantileExact definition
 * (sorted ascending, 0-based position floor(level x n), capped at n - 1), and each priced
 * request re-priced on a candidate model with cache kept or dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMargin, priceForMargin } from '../../packages/cli/src/economics/price-for-margin.js';
import { featureDistributionSql, whatifSql } from '../../packages/cli/src/economics/queries.js';
import { type EngineSession, insertSpans, loadPriceRows, openMigratedEngine } from '../support/chdb.js';
import {
  ECONOMICS_ALIASES,
  ECONOMICS_PRICES,
  economicsSeed,
  MODEL_PRICES,
  nanos,
  type SeedCall,
  seedSpans,
} from './economics-fixtures.js';

const seed = economicsSeed();
let engine: EngineSession;

beforeAll(async () => {
  engine = await openMigratedEngine();
  await loadPriceRows(engine, ECONOMICS_PRICES, ECONOMICS_ALIASES);
  await insertSpans(engine, seedSpans(seed));
}, 120_000);
afterAll(() => engine?.close());

/** The engine's quantileExact. */
function quantileExact(values: bigint[], level: number): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[Math.min(sorted.length - 1, Math.floor(level * sorted.length))]!;
}

const month = (ms: number) => new Date(ms).toISOString().slice(0, 7);

describe('feature cost distribution', () => {
  it('per feature and month: request and customer-month p50, p90, p99 and max', () => {
    const rows = engine.query<Record<string, string>>(
      `SELECT feature, formatDateTime(month, '%Y-%m') AS month, toString(priced_requests) AS priced_requests,
              request_p50_usd, request_p90_usd, request_p99_usd, request_max_usd, toString(customer_months) AS customer_months,
              customer_month_p50_usd, customer_month_p90_usd, customer_month_p99_usd, customer_month_max_usd
       FROM otel.aicost_feature_cost_distribution ORDER BY feature, month`,
    );
    const keys = [
      ...new Set(seed.calls.filter((c) => c.costNanos !== null).map((c) => `${c.feature}|${month(c.start)}`)),
    ].sort();
    const expected = keys.map((key) => {
      const [feature, m] = key.split('|') as [string, string];
      const calls = seed.calls.filter(
        (c) => c.feature === feature && month(c.start) === m && c.costNanos !== null,
      );
      const costs = calls.map((c) => c.costNanos as bigint);
      const perCustomer = new Map<string, bigint>();
      for (const c of seed.calls.filter((c) => c.feature === feature && month(c.start) === m))
        perCustomer.set(c.customer, (perCustomer.get(c.customer) ?? 0n) + (c.costNanos ?? 0n));
      const months = [...perCustomer.values()];
      return {
        feature,
        month: m,
        priced_requests: String(costs.length),
        request: [0.5, 0.9, 0.99].map((l) => quantileExact(costs, l)).concat(quantileExact(costs, 1)),
        customer_months: String(months.length),
        customerMonth: [0.5, 0.9, 0.99].map((l) => quantileExact(months, l)).concat(quantileExact(months, 1)),
      };
    });
    expect(
      rows.map((r) => ({
        feature: r.feature,
        month: r.month,
        priced_requests: r.priced_requests,
        request: [r.request_p50_usd, r.request_p90_usd, r.request_p99_usd, r.request_max_usd].map(nanos),
        customer_months: r.customer_months,
        customerMonth: [
          r.customer_month_p50_usd,
          r.customer_month_p90_usd,
          r.customer_month_p99_usd,
          r.customer_month_max_usd,
        ].map(nanos),
      })),
    ).toEqual(expected);
  });
});

/** What a call would cost on `candidate`: same tokens; cache reads at its cache price or as input. */
function candidateCost(call: SeedCall, candidate: string, keepCache: boolean): bigint {
  const p = MODEL_PRICES[candidate]!;
  const cached = keepCache ? BigInt(call.cacheRead) : 0n;
  return (BigInt(call.input) - cached) * p.input + cached * p.cacheRead + BigInt(call.output) * p.output;
}

describe('what-if substitution', () => {
  for (const keepCache of [true, false]) {
    it(`aicost_whatif(openai, gpt-4o-mini, keep_cache=${Number(keepCache)}): per feature and model, current vs candidate, labelled an estimate`, () => {
      const rows = engine.query<Record<string, string | boolean>>(
        `SELECT feature, model, toString(count()) AS requests, sum(current_cost_usd) AS current, sum(candidate_cost_usd) AS candidate,
                sum(savings_usd) AS savings, min(estimate) AS estimate, min(cache_kept) AS cache_kept
         FROM otel.aicost_whatif(candidate_provider_id = 'openai', candidate_model_id = 'gpt-4o-mini', keep_cache = ${Number(keepCache)})
         GROUP BY feature, model ORDER BY feature, model`,
      );
      const priced = seed.calls.filter((c) => c.costNanos !== null);
      const keys = [...new Set(priced.map((c) => `${c.feature}|${c.model}`))].sort();
      const expected = keys.map((key) => {
        const [feature, model] = key.split('|') as [string, string];
        const calls = priced.filter((c) => c.feature === feature && c.model === model);
        const current = calls.reduce((s, c) => s + (c.costNanos as bigint), 0n);
        const candidate = calls.reduce((s, c) => s + candidateCost(c, 'gpt-4o-mini', keepCache), 0n);
        return {
          feature,
          model,
          requests: String(calls.length),
          current,
          candidate,
          savings: current - candidate,
          estimate: true,
          cache_kept: keepCache,
        };
      });
      expect(
        rows.map((r) => ({
          ...r,
          current: nanos(r.current as string),
          candidate: nanos(r.candidate as string),
          savings: nanos(r.savings as string),
        })),
      ).toEqual(expected);
    });
  }

  it('aicost_whatif: an unknown candidate gives no row, never a $0 estimate', () => {
    expect(
      engine.query(
        "SELECT count() AS n FROM otel.aicost_whatif(candidate_provider_id = 'openai', candidate_model_id = 'no-such-model', keep_cache = 1)",
      ),
    ).toEqual([{ n: '0' }]);
  });

  it('aicost_whatif_models_in_use: every model in use as a candidate for every feature', () => {
    const rows = engine.query<Record<string, string>>(
      `SELECT feature, model, candidate_model_id AS candidate, sum(savings_usd) AS savings
       FROM otel.aicost_whatif_models_in_use GROUP BY feature, model, candidate ORDER BY feature, model, candidate`,
    );
    const priced = seed.calls.filter((c) => c.costNanos !== null);
    const candidates = [...new Set(priced.map((c) => c.model))].sort();
    const pairs = [...new Set(priced.map((c) => `${c.feature}|${c.model}`))].sort();
    const expected = pairs.flatMap((pair) => {
      const [feature, model] = pair.split('|') as [string, string];
      const calls = priced.filter((c) => c.feature === feature && c.model === model);
      return candidates.map((candidate) => ({
        feature,
        model,
        candidate,
        savings: calls.reduce((s, c) => s + (c.costNanos as bigint) - candidateCost(c, candidate, true), 0n),
      }));
    });
    expect(rows.map((r) => ({ ...r, savings: nanos(r.savings) }))).toEqual(expected);
  });
});

/** Runs a statement with bound parameters, as the CLI's backends do. */
function bound<T>(sql: string, params: Record<string, string>): T[] {
  return engine.session
    .queryBind(sql, params, 'JSONEachRow')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

describe('the CLI economics SQL (aicost report --price-for-margin, aicost whatif)', () => {
  const window = {
    fromNs: BigInt(Date.now() - 40 * 86_400_000) * 1_000_000n,
    toNs: BigInt(Date.now()) * 1_000_000n,
  };

  it('featureDistributionSql: the window percentiles, and the price for a 70% margin rounded up', () => {
    const { sql, params } = featureDistributionSql('support', window);
    const [row] = bound<Record<string, string>>(sql, params);
    const calls = seed.calls.filter((c) => c.feature === 'support');
    const costs = calls.filter((c) => c.costNanos !== null).map((c) => c.costNanos as bigint);
    const perMonth = new Map<string, bigint>();
    for (const c of calls) {
      const key = `${c.customer}|${month(c.start)}`;
      perMonth.set(key, (perMonth.get(key) ?? 0n) + (c.costNanos ?? 0n));
    }
    const months = [...perMonth.values()];
    expect({
      priced: Number(row!.priced_requests),
      unpriced: Number(row!.unpriced_requests),
      request: [row!.request_p50, row!.request_p90, row!.request_p99, row!.request_max].map(nanos),
      months: Number(row!.customer_months),
      month: [
        row!.customer_month_p50,
        row!.customer_month_p90,
        row!.customer_month_p99,
        row!.customer_month_max,
      ].map(nanos),
    }).toEqual({
      priced: costs.length,
      unpriced: calls.length - costs.length,
      request: [0.5, 0.9, 0.99, 1].map((l) => quantileExact(costs, l)),
      months: months.length,
      month: [0.5, 0.9, 0.99, 1].map((l) => quantileExact(months, l)),
    });
    const margin = parseMargin('70%');
    const p90 = quantileExact(costs, 0.9);
    const price = priceForMargin(p90, margin);
    // price x (1 - 0.7) >= cost, and one nano less would miss the target.
    expect(price * 3n >= p90 * 10n).toBe(true);
    expect((price - 1n) * 3n < p90 * 10n).toBe(true);
    expect(priceForMargin(3_000_000_000n, parseMargin('0.7'))).toBe(10_000_000_000n);
    expect(priceForMargin(1n, parseMargin('66.5%'))).toBe(3n);
    expect(() => parseMargin('100%')).toThrow(/below 100%/);
    expect(() => parseMargin('x')).toThrow(/not a ratio/);
  });

  it('whatifSql: one feature on claude-sonnet-4-0 with the cache dropped, sorted by savings', () => {
    const { sql, params } = whatifSql({
      ...window,
      features: ['search', 'support'],
      candidateProviderId: 'anthropic',
      candidateModelId: 'claude-sonnet-4-0',
      keepCache: false,
    });
    const rows = bound<Record<string, string>>(sql, params);
    const priced = seed.calls.filter((c) => c.costNanos !== null && c.feature !== 'summarize');
    const keys = [...new Set(priced.map((c) => `${c.feature}|${c.model}`))];
    const expected = keys
      .map((key) => {
        const [feature, model] = key.split('|') as [string, string];
        const calls = priced.filter((c) => c.feature === feature && c.model === model);
        const current = calls.reduce((s, c) => s + (c.costNanos as bigint), 0n);
        const candidate = calls.reduce((s, c) => s + candidateCost(c, 'claude-sonnet-4-0', false), 0n);
        return {
          feature,
          model,
          requests: String(calls.length),
          current,
          candidate,
          savings: current - candidate,
        };
      })
      .sort((a, b) => (a.savings === b.savings ? 0 : a.savings > b.savings ? -1 : 1));
    expect(
      rows.map((r) => ({
        feature: r.feature,
        model: r.model,
        requests: r.requests,
        current: nanos(r.current_usd),
        candidate: nanos(r.estimated_candidate_usd),
        savings: nanos(r.estimated_savings_usd),
      })),
    ).toEqual(expected);
  });
});
