/**
 * otel_traces -> aicost_requests on the real engine: spans inserted with the exporter's
 * exact column list and value conventions come out as typed, priced requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costNanos, formatNanos, parseDecimal } from '../../packages/core/src/money/index.js';
import { type EngineSession, insertSpans, loadPriceRows, openMigratedEngine } from '../support/chdb.js';
import {
  ALIASES,
  aicostCostAttributes,
  type CallSpan,
  callSpan,
  keepPinnedDates,
  PRICES,
  prng,
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

/** Inserts one span through otel_traces and returns its request row (undefined if the MV skipped it). */
async function ingest(call: CallSpan): Promise<Row | undefined> {
  spanCounter += 1;
  const spanId = `5ca1ab1e${spanCounter.toString(16).padStart(8, '0')}`;
  await insertSpans(engine, [callSpan({ ...call, spanId })]);
  return engine.query(`SELECT * FROM otel.aicost_requests WHERE span_id = '${spanId}'`)[0];
}

function costs(row: Row | undefined) {
  return {
    total: row?.cost_total,
    input: row?.cost_input,
    cacheRead: row?.cost_cache_read,
    cacheWrite: row?.cost_cache_write,
    output: row?.cost_output,
    other: row?.cost_other,
  };
}

const AT = '2026-11-02 09:30:00.123456789';

describe('which spans become requests', () => {
  it('takes model-call spans, with the provider from gen_ai.provider.name or the legacy gen_ai.system', async () => {
    const current = await ingest({
      start: AT,
      provider: 'openai',
      requestModel: 'gpt-4o',
      usage: { input: 1 },
    });
    expect(current?.provider).toBe('openai');
    const legacy = await ingest({
      start: AT,
      requestModel: 'gpt-4o',
      usage: { input: 1 },
      attributes: { 'gen_ai.system': 'openai' },
    });
    expect(legacy?.provider).toBe('openai');
    expect(legacy?.cost_status).toBe('priced');
  });

  it('leaves out non-GenAI spans and agent/tool spans whose usage would double-count', async () => {
    spanCounter += 1;
    const ids = ['a', 'b', 'c'].map((s) => `${s}${spanCounter.toString(16).padStart(15, '0')}`);
    await insertSpans(engine, [
      { start: AT, spanId: ids[0], name: 'GET /api', attributes: { 'http.request.method': 'GET' } },
      callSpan({ start: AT, spanId: ids[1], operation: 'execute_tool', provider: 'openai' }),
      callSpan({
        start: AT,
        spanId: ids[2],
        operation: 'invoke_agent',
        provider: 'openai',
        usage: { input: 5000, output: 100 },
      }),
    ]);
    const rows = engine.query(
      `SELECT span_id FROM otel.aicost_requests WHERE span_id IN ('${ids.join("','")}')`,
    );
    expect(rows).toEqual([]);
  });
});

