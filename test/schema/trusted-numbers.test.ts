/**
 * The request table carries what the SDK records about where a number came from (issue
 * "trusted numbers"): the release (service.version), how the call was matched to its price,
 * the served service tier, and a provider-reported cost beside aicost's computed one. A span
 * that reaches the schema without a cost is never priced at the standard rate when it names a
 * tier the SQL does not price. On the real engine, through otel_traces.
 */
import { STANDARD_TIER_NAMES } from '@aicost/core';
import { readSchema } from '@aicost/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineSession, insertSpans, loadPriceRows, openMigratedEngine } from '../support/chdb.js';
import { ALIASES, aicostCostAttributes, callSpan, keepPinnedDates, PRICES } from './fixtures.js';

let engine: EngineSession;
let counter = 0;

beforeAll(async () => {
  engine = await openMigratedEngine();
  keepPinnedDates(engine);
  await loadPriceRows(engine, PRICES, ALIASES);
});
afterAll(async () => {
  await engine?.close();
});

const AT = '2026-11-02 09:30:00';
/** gpt-4o at 2.5 / 10 USD per 1M input / output tokens: 1000 in + 100 out = 0.0035 USD. */
const GPT_4O = { start: AT, provider: 'openai', requestModel: 'gpt-4o', usage: { input: 1000, output: 100 } };

function nextSpanId(): string {
  counter += 1;
  return `7a0573d0${counter.toString(16).padStart(8, '0')}`;
}

async function ingest(call: Parameters<typeof callSpan>[0]): Promise<Record<string, unknown>> {
  const [row] = await ingestAll([call]);
  return row!;
}

/** The spans in one insert block (one pass through the views), their rows in the same order. */
async function ingestAll(
  calls: readonly Parameters<typeof callSpan>[0][],
): Promise<Record<string, unknown>[]> {
  const spanIds = calls.map(() => nextSpanId());
  await insertSpans(
    engine,
    calls.map((call, index) => callSpan({ ...call, spanId: spanIds[index] })),
  );
  const rows = engine.query<Record<string, unknown> & { span_id: string }>(
    `SELECT span_id, service_version, price_match, service_tier, toString(cost_total) AS cost, cost_status,
            cost_status_reason, toString(cost_reported) AS reported, cost_reported_source,
            toString(cost_computed) AS computed
     FROM otel.aicost_requests WHERE span_id IN (${spanIds.map((id) => `'${id}'`).join(', ')})`,
  );
  return spanIds.map((id) => {
    const { span_id: _, ...row } = rows.find((candidate) => candidate.span_id === id)!;
    return row;
  });
}

describe('the request table keeps where each number came from', () => {
  it('records the release, the match and the tier as the SDK sent them', async () => {
    const row = await ingest({
      ...GPT_4O,
      resource: { 'service.version': '2.4.1' },
      attributes: {
        ...aicostCostAttributes({ total: '0.001750000', input: '0.001250000', output: '0.000500000' }),
        'aicost.price.match': 'model_id',
        'aicost.service_tier': 'flex',
      },
    });
    expect(row).toMatchObject({
      service_version: '2.4.1',
      price_match: 'model_id',
      service_tier: 'flex',
      cost: '0.00175',
      cost_status: 'priced',
    });
  });

  it('says provider_name for a span priced at ingest from its provider and model', async () => {
    expect(await ingest(GPT_4O)).toMatchObject({ price_match: 'provider_name', cost: '0.0035' });
  });

  it('keeps a reported cost exactly as stated (more than 9 decimals) beside the computed one, and the drift view compares them', async () => {
    const row = await ingest({
      ...GPT_4O,
      service: 'drift-check',
      attributes: {
        ...aicostCostAttributes({ total: '0.0036', status: 'provider_reported', source: 'provider' }),
        'aicost.cost.total': '0.003600000',
        'aicost.cost.reported': '0.0036000000001',
        'aicost.cost.reported_source': 'body.usage.cost',
        'aicost.cost.computed': '0.003500000',
      },
    });
    expect(row).toMatchObject({
      reported: '0.0036000000001',
      cost_reported_source: 'body.usage.cost',
      computed: '0.0035',
      cost_status: 'provider_reported',
    });
    const [drift] = engine.query(
      `SELECT requests, toString(reported_usd) AS reported, toString(computed_usd) AS computed,
              toString(drift_usd) AS drift
       FROM otel.aicost_reported_cost_drift WHERE service = 'drift-check'`,
    );
    // 0.0036000000001 - 0.0035, exactly.
    expect(drift).toEqual({
      requests: '1',
      reported: '0.0036000000001',
      computed: '0.0035',
      drift: '0.0001000000001',
    });
  });
});

