/**
 * aicost_requests_repriced: every request at today's prices next to what was recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EngineSession,
  insertSpans,
  loadPriceRows,
  openMigratedEngine,
  type PriceRow,
} from '../support/chdb.js';
import { ALIASES, aicostCostAttributes, callSpan, PRICES } from './fixtures.js';

let engine: EngineSession;

const DAY = 86_400_000;
const now = Date.now();
const lastWeek = new Date(now - 7 * DAY);
const yesterday = new Date(now - DAY);

type Row = Record<string, unknown>;
const repriced = (spanId: string) =>
  engine.query<Row>(`SELECT * FROM otel.aicost_requests_repriced WHERE span_id = '${spanId}'`)[0];
const recorded = (spanId: string) =>
  engine.query<Row>(
    `SELECT cost_total, cost_status FROM otel.aicost_requests WHERE span_id = '${spanId}'`,
  )[0];

/** gpt-4o prices for a catalogue where the price changed yesterday (input 2.5 -> 2, output 10 -> 8). */
function catalogueWithPriceCut(): PriceRow[] {
  return PRICES.flatMap((row) => {
    if (row.modelId !== 'gpt-4o') return [row];
    return [
      { ...row, validTo: yesterday, priceVersion: 'genai-prices@0.1.9' },
      { ...row, validFrom: yesterday, inputMtok: '2', outputMtok: '8', priceVersion: 'genai-prices@0.1.9' },
    ];
  });
}

beforeAll(async () => {
  engine = await openMigratedEngine();
  await loadPriceRows(engine, PRICES, ALIASES);
  await insertSpans(engine, [
    // Priced in SQL at ingest (no cost on the span).
    callSpan({
      start: lastWeek,
      spanId: '00000000000000b1',
      provider: 'openai',
      requestModel: 'gpt-4o',
      usage: { input: 1_000_000, output: 100_000, cacheRead: 400_000 },
    }),
    // Priced by the SDK, with its catalogue ids.
    callSpan({
      start: lastWeek,
      spanId: '00000000000000b2',
      provider: 'openai',
      requestModel: 'gpt-4o',
      usage: { input: 2000, output: 1000 },
      attributes: aicostCostAttributes({
        total: '0.015000000',
        input: '0.005000000',
        output: '0.010000000',
        providerId: 'openai',
        modelId: 'gpt-4o',
      }),
    }),
    // Unknown when it happened.
    callSpan({
      start: lastWeek,
      spanId: '00000000000000b3',
      provider: 'mistral_ai',
      requestModel: 'mistral-large-latest',
      usage: { input: 1_000_000, output: 1_000_000 },
    }),
  ]);
});
afterAll(async () => {
  await engine?.close();
});

describe('re-pricing', () => {
  it('with unchanged prices, repriced equals recorded and the difference is exactly zero', () => {
    expect(repriced('00000000000000b1')).toMatchObject({
      // 600k uncached input x 2.5 + 400k cache reads x 1.25 + 100k output x 10 = 1.5 + 0.5 + 1.0.
      recorded_cost_usd: '3.000000000',
      repriced_cost_usd: '3.000000000',
      difference_usd: '0.000000000',
      repriced_price_model_id: 'gpt-4o',
    });
    expect(repriced('00000000000000b2')).toMatchObject({
      recorded_cost_usd: '0.015000000',
      repriced_cost_usd: '0.015000000',
      difference_usd: '0.000000000',
    });
  });

  it('after a price change, gives today’s cost and the exact difference; recorded costs do not move', async () => {
    await loadPriceRows(engine, catalogueWithPriceCut(), ALIASES);
    // 600k uncached input x 2 + 400k cache reads x 1.25 + 100k output x 8 = 1.2 + 0.5 + 0.8.
    expect(repriced('00000000000000b1')).toMatchObject({
      recorded_cost_usd: '3.000000000',
      repriced_cost_usd: '2.500000000',
      repriced_input_usd: '1.200000000',
      repriced_cache_read_usd: '0.500000000',
      repriced_output_usd: '0.800000000',
      repriced_price_version: 'genai-prices@0.1.9',
    });
    expect(repriced('00000000000000b1')?.difference_usd).toBe('-0.500000000');
    // 2000 x 2 + 1000 x 8 = 0.012, 0.003 less than recorded.
    expect(repriced('00000000000000b2')).toMatchObject({
      repriced_cost_usd: '0.012000000',
      difference_usd: '-0.003000000',
    });
    expect(recorded('00000000000000b1')).toEqual({ cost_total: '3.000000000', cost_status: 'priced' });
  });

  it('prices requests that were unknown once their model is loaded, without rewriting history', async () => {
    expect(repriced('00000000000000b3')).toMatchObject({
      recorded_cost_usd: null,
      repriced_cost_usd: null,
      difference_usd: null,
    });
    await loadPriceRows(
      engine,
      [
        ...catalogueWithPriceCut(),
        {
          providerId: 'mistral',
          modelId: 'mistral-large-latest',
          validFrom: '2024-11-18T00:00:00Z',
          inputMtok: '2',
          outputMtok: '6',
          priceSource: 'genai-prices',
          priceVersion: 'genai-prices@0.1.9',
        },
      ],
      [
        ...ALIASES,
        {
          provider: 'mistral_ai',
          matchKind: 'exact',
          pattern: 'mistral-large-latest',
          providerId: 'mistral',
          modelId: 'mistral-large-latest',
        },
      ],
    );
    expect(repriced('00000000000000b3')).toMatchObject({
      recorded_cost_usd: null,
      repriced_cost_usd: '8.000000000',
      repriced_price_provider_id: 'mistral',
      difference_usd: null,
    });
    expect(recorded('00000000000000b3')).toEqual({ cost_total: null, cost_status: 'unpriced' });
  });

  it('replaces the previous catalogue on load: a model dropped from the rows is no longer priced', async () => {
    await loadPriceRows(
      engine,
      PRICES.filter((row) => row.modelId !== 'gpt-4o'),
      ALIASES,
    );
    expect(repriced('00000000000000b1')).toMatchObject({ repriced_cost_usd: null, difference_usd: null });
  });
});