describe('typed columns', () => {
  it('reads every field from the exporter layout', async () => {
    const row = await ingest({
      start: AT,
      provider: 'openai',
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o-2024-08-06',
      service: 'support-bot',
      resource: { 'deployment.environment.name': 'prod' },
      durationNs: 2_345_678_901n,
      statusCode: 'Error',
      scopeName: '@aicost/instrumentation-openai',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      usage: { input: 1200, output: 300, cacheRead: 1000, reasoning: 120 },
      attributes: {
        'gen_ai.response.id': 'chatcmpl-123',
        'server.address': 'api.openai.com',
        'aicost.feature': 'ticket-summary',
        'aicost.customer': 'acme',
        'aicost.workflow': 'triage',
        'aicost.team': 'support',
        'aicost.attr.region': 'eu',
        'aicost.attr.plan': 'enterprise',
        'aicost.request.stream': true,
        'aicost.response.time_to_first_chunk': 0.42,
        'aicost.usage.source': 'aicost',
        'error.type': 'RateLimitError',
      },
    });
    expect(row).toMatchObject({
      timestamp: '2026-11-02 09:30:00.123456789',
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_name: 'chat gpt-4o',
      scope_name: '@aicost/instrumentation-openai',
      service: 'support-bot',
      environment: 'prod',
      provider: 'openai',
      operation: 'chat',
      request_model: 'gpt-4o',
      response_model: 'gpt-4o-2024-08-06',
      model: 'gpt-4o-2024-08-06',
      response_id: 'chatcmpl-123',
      server_address: 'api.openai.com',
      has_usage: true,
      input_tokens: '1200',
      output_tokens: '300',
      cache_read_tokens: '1000',
      reasoning_tokens: '120',
      request_units: '1',
      usage_source: 'aicost',
      feature: 'ticket-summary',
      customer: 'acme',
      workflow: 'triage',
      team: 'support',
      custom_attribution: { region: 'eu', plan: 'enterprise' },
      stream: true,
      duration_ns: '2345678901',
      time_to_first_chunk_s: 0.42,
      error_type: 'RateLimitError',
      status_code: 'Error',
    });
  });

  it('falls back to deployment.environment and leaves absent fields empty, not made up', async () => {
    const row = await ingest({
      start: AT,
      provider: 'openai',
      requestModel: 'gpt-4o',
      resource: { 'deployment.environment': 'staging' },
      usage: { input: 10, output: 1 },
    });
    expect(row).toMatchObject({
      environment: 'staging',
      response_model: '',
      model: 'gpt-4o',
      feature: '',
      customer: '',
      stream: false,
      time_to_first_chunk_s: null,
      error_type: '',
      status_code: 'Unset',
    });
  });
});

describe('stream flag', () => {
  const streamed = (attributes: Record<string, string | boolean>) =>
    ingest({
      start: AT,
      provider: 'anthropic',
      requestModel: 'claude-sonnet-4-0',
      usage: { input: 5 },
      attributes,
    });

  it('reads gen_ai.request.stream (SDKs that trace themselves) when aicost.request.stream is absent', async () => {
    expect((await streamed({ 'gen_ai.request.stream': true }))?.stream).toBe(true);
    expect((await streamed({ 'gen_ai.request.stream': false }))?.stream).toBe(false);
  });

  it('prefers aicost.request.stream over gen_ai.request.stream when both are present', async () => {
    const ours = { 'aicost.request.stream': false, 'gen_ai.request.stream': true };
    expect((await streamed(ours))?.stream).toBe(false);
    const oursTrue = { 'aicost.request.stream': true, 'gen_ai.request.stream': false };
    expect((await streamed(oursTrue))?.stream).toBe(true);
  });
});

describe('cost recorded by aicost', () => {
  it('keeps the span cost, status and provenance exactly, even where today the SQL price differs', async () => {
    const row = await ingest({
      start: AT,
      provider: 'openai',
      requestModel: 'gpt-4o',
      usage: { input: 1000, output: 100 },
      attributes: aicostCostAttributes({
        // Deliberately not the catalogue price: a negotiated override recorded by the SDK.
        total: '0.001234567',
        input: '0.000234567',
        output: '0.001000000',
        status: 'override',
        source: 'override',
        version: 'prices.yaml@7',
        providerId: 'openai',
        modelId: 'gpt-4o',
      }),
    });
    expect(costs(row)).toEqual({
      total: '0.001234567',
      input: '0.000234567',
      cacheRead: '0.000000000',
      cacheWrite: '0.000000000',
      output: '0.001000000',
      other: '0.000000000',
    });
    expect(row).toMatchObject({
      cost_status: 'override',
      price_source: 'override',
      price_version: 'prices.yaml@7',
      price_provider_id: 'openai',
      price_model_id: 'gpt-4o',
      currency: 'USD',
    });
  });

  it('parses large and tiny amounts as Decimal without float error', async () => {
    const row = await ingest({
      start: AT,
      provider: 'openai',
      requestModel: 'gpt-4o',
      // Usage the amount is the catalogue price of (2.5 USD per 1M input tokens), so the cost
      // passes the catalogue check (016_cost_trust.sql) and its digits are what is pinned.
      usage: { input: 4_938_271_200_000 },
      attributes: aicostCostAttributes({ total: '12345678.000000001', input: '12345678.000000001' }),
    });
    expect(row?.cost_total).toBe('12345678.000000001');
    expect(row?.cost_input).toBe('12345678.000000001');
  });
});