describe('service tiers in SQL, by the rules @aicost/core exports (exportRoutingData)', () => {
  /** claude-sonnet-4-0 at 3 / 15 USD per 1M: 1000 in + 100 out = 0.0045 USD. */
  const CLAUDE = { ...GPT_4O, provider: 'anthropic', requestModel: 'claude-sonnet-4-0' };
  /** gemini-2.5-pro at 1.25 / 10 USD per 1M, 2.5 / 15 above 200k input tokens. */
  const GEMINI = { ...GPT_4O, provider: 'gcp.gemini', requestModel: 'gemini-2.5-pro' };

  it('applies each reviewed tier rule, to the nano in SQL', async () => {
    const cases = [
      // [call, served tier, cost, status]
      [GPT_4O, 'flex', '0.00175', 'priced'],
      [GPT_4O, 'default', '0.0035', 'priced'],
      [GPT_4O, 'scale', null, 'committed'],
      [CLAUDE, 'batch', '0.00225', 'priced'],
      [CLAUDE, 'standard', '0.0045', 'priced'],
      [CLAUDE, 'priority', null, 'committed'],
      [GEMINI, 'flex', '0.001125', 'priced'],
      [GEMINI, 'batch', '0.001125', 'priced'],
      [GEMINI, 'ON_DEMAND', '0.00225', 'priced'],
      [{ ...GEMINI, provider: 'gcp.vertex_ai' }, 'PROVISIONED_THROUGHPUT', null, 'committed'],
    ] as const;
    const rows = await ingestAll(
      cases.map(([call, tier]) => ({ ...call, attributes: { 'aicost.service_tier': tier } })),
    );
    expect(rows.map((row) => [row.service_tier, row.cost, row.cost_status, row.cost_status_reason])).toEqual(
      cases.map(([, tier, cost, status]) => [tier, cost, status, '']),
    );
  });

  it('scales the tier prices above the catalogue tier start too (gemini flex, 300k input tokens)', async () => {
    // Above 200k input tokens: 2.5 / 15 per 1M, halved: 300000 x 1.25 + 1000 x 7.5 per 1M.
    const row = await ingest({
      ...GEMINI,
      usage: { input: 300_000, output: 1000 },
      attributes: { 'aicost.service_tier': 'flex' },
    });
    expect(row).toMatchObject({ cost: '0.3825', cost_status: 'priced' });
    const [found] = engine.query<{ version: string }>(
      `SELECT price_version AS version FROM otel.aicost_requests WHERE service_tier = 'flex' AND input_tokens = 300000`,
    );
    expect(found?.version).toMatch(/^genai-prices@[^+]+\+service-tiers@/);
  });

  it('prices the tier that served the call, not the one requested', async () => {
    const row = await ingest({
      ...GPT_4O,
      attributes: { 'openai.request.service_tier': 'flex', 'aicost.service_tier': 'default' },
    });
    expect(row).toMatchObject({ cost: '0.0035', cost_status: 'priced', service_tier: 'default' });
  });

  it('never prices a tier without a reviewed rule at the standard rate: unpriced, unknown_service_tier', async () => {
    const cases = [
      [GPT_4O, 'priority'],
      [GPT_4O, 'batch'],
      [GPT_4O, 'PROVISIONED_THROUGHPUT'],
      [CLAUDE, 'flex'],
      [GEMINI, 'turbo'],
    ] as const;
    const rows = await ingestAll(
      cases.map(([call, tier]) => ({ ...call, attributes: { 'aicost.service_tier': tier } })),
    );
    for (const [index, [, tier]] of cases.entries()) {
      expect(rows[index], tier).toMatchObject({
        cost: null,
        cost_status: 'unpriced',
        cost_status_reason: 'unknown_service_tier',
        service_tier: tier,
      });
    }
  });

  it('prices the standard tier under each provider spelling at the list price', async () => {
    const tiers = [...STANDARD_TIER_NAMES];
    const rows = await ingestAll(
      tiers.map((tier) => ({ ...GPT_4O, attributes: { 'aicost.service_tier': tier } })),
    );
    for (const [index, tier] of tiers.entries()) {
      expect(rows[index], tier).toMatchObject({
        cost: '0.0035',
        cost_status: 'priced',
      });
    }
  });

  it('knows the same standard tier names as @aicost/core', () => {
    const pricing = readSchema().find((file) => file.name === '015_pricing.sql')!;
    const fn = pricing.statements.find((statement) => statement.includes('FUNCTION aicost_standard_tier'))!;
    const names = [...fn.matchAll(/'([^']*)'/g)].map((match) => match[1]);
    expect(new Set(names)).toEqual(new Set(['', ...STANDARD_TIER_NAMES]));
  });
});
