/**
 * Who may write costs (packages/schema/sql/016_cost_trust.sql): any OTLP sender can put
 * `aicost.cost.*` on a span. The request table keeps a sender's cost only when it is
 * consistent, and otherwise re-prices the usage from the catalogue or leaves the request
 * unpriced, with status reason `invalid_cost`. On the real engine, through otel_traces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineSession, insertSpans, loadPriceRows, openMigratedEngine } from '../support/chdb.js';
import {
  ALIASES,
  aicostCostAttributes,
  type CallSpan,
  callSpan,
  keepPinnedDates,
  PRICES,
} from './fixtures.js';

let engine: EngineSession;
let spanCounter = 0;

beforeAll(async () => {
  engine = await openMigratedEngine();
  keepPinnedDates(engine);
  await loadPriceRows(engine, PRICES, ALIASES);
});
afterAll(async () => {
  await engine?.close();
});

type Row = Record<string, unknown>;

async function ingest(call: CallSpan): Promise<Row | undefined> {
  spanCounter += 1;
  const spanId = `c0577a11${spanCounter.toString(16).padStart(8, '0')}`;
  await insertSpans(engine, [callSpan({ ...call, spanId })]);
  return engine.query(`SELECT * FROM otel.aicost_requests WHERE span_id = '${spanId}'`)[0];
}

const AT = '2026-11-02 09:30:00.123456789';
/** gpt-4o at 2.5 / 10 USD per 1M input / output tokens: 1000 in + 100 out = 0.0035 USD. */
const GPT_4O_CALL = {
  start: AT,
  provider: 'openai',
  requestModel: 'gpt-4o',
  usage: { input: 1000, output: 100 },
};
const GPT_4O_CATALOGUE = {
  cost_total: '0.003500000',
  cost_input: '0.002500000',
  cost_output: '0.001000000',
  cost_status: 'priced',
  price_source: 'clickhouse:genai-prices',
  price_version: 'genai-prices@0.1.8',
  price_model_id: 'gpt-4o',
  currency: 'USD',
};

