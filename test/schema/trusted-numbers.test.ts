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
  const spanId = nextSpanId();
  await insertSpans(engine, [callSpan({ ...call, spanId })]);
  const [row] = engine.query(
    `SELECT service_version, price_match, service_tier, toString(cost_total) AS cost, cost_status,
            cost_status_reason, toString(cost_reported) AS reported, cost_reported_source,
            toString(cost_computed) AS computed
     FROM otel.aicost_requests WHERE span_id = '${spanId}'`,
  );
  return row!;
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

describe('service tiers in SQL', () => {
  it('never prices a non-standard tier at the standard rate: unpriced, unknown_service_tier', async () => {
    for (const tier of ['flex', 'priority', 'batch', 'PROVISIONED_THROUGHPUT']) {
      expect(await ingest({ ...GPT_4O, attributes: { 'aicost.service_tier': tier } }), tier).toMatchObject({
        cost: null,
        cost_status: 'unpriced',
        cost_status_reason: 'unknown_service_tier',
        service_tier: tier,
      });
    }
  });

  it('prices the standard tier under each provider spelling at the list price', async () => {
    for (const tier of [...STANDARD_TIER_NAMES]) {
      expect(await ingest({ ...GPT_4O, attributes: { 'aicost.service_tier': tier } }), tier).toMatchObject({
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