describe('spans that arrive without a cost are priced in SQL', () => {
  it('prices usage at the catalogue row found through the response model', async () => {
    const row = await ingest({
      start: AT,
      provider: 'openai',
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o-2024-08-06',
      usage: { input: 1000, output: 7, cacheRead: 200 },
    });
    // 800 uncached input x $2.5/M = $0.002; 200 cache reads x $1.25/M = $0.00025; 7 output x $10/M = $0.00007.
    expect(costs(row)).toEqual({
      total: '0.002320000',
      input: '0.002000000',
      cacheRead: '0.000250000',
      cacheWrite: '0.000000000',
      output: '0.000070000',
      other: '0.000000000',
    });
    expect(row).toMatchObject({
      cost_status: 'priced',
      cost_status_reason: '',
      price_source: 'clickhouse:genai-prices',
      price_version: 'genai-prices@0.1.8',
      price_provider_id: 'openai',
      price_model_id: 'gpt-4o',
    });
  });

  it('matches the longest prefix, case-insensitively, and falls back to the request model', async () => {
    const byPrefix = await ingest({
      start: AT,
      provider: 'Anthropic',
      requestModel: 'Claude-Sonnet-4-20250514',
      usage: { input: 100, output: 10 },
    });
    expect(byPrefix?.price_model_id).toBe('claude-sonnet-4-0');
    // The longer prefix `claude-sonnet-4-5` exists but has no price row: found, not priced.
    const longer = await ingest({
      start: AT,
      provider: 'anthropic',
      requestModel: 'claude-sonnet-4-5-20250929',
      usage: { input: 100, output: 10 },
    });
    expect(longer?.cost_total).toBeNull();
    expect(longer?.cost_status_reason).toBe('unknown_model');

    const requestModelOnly = await ingest({
      start: AT,
      provider: 'openai',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2099-01-01',
      usage: { input: 1_000_000, output: 1_000_000 },
    });
    expect(requestModelOnly?.price_model_id).toBe('gpt-4o-mini');
    expect(requestModelOnly?.cost_total).toBe('0.750000000');
  });

  it('finds Bedrock-style ids by substring, in rank order, after exact and prefix rules', async () => {
    const crossRegion = await ingest({
      start: AT,
      provider: 'aws.bedrock',
      requestModel: 'us.anthropic.claude-3-5-sonnet-20240620-v1:0',
      usage: { input: 1000, output: 100 },
    });
    expect(crossRegion).toMatchObject({
      price_provider_id: 'aws',
      price_model_id: 'regional.anthropic.claude-3-5-sonnet-20240620-v1:0',
      cost_total: '0.004500000',
    });
    // Both 'amazon.nova-pro' (rank 2) and 'amazon.nova' (rank 3) are contained: rank decides.
    const novaPro = await ingest({
      start: AT,
      provider: 'aws.bedrock',
      requestModel: 'eu.amazon.nova-pro-v1:0',
      usage: { input: 1_000_000 },
    });
    expect(novaPro).toMatchObject({ price_model_id: 'amazon.nova-pro-v1:0', cost_total: '0.800000000' });
    const novaLite = await ingest({
      start: AT,
      provider: 'aws.bedrock',
      requestModel: 'amazon.nova-lite-v1:0',
      usage: { input: 1_000_000 },
    });
    expect(novaLite).toMatchObject({ price_model_id: 'amazon.nova-lite-v1:0', cost_total: '0.060000000' });
    // Substring rules belong to their provider only.
    const otherProvider = await ingest({
      start: AT,
      provider: 'openai',
      requestModel: 'amazon.nova-pro-v1:0',
      usage: { input: 10 },
    });
    expect(otherProvider?.cost_total).toBeNull();
  });

  it('maps semconv provider names to catalogue ids through the aliases', async () => {
    const row = await ingest({
      start: AT,
      provider: 'gcp.gemini',
      operation: 'generate_content',
      requestModel: 'gemini-2.5-pro',
      usage: { input: 1000, output: 100 },
    });
    expect(row).toMatchObject({ price_provider_id: 'google', price_model_id: 'gemini-2.5-pro' });
    // 1000 x 1.25 + 100 x 10 per M.
    expect(row?.cost_total).toBe('0.002250000');
  });

  it('applies the tier price to every token above the tier start (input tokens, cache included)', async () => {
    const below = await ingest({
      start: AT,
      provider: 'google',
      requestModel: 'gemini-2.5-pro',
      usage: { input: 200_000, output: 1000, cacheRead: 100_000 },
    });
    // Not above 200,000: base prices. 100k x 1.25 + 100k x 0.31 + 1000 x 10.
    expect(costs(below)).toMatchObject({
      input: '0.125000000',
      cacheRead: '0.031000000',
      output: '0.010000000',
    });
    const above = await ingest({
      start: AT,
      provider: 'google',
      requestModel: 'gemini-2.5-pro',
      usage: { input: 200_001, output: 1000, cacheRead: 100_000 },
    });
    // 100,001 x 2.5 + 100k x 0.625 + 1000 x 15.
    expect(costs(above)).toMatchObject({
      input: '0.250002500',
      cacheRead: '0.062500000',
      output: '0.015000000',
    });
    expect(above?.cost_total).toBe('0.327502500');
  });

  it('prices one-hour cache writes apart from the rest of the cache writes', async () => {
    const row = await ingest({
      start: AT,
      provider: 'anthropic',
      requestModel: 'claude-sonnet-4-0',
      usage: { input: 3000, output: 100, cacheRead: 500, cacheWrite: 1000, cacheWrite1h: 400 },
    });
    // input 3000 - 500 - 1000 = 1500 x 3; cache read 500 x 0.3; writes 600 x 3.75 + 400 x 6; output 100 x 15.
    expect(costs(row)).toEqual({
      total: '0.010800000',
      input: '0.004500000',
      cacheRead: '0.000150000',
      cacheWrite: '0.004650000',
      output: '0.001500000',
      other: '0.000000000',
    });
  });

  it('puts separately priced audio and per-request fees into `other`', async () => {
    const audio = await ingest({
      start: AT,
      provider: 'openai',
      requestModel: 'gpt-4o-audio-preview',
      usage: { input: 1000, inputAudio: 600, output: 500, outputAudio: 200 },
    });
    // text input 400 x 2.5; text output 300 x 10; audio 600 x 40 + 200 x 80.
    expect(costs(audio)).toMatchObject({ input: '0.001000000', output: '0.003000000', other: '0.040000000' });
    const fee = await ingest({
      start: AT,
      provider: 'perplexity',
      requestModel: 'sonar',
      usage: { input: 100, output: 100 },
    });
    // 200 tokens x $1/M + one request at $5 per 1000.
    expect(costs(fee)).toMatchObject({ input: '0.000100000', output: '0.000100000', other: '0.005000000' });
  });

  it('uses the price valid at the span start across a price change', async () => {
    const usage = { input: 1_000_000, output: 1_000_000 };
    const before = await ingest({
      start: '2026-05-31 23:59:59.999999999',
      provider: 'openai',
      requestModel: 'gpt-4.1',
      usage,
    });
    const after = await ingest({
      start: '2026-06-01 00:00:00',
      provider: 'openai',
      requestModel: 'gpt-4.1',
      usage,
    });
    expect(before?.cost_total).toBe('10.000000000');
    expect(after?.cost_total).toBe('7.500000000');
  });

  it('rounds each line half up to the nano exactly like @aicost/core costNanos', async () => {
    const random = prng(20261128);
    const inputPrice = parseDecimal('0.0375')!;
    const outputPrice = parseDecimal('1.234567891234')!;
    const expected = new Map<string, { input: string; output: string; total: string }>();
    const spans = [];
    for (let i = 0; i < 400; i += 1) {
      const input = Math.floor(random() * 50_000) + 1;
      const output = Math.floor(random() * 5_000);
      const spanId = `0dd${i.toString(16).padStart(13, '0')}`;
      const inputNanos = costNanos(input, inputPrice);
      const outputNanos = costNanos(output, outputPrice);
      expected.set(spanId, {
        input: formatNanos(inputNanos),
        output: formatNanos(outputNanos),
        total: formatNanos(inputNanos + outputNanos),
      });
      spans.push(
        callSpan({
          start: AT,
          spanId,
          provider: 'self_hosted',
          requestModel: 'odd-model',
          usage: { input, output },
        }),
      );
    }
    // Half-nano cases on purpose: 4 tokens x 0.0375 = 0.15 micro-dollars = 150 nano exactly, and
    // 7 tokens x 0.0375 = 262.5 nano -> 263 (half up).
    expected.set('0dd0ffffffffff01', { input: '0.000000263', output: '0.000000000', total: '0.000000263' });
    spans.push(
      callSpan({
        start: AT,
        spanId: '0dd0ffffffffff01',
        provider: 'self_hosted',
        requestModel: 'odd-model',
        usage: { input: 7, output: 0 },
      }),
    );
    await insertSpans(engine, spans);
    const rows = engine.query<Row>(
      `SELECT span_id, cost_input, cost_output, cost_total, price_source FROM otel.aicost_requests WHERE span_id LIKE '0dd%'`,
    );
    expect(rows).toHaveLength(expected.size);
    for (const row of rows) {
      const want = expected.get(String(row.span_id));
      expect({ input: row.cost_input, output: row.cost_output, total: row.cost_total }).toEqual(want);
      expect(row.price_source).toBe('clickhouse:override');
    }
  });
});