describe('a cost sent on the span', () => {
  it('is kept exactly, with its status and provenance, when the SDK priced it correctly', async () => {
    const row = await ingest({
      ...GPT_4O_CALL,
      attributes: aicostCostAttributes({
        total: '0.003500000',
        input: '0.002500000',
        output: '0.001000000',
        version: 'genai-prices@0.1.7',
        providerId: 'openai',
        modelId: 'gpt-4o',
      }),
    });
    expect(row).toMatchObject({
      cost_total: '0.003500000',
      cost_input: '0.002500000',
      cost_output: '0.001000000',
      cost_status: 'priced',
      cost_status_reason: '',
      // The SDK's provenance, not the table's: the cost was kept, not re-priced.
      price_source: 'genai-prices',
      price_version: 'genai-prices@0.1.7',
      currency: 'USD',
    });
  });

  it('is kept when it differs from the catalogue within the tolerance (a Batch-tier half price)', async () => {
    const row = await ingest({
      ...GPT_4O_CALL,
      attributes: aicostCostAttributes({ total: '0.001750000', input: '0.001250000', output: '0.000500000' }),
    });
    expect(row).toMatchObject({
      cost_total: '0.001750000',
      price_source: 'genai-prices',
      cost_status_reason: '',
    });
  });

  it.each([
    ['a negative cost', aicostCostAttributes({ total: '-5.000000000' })],
    ['zero for 10M tokens', aicostCostAttributes({ total: '0.000000000' })],
    ['a cost in EUR', { ...aicostCostAttributes({ total: '0.003200000' }), 'aicost.cost.currency': 'EUR' }],
    ['a cost on a span marked unpriced', aicostCostAttributes({ total: '0.003500000', status: 'unpriced' })],
    ['1000 times the catalogue price', aicostCostAttributes({ total: '3.500000000' })],
    [
      'a negative part',
      aicostCostAttributes({ total: '0.003500000', input: '0.004500000', output: '-0.001000000' }),
    ],
    [
      'parts larger than the total',
      aicostCostAttributes({ total: '0.003500000', input: '0.003500000', output: '0.001000000' }),
    ],
  ])(
    '%s: refused, the usage re-priced from the catalogue, reason invalid_cost',
    async (_label, attributes) => {
      const tenMillion = _label === 'zero for 10M tokens';
      const row = await ingest({
        ...GPT_4O_CALL,
        ...(tenMillion ? { usage: { input: 10_000_000 } } : {}),
        attributes,
      });
      expect(row).toMatchObject(
        tenMillion
          ? { cost_total: '25.000000000', cost_status: 'priced', price_source: 'clickhouse:genai-prices' }
          : GPT_4O_CATALOGUE,
      );
      expect(row?.cost_status_reason).toBe('invalid_cost');
    },
  );

  it('refused where the catalogue cannot re-price: unpriced, NULL cost, reason invalid_cost', async () => {
    const row = await ingest({
      start: AT,
      provider: 'openai',
      requestModel: 'internal-finetune',
      usage: { input: 1000 },
      attributes: aicostCostAttributes({ total: '-1.000000000' }),
    });
    expect(row).toMatchObject({
      cost_total: null,
      cost_input: null,
      cost_status: 'unpriced',
      cost_status_reason: 'invalid_cost',
      price_source: '',
    });
  });

  it('refused on a span without usage: unpriced, reason invalid_cost', async () => {
    const row = await ingest({
      start: AT,
      provider: 'openai',
      requestModel: 'gpt-4o',
      attributes: { ...aicostCostAttributes({ total: '0.010000000' }), 'aicost.cost.currency': 'EUR' },
    });
    expect(row).toMatchObject({
      has_usage: false,
      cost_total: null,
      cost_status: 'unpriced',
      cost_status_reason: 'invalid_cost',
    });
  });

  it('kept on its own terms where the catalogue has no price for the model (self-hosted, fine-tunes)', async () => {
    const row = await ingest({
      start: AT,
      provider: 'vllm',
      requestModel: 'llama-3.1-70b',
      usage: { input: 1000, output: 100 },
      attributes: aicostCostAttributes({
        total: '0.000420000',
        other: '0.000420000',
        status: 'estimated',
        source: 'self_hosted',
      }),
    });
    expect(row).toMatchObject({
      cost_total: '0.000420000',
      cost_status: 'estimated',
      price_source: 'self_hosted',
    });
  });

  it('a cost too large for any arithmetic is refused without failing the insert for the other spans', async () => {
    spanCounter += 1;
    const huge = `c0577a11${spanCounter.toString(16).padStart(8, '0')}`;
    spanCounter += 1;
    const fine = `c0577a11${spanCounter.toString(16).padStart(8, '0')}`;
    await insertSpans(engine, [
      callSpan({
        ...GPT_4O_CALL,
        spanId: huge,
        attributes: aicostCostAttributes({
          total: '99999999999999999999999999999.999999999',
          input: '99999999999999999999999999999.999999999',
          output: '99999999999999999999999999999.999999999',
        }),
      }),
      callSpan({ ...GPT_4O_CALL, spanId: fine }),
    ]);
    const rows = engine.query(
      `SELECT span_id, cost_total, cost_status_reason FROM otel.aicost_requests WHERE span_id IN ('${huge}', '${fine}') ORDER BY span_id`,
    );
    expect(rows).toEqual([
      { span_id: huge, cost_total: '0.003500000', cost_status_reason: 'invalid_cost' },
      { span_id: fine, cost_total: '0.003500000', cost_status_reason: '' },
    ]);
  });

  it('a cost above the per-call ceiling is refused where no catalogue price can judge it, so totals cannot wrap', async () => {
    const ceiling = engine.query('SELECT toDecimalString(aicost_cost_ceiling(), 9) AS c')[0]!.c as string;
    const ids: string[] = [];
    const unknownModel = (spanId: string, total: string) =>
      callSpan({
        start: AT,
        provider: 'vllm',
        requestModel: 'in-house-model',
        spanId,
        usage: { input: 10, output: 10 },
        attributes: aicostCostAttributes({ total, other: total, status: 'estimated', source: 'self_hosted' }),
      });
    const spans = [];
    for (const total of [
      ceiling,
      ceiling,
      '99999999999999999999999999.000000000',
      '99999999999999999999999999.000000000',
    ]) {
      spanCounter += 1;
      const id = `c0577a11${spanCounter.toString(16).padStart(8, '0')}`;
      ids.push(id);
      spans.push(unknownModel(id, total));
    }
    await insertSpans(engine, spans);
    const list = ids.map((id) => `'${id}'`).join(', ');
    const rows = engine.query(
      `SELECT cost_total, cost_status_reason FROM otel.aicost_requests WHERE span_id IN (${list}) ORDER BY span_id`,
    );
    // At the ceiling: kept. Above it (two values that would wrap a Decimal(38, 9) sum): refused.
    expect(rows).toEqual([
      { cost_total: ceiling, cost_status_reason: '' },
      { cost_total: ceiling, cost_status_reason: '' },
      { cost_total: null, cost_status_reason: 'invalid_cost' },
      { cost_total: null, cost_status_reason: 'invalid_cost' },
    ]);
    const total = engine.query(
      `SELECT toDecimalString(sum(cost_total), 9) AS total FROM otel.aicost_requests WHERE span_id IN (${list})`,
    )[0]!.total;
    expect(BigInt((total as string).replace('.', ''))).toBe(2n * BigInt(ceiling.replace('.', '')));
  });
});
