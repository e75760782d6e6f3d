import { diag } from '@opentelemetry/api';
import { findProvider } from '@pydantic/genai-prices';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { costAttributes, createPricer, SERVICE_TIER_RULES } from '../src/pricing/index.js';
import type { PricingRequest, TokenUsage } from '../src/types.js';

afterEach(() => vi.restoreAllMocks());

const usage: TokenUsage = {
  inputTokens: 1200,
  outputTokens: 340,
  cacheReadTokens: 200,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  requests: 1,
};

const book = () => createPricer({ pricesFile: false, hosts: {} });

type PriceKey = 'input_mtok' | 'cache_read_mtok' | 'output_mtok';

/** The catalogue's base price per million tokens, as an exact fraction [units, 10^scale]. */
function listPrice(providerId: string, modelId: string, key: PriceKey): [bigint, bigint] {
  const model = findProvider({ providerId })!.models.find((candidate) => candidate.id === modelId)!;
  const prices = (Array.isArray(model.prices) ? model.prices.at(-1)!.prices : model.prices) as Record<
    string,
    unknown
  >;
  const price = prices[key];
  const text = String(typeof price === 'object' && price !== null ? (price as { base: number }).base : price);
  const [whole, fraction = ''] = text.split('.');
  return [BigInt(whole! + fraction), 10n ** BigInt(fraction.length)];
}

/**
 * The cost of `usage` at list price times a factor, in nano-USD, computed here from the catalogue's
 * numbers and the factor alone: uncached input, cache reads and output, each line rounded half up
 * to the nano like the price book does.
 */
function expectedNanos(providerId: string, modelId: string, factor: [bigint, bigint]): bigint {
  const lines: Array<[number, PriceKey]> = [
    [usage.inputTokens - usage.cacheReadTokens, 'input_mtok'],
    [usage.cacheReadTokens, 'cache_read_mtok'],
    [usage.outputTokens, 'output_mtok'],
  ];
  let total = 0n;
  for (const [tokens, key] of lines) {
    const [units, scale] = listPrice(providerId, modelId, key);
    const numerator = BigInt(tokens) * units * factor[0] * 1_000_000_000n;
    const denominator = scale * factor[1] * 1_000_000n;
    total += (numerator * 2n + denominator) / (2n * denominator);
  }
  return total;
}

const HALF: [bigint, bigint] = [1n, 2n];
const ONE: [bigint, bigint] = [1n, 1n];

function price(request: Omit<PricingRequest, 'usage'>) {
  return book().priceUsage({ ...request, usage });
}

describe('service tiers: the SERVED tier prices the call', () => {
  it.each([
    ['OpenAI flex (Batch rates: half)', 'openai', 'api.openai.com', 'gpt-4o-mini', 'flex', 'openai', HALF],
    ['OpenAI default', 'openai', 'api.openai.com', 'gpt-4o-mini', 'default', 'openai', ONE],
    ['Azure OpenAI flex', 'azure.ai.openai', 'res.openai.azure.com', 'gpt-4o-mini', 'flex', 'openai', HALF],
    ['Anthropic batch', 'anthropic', 'api.anthropic.com', 'claude-sonnet-4-5', 'batch', 'anthropic', HALF],
    [
      'Anthropic standard',
      'anthropic',
      'api.anthropic.com',
      'claude-sonnet-4-5',
      'standard',
      'anthropic',
      ONE,
    ],
    [
      'Gemini flex',
      'gcp.gemini',
      'generativelanguage.googleapis.com',
      'gemini-2.5-flash',
      'flex',
      'google',
      HALF,
    ],
    [
      'Gemini batch',
      'gcp.gemini',
      'generativelanguage.googleapis.com',
      'gemini-2.5-flash',
      'batch',
      'google',
      HALF,
    ],
    [
      'Vertex on demand',
      'gcp.vertex_ai',
      'us-central1-aiplatform.googleapis.com',
      'gemini-2.5-flash',
      'ON_DEMAND',
      'google',
      ONE,
    ],
  ] as const)('%s', (_, provider, serverAddress, model, serviceTier, home, factor) => {
    const result = price({ provider, serverAddress, model, serviceTier });
    expect(result.status).toBe('priced');
    expect(result.cost?.total).toBe(expectedNanos(home, model, factor));
    if (factor === HALF) expect(result.priceVersion).toBe('genai-prices@0.1.8+service-tiers@2026-12-07');
    else expect(result.priceVersion).toBe('genai-prices@0.1.8');
  });

  it('no tier in the response is the standard price', () => {
    const standard = price({ provider: 'openai', serverAddress: 'api.openai.com', model: 'gpt-4o-mini' });
    expect(standard.cost?.total).toBe(expectedNanos('openai', 'gpt-4o-mini', ONE));
  });

  it.each([
    ['OpenAI scale tier', 'openai', 'api.openai.com', 'gpt-4o-mini', 'scale'],
    ['Anthropic priority tier', 'anthropic', 'api.anthropic.com', 'claude-sonnet-4-5', 'priority'],
    [
      'Vertex provisioned throughput',
      'gcp.vertex_ai',
      'aiplatform.googleapis.com',
      'gemini-2.5-flash',
      'PROVISIONED_THROUGHPUT',
    ],
  ])('%s is committed capacity: no on-demand cost', (_, provider, serverAddress, model, serviceTier) => {
    const result = price({ provider, serverAddress, model, serviceTier });
    expect(result.status).toBe('committed');
    expect(result.cost).toBeUndefined();
    const attributes = costAttributes(result);
    expect(attributes['aicost.cost.status']).toBe('committed');
    expect(attributes).not.toHaveProperty('aicost.cost.total');
  });

  it.each([
    ['OpenAI priority (per-model rates not verified)', 'openai', 'api.openai.com', 'gpt-4o-mini', 'priority'],
    [
      'Gemini priority (published as a range)',
      'gcp.gemini',
      'generativelanguage.googleapis.com',
      'gemini-2.5-flash',
      'priority',
    ],
    ['a tier nobody documents', 'anthropic', 'api.anthropic.com', 'claude-sonnet-4-5', 'turbo'],
    ['a tier on a provider with no tier rules', 'deepseek', 'api.deepseek.com', 'deepseek-chat', 'flex'],
  ])(
    '%s is unpriced / unknown_service_tier, never the standard price',
    (_, provider, serverAddress, model, serviceTier) => {
      vi.spyOn(diag, 'warn').mockImplementation(() => {});
      const result = price({ provider, serverAddress, model, serviceTier });
      expect(result).toMatchObject({ status: 'unpriced', reason: 'unknown_service_tier' });
      expect(result.cost).toBeUndefined();
    },
  );

  it('keeps every rule sourced and dated, and every factor a decimal between 0 and 1', () => {
    for (const [provider, tiers] of Object.entries(SERVICE_TIER_RULES)) {
      expect(findProvider({ providerId: provider })?.id).toBe(provider);
      for (const [tier, rule] of Object.entries(tiers)) {
        if (rule.kind === 'standard') continue;
        expect(rule.source, `${provider}/${tier}`).toMatch(/^https:\/\//);
        expect(rule.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        if (rule.kind === 'multiplier') expect(Number(rule.factor)).toBeGreaterThan(0);
      }
    }
  });
});