describe('no cost is never zero cost', () => {
  it('unknown model: unpriced, NULL cost, reason unknown_model', async () => {
    const row = await ingest({
      start: AT,
      provider: 'openai',
      requestModel: 'gpt-9-ultra',
      usage: { input: 1000, output: 100 },
    });
    expect(costs(row)).toEqual({
      total: null,
      input: null,
      cacheRead: null,
      cacheWrite: null,
      output: null,
      other: null,
    });
    expect(row).toMatchObject({
      cost_status: 'unpriced',
      cost_status_reason: 'unknown_model',
      price_source: '',
      price_model_id: '',
    });
  });

  it('unknown provider for a known model id: unpriced', async () => {
    const row = await ingest({
      start: AT,
      provider: 'acme-llm',
      requestModel: 'gpt-4o',
      usage: { input: 10 },
    });
    expect(row?.cost_total).toBeNull();
    expect(row?.cost_status).toBe('unpriced');
  });

  it('no usage: unpriced with reason missing_usage', async () => {
    const row = await ingest({ start: AT, provider: 'openai', requestModel: 'gpt-4o' });
    expect(row).toMatchObject({ has_usage: false, cost_total: null, cost_status_reason: 'missing_usage' });
  });

  it('parts larger than their whole: unpriced with reason invalid_usage', async () => {
    const row = await ingest({
      start: AT,
      provider: 'openai',
      requestModel: 'gpt-4o',
      usage: { input: 100, cacheRead: 500, output: 1 },
    });
    expect(row).toMatchObject({
      cost_total: null,
      cost_status: 'unpriced',
      cost_status_reason: 'invalid_usage',
    });
  });

  it('keeps the SDK reason when SQL cannot price either, and prices what the SDK could not', async () => {
    const stillUnknown = await ingest({
      start: AT,
      provider: 'openai',
      requestModel: 'internal-finetune',
      usage: { input: 10 },
      attributes: { 'aicost.cost.status': 'unpriced', 'aicost.cost.status_reason': 'unknown_provider' },
    });
    expect(stillUnknown).toMatchObject({ cost_total: null, cost_status_reason: 'unknown_provider' });

    // An older SDK catalogue did not know the model; the price table does.
    const nowKnown = await ingest({
      start: AT,
      provider: 'openai',
      requestModel: 'gpt-4o',
      usage: { input: 1_000_000 },
      attributes: { 'aicost.cost.status': 'unpriced', 'aicost.cost.status_reason': 'unknown_model' },
    });
    expect(nowKnown).toMatchObject({
      cost_total: '2.500000000',
      cost_status: 'priced',
      cost_status_reason: '',
      price_source: 'clickhouse:genai-prices',
    });
  });
});
