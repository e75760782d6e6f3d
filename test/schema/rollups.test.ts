/**
 * The hourly and daily rollups equal the raw request table exactly (to the nano-dollar),
 * before and after background merges, on thousands of generated spans.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNanos, parseNanos } from '../../packages/core/src/money/index.js';
import { type EngineSession, insertSpans, loadPriceRows, openMigratedEngine } from '../support/chdb.js';
import {
  ALIASES,
  aicostCostAttributes,
  callSpan,
  catalogueNanos,
  keepPinnedDates,
  PRICES,
  prng,
} from './fixtures.js';

const SPANS = 4000;
const ROLLUPS = [
  'aicost_rollup_hourly',
  'aicost_rollup_daily',
  'aicost_rollup_feature_daily',
  'aicost_rollup_customer_daily',
] as const;
const FEATURES = ['search', 'summarize', 'chat', 'classify', 'extract', ''];
const MODELS = [
  { provider: 'openai', model: 'gpt-4o', priceModel: 'gpt-4o' },
  { provider: 'openai', model: 'gpt-4o-mini', priceModel: 'gpt-4o-mini' },
  { provider: 'anthropic', model: 'claude-sonnet-4-20250514', priceModel: 'claude-sonnet-4-0' },
  { provider: 'gcp.gemini', model: 'gemini-2.5-pro', priceModel: 'gemini-2.5-pro' },
  { provider: 'openai', model: 'gpt-unknown', priceModel: '' },
];

let engine: EngineSession;
const generated = { recordedNanos: 0n, recorded: 0, unknownModel: 0 };

beforeAll(async () => {
  engine = await openMigratedEngine();
  keepPinnedDates(engine);
  await loadPriceRows(engine, PRICES, ALIASES);
  const random = prng(7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const spans = [];
  for (let i = 0; i < SPANS; i += 1) {
    const { provider, model, priceModel } = pick(MODELS);
    // Three days, every hour, with nanosecond timestamps.
    const start = new Date(Date.UTC(2026, 10, 20) + Math.floor(random() * 3 * 86_400_000));
    const input = Math.floor(random() * 300_000);
    const cacheRead = Math.floor(random() * input);
    const output = Math.floor(random() * 4000);
    const attributes: Record<string, string> = {
      'aicost.feature': pick(FEATURES),
      'aicost.customer': `customer-${Math.floor(random() * 40)}`,
      'aicost.workflow': pick(['', 'onboarding', 'support']),
    };
    // A third of the known-model spans carry an SDK cost (odd nano amounts, 0.5x to 2x the
    // catalogue's, as negotiated prices give: near enough to be kept, 016_cost_trust.sql); the
    // rest are priced in SQL.
    if (model !== 'gpt-unknown' && random() < 0.33) {
      const catalogue = catalogueNanos(priceModel, { input, cacheRead, output });
      const nanos = (catalogue * BigInt(500 + Math.floor(random() * 1500))) / 1000n + 1n;
      generated.recordedNanos += nanos;
      generated.recorded += 1;
      Object.assign(
        attributes,
        aicostCostAttributes({ total: formatNanos(nanos), input: formatNanos(nanos) }),
      );
    }
    if (model === 'gpt-unknown') generated.unknownModel += 1;
    spans.push(
      callSpan({
        start,
        provider,
        requestModel: model,
        usage: { input, cacheRead, output },
        service: pick(['checkout', 'support-bot']),
        resource: { 'deployment.environment.name': pick(['prod', 'staging']) },
        statusCode: random() < 0.05 ? 'Error' : 'Unset',
        attributes,
      }),
    );
  }
  // Several inserts with merges stopped: the rollups hold several unmerged parts, so the
  // first checks read partial sums, and the merge check below has real work to do.
  for (const table of ROLLUPS) engine.exec(`SYSTEM STOP MERGES otel.${table}`);
  await insertSpans(engine, spans, 700);
});
afterAll(async () => {
  await engine?.close();
});

// Source columns qualified with `r.`: the output aliases reuse their names.
const MEASURES = `
  count() AS requests, countIf(r.cost_total IS NOT NULL) AS priced, countIf(r.cost_total IS NULL) AS unpriced,
  countIf(r.status_code = 'Error') AS errors,
  sum(r.input_tokens) AS input_tokens, sum(r.output_tokens) AS output_tokens,
  sum(r.cache_read_tokens) AS cache_read_tokens, sum(r.duration_ns) AS duration_ns,
  sumIf(assumeNotNull(r.cost_total), r.cost_total IS NOT NULL) AS cost_total,
  sumIf(assumeNotNull(r.cost_input), r.cost_input IS NOT NULL) AS cost_input,
  sumIf(assumeNotNull(r.cost_cache_read), r.cost_cache_read IS NOT NULL) AS cost_cache_read,
  sumIf(assumeNotNull(r.cost_output), r.cost_output IS NOT NULL) AS cost_output`;

const ROLLUP_MEASURES = `
  sum(requests) AS requests, sum(priced_requests) AS priced, sum(unpriced_requests) AS unpriced,
  sum(error_requests) AS errors,
  sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens,
  sum(duration_ns) AS duration_ns,
  sum(cost_total) AS cost_total, sum(cost_input) AS cost_input, sum(cost_cache_read) AS cost_cache_read,
  sum(cost_output) AS cost_output`;

function totals() {
  return {
    raw: engine.query(`SELECT ${MEASURES} FROM otel.aicost_requests AS r`)[0],
    hourly: engine.query(`SELECT ${ROLLUP_MEASURES} FROM otel.aicost_rollup_hourly`)[0],
    daily: engine.query(`SELECT ${ROLLUP_MEASURES} FROM otel.aicost_rollup_daily`)[0],
    featureDaily: engine.query(`SELECT ${ROLLUP_MEASURES} FROM otel.aicost_rollup_feature_daily`)[0],
    customerDaily: engine.query(`SELECT ${ROLLUP_MEASURES} FROM otel.aicost_rollup_customer_daily`)[0],
  };
}

describe('rollups', () => {
  it('hold every request', () => {
    const { raw } = totals();
    expect(raw?.requests).toBe(String(SPANS));
    expect(raw?.unpriced).toBe(String(generated.unknownModel));
  });

  it('total exactly what the request table totals, to the nano-dollar', () => {
    const { raw, hourly, daily, featureDaily, customerDaily } = totals();
    expect(Number(raw?.priced)).toBeGreaterThan(2000);
    expect(hourly).toEqual(raw);
    expect(daily).toEqual(raw);
    expect(featureDaily).toEqual(raw);
    expect(customerDaily).toEqual(raw);
  });

  it('keep the SDK-recorded costs exactly (Decimal sums, not floats)', () => {
    const [row] = engine.query<{ recorded: string; n: string }>(
      "SELECT sum(cost_total) AS recorded, count() AS n FROM otel.aicost_requests WHERE price_source = 'genai-prices'",
    );
    expect(row?.n).toBe(String(generated.recorded));
    expect(parseNanos(row!.recorded)).toBe(generated.recordedNanos);
  });

  it('agree group by group: hour x feature and day x customer x feature', () => {
    const hourlyRaw = engine.query(
      `SELECT toStartOfHour(timestamp) AS hour, feature, ${MEASURES} FROM otel.aicost_requests AS r GROUP BY hour, feature ORDER BY hour, feature`,
    );
    const hourlyRollup = engine.query(
      `SELECT hour, feature, ${ROLLUP_MEASURES} FROM otel.aicost_rollup_hourly GROUP BY hour, feature ORDER BY hour, feature`,
    );
    expect(hourlyRaw.length).toBeGreaterThan(72 * 5);
    expect(hourlyRollup).toEqual(hourlyRaw);
    const dailyRaw = engine.query(
      `SELECT toDate(timestamp) AS day, customer, feature, ${MEASURES} FROM otel.aicost_requests AS r
       GROUP BY day, customer, feature ORDER BY day, customer, feature`,
    );
    const dailyRollup = engine.query(
      `SELECT day, customer, feature, ${ROLLUP_MEASURES} FROM otel.aicost_rollup_daily
       GROUP BY day, customer, feature ORDER BY day, customer, feature`,
    );
    expect(dailyRollup).toEqual(dailyRaw);
    const featureRaw = engine.query(
      `SELECT toDate(timestamp) AS day, feature, model, ${MEASURES} FROM otel.aicost_requests AS r
       GROUP BY day, feature, model ORDER BY day, feature, model`,
    );
    const featureRollup = engine.query(
      `SELECT day, feature, model, ${ROLLUP_MEASURES} FROM otel.aicost_rollup_feature_daily
       GROUP BY day, feature, model ORDER BY day, feature, model`,
    );
    expect(featureRollup).toEqual(featureRaw);
    const customerRaw = engine.query(
      `SELECT toDate(timestamp) AS day, customer, ${MEASURES} FROM otel.aicost_requests AS r
       GROUP BY day, customer ORDER BY day, customer`,
    );
    const customerRollup = engine.query(
      `SELECT day, customer, ${ROLLUP_MEASURES} FROM otel.aicost_rollup_customer_daily
       GROUP BY day, customer ORDER BY day, customer`,
    );
    expect(customerRollup).toEqual(customerRaw);
  });

  it('stay exact after the engine merges their parts', () => {
    const before = totals();
    const storage = () =>
      engine.query<{ parts: string; rows: string }>(
        "SELECT count() AS parts, sum(rows) AS rows FROM system.parts WHERE database = 'otel' AND table = 'aicost_rollup_hourly' AND active",
      )[0];
    const unmerged = storage();
    expect(Number(unmerged?.parts)).toBeGreaterThan(1);
    for (const table of ROLLUPS) {
      engine.exec(`SYSTEM START MERGES otel.${table}`);
      engine.exec(`OPTIMIZE TABLE otel.${table} FINAL`);
    }
    const merged = storage();
    expect(Number(merged?.parts)).toBeLessThan(Number(unmerged?.parts));
    expect(Number(merged?.rows)).toBeLessThan(Number(unmerged?.rows));
    const after = totals();
    expect(after).toEqual(before);
    for (const rollup of [after.hourly, after.daily, after.featureDaily, after.customerDaily]) {
      expect(rollup).toEqual(after.raw);
    }
  });

  it('are smaller than the raw table once merged, the narrow ones smaller still', () => {
    const [sizes] = engine.query<Record<string, string>>(`
      SELECT (SELECT count() FROM otel.aicost_requests) AS raw,
             (SELECT count() FROM otel.aicost_rollup_hourly) AS hourly,
             (SELECT count() FROM otel.aicost_rollup_daily) AS daily,
             (SELECT count() FROM otel.aicost_rollup_feature_daily) AS feature,
             (SELECT count() FROM otel.aicost_rollup_customer_daily) AS customer`);
    const size = (name: string) => Number(sizes?.[name]);
    expect(size('daily')).toBeLessThan(size('hourly'));
    expect(size('hourly')).toBeLessThanOrEqual(size('raw'));
    // Fewer key columns, fewer rows (how many fewer depends on the data: see bench/README.md).
    expect(size('feature')).toBeLessThan(size('daily'));
    expect(size('customer')).toBeLessThan(size('daily'));
  });
});
