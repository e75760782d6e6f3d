import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addUsage, usageFromAnthropic, usageFromGemini, usageFromOpenAIChat } from '../src/ledger/index.js';
import { formatNanos, parseNanos, sumNanos } from '../src/money/index.js';
import {
  costAttributes,
  createPricer,
  PRICE_DATA_VERSION,
  priceUsage,
  totalCost,
} from '../src/pricing/index.js';
import type { CostResult, PricingRequest, TokenUsage } from '../src/types.js';

const book = () => createPricer({ pricesFile: false });

const ledger = (parts: Partial<TokenUsage>): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  requests: 1,
  ...parts,
});

/** Dollars written as a decimal string, in nano-USD, so that expectations read like prices. */
const usd = (text: string) => {
  const nanos = parseNanos(text);
  if (nanos === undefined) throw new Error(`bad amount ${text}`);
  return nanos;
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('pricing from the catalogue', () => {
  it('OpenAI gpt-4o with cached tokens', () => {
    // Catalogue gpt-4o: $2.50/M input, $1.25/M cached input, $10/M output.
    // 1,234 prompt tokens of which 234 cached, 567 completion tokens:
    //   input  1,000 x 2.50 / 1M = 0.002500000
    //   cached   234 x 1.25 / 1M = 0.000292500
    //   output   567 x 10   / 1M = 0.005670000
    const result = book().priceUsage({
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      usage: usageFromOpenAIChat({
        prompt_tokens: 1234,
        completion_tokens: 567,
        prompt_tokens_details: { cached_tokens: 234 },
      }),
    });
    expect(result).toEqual({
      status: 'priced',
      currency: 'USD',
      cost: {
        input: usd('0.0025'),
        cacheRead: usd('0.0002925'),
        cacheWrite: 0n,
        output: usd('0.00567'),
        other: 0n,
        total: usd('0.0084625'),
      },
      priceSource: 'genai-prices',
      priceVersion: 'genai-prices@0.1.8',
      providerId: 'openai',
      modelId: 'gpt-4o',
      // No server to doubt: the provider name decides.
      match: 'provider_name',
    });
    expect(PRICE_DATA_VERSION).toBe('genai-prices@0.1.8');
  });

  it('Anthropic with cache writes (5 minute and 1 hour) and cache reads', () => {
    // Catalogue claude-sonnet-4-0: $3/M input, $3.75/M cache write (5 min), $6/M cache write (1 h),
    // $0.30/M cache read, $15/M output. 100 uncached + 1,000 read + 200 (5 min) + 100 (1 h) written, 50 out:
    //   input      100 x 3    = 0.000300
    //   read     1,000 x 0.30 = 0.000300
    //   write      200 x 3.75 + 100 x 6 = 0.000750 + 0.000600 = 0.001350
    //   output      50 x 15   = 0.000750
    const result = book().priceUsage({
      provider: 'anthropic',
      model: 'claude-sonnet-4-20250514',
      usage: usageFromAnthropic({
        input_tokens: 100,
        cache_read_input_tokens: 1000,
        cache_creation_input_tokens: 300,
        cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 100 },
        output_tokens: 50,
      }),
    });
    expect(result.status).toBe('priced');
    expect(result.modelId).toBe('claude-sonnet-4-0');
    expect(result.cost).toEqual({
      input: usd('0.0003'),
      cacheRead: usd('0.0003'),
      cacheWrite: usd('0.00135'),
      output: usd('0.00075'),
      other: 0n,
      total: usd('0.0027'),
    });
  });

  it('Gemini 2.5 Pro: a prompt above 200k tokens is priced at the long-context tier, whole request', () => {
    // Catalogue gemini-2.5-pro: $1.25/M input, $0.125/M cached, $10/M output up to 200k input tokens;
    // above 200k: $2.50/M input, $0.25/M cached, $15/M output. The tier is chosen by the prompt's
    // total input tokens, cache included.
    // 250,000 prompt tokens (100,000 cached), 1,000 candidates + 500 thoughts:
    //   input  150,000 x 2.50 = 0.375
    //   cached 100,000 x 0.25 = 0.025
    //   output   1,500 x 15   = 0.0225
    const above = book().priceUsage({
      provider: 'gcp.gemini',
      model: 'gemini-2.5-pro',
      usage: usageFromGemini({
        promptTokenCount: 250_000,
        cachedContentTokenCount: 100_000,
        candidatesTokenCount: 1000,
        thoughtsTokenCount: 500,
      }),
    });
    expect(above.cost).toMatchObject({
      input: usd('0.375'),
      cacheRead: usd('0.025'),
      output: usd('0.0225'),
      total: usd('0.4225'),
    });
    // Exactly 200,000 input tokens is not above the threshold: 200,000 x 1.25 = 0.25, 100 x 10 = 0.001.
    const at = book().priceUsage({
      provider: 'gcp.vertex_ai',
      model: 'gemini-2.5-pro',
      usage: ledger({ inputTokens: 200_000, outputTokens: 100 }),
    });
    expect(at.cost?.total).toBe(usd('0.251'));
  });

  it('uses the price valid at the request timestamp (price history)', () => {
    // Catalogue o3: $10/M input, $40/M output until 2025-06-10, then $2/M and $8/M.
    // 1,000 input and 1,000 output tokens (reasoning included in output):
    const usage = ledger({ inputTokens: 1000, outputTokens: 1000, reasoningTokens: 800 });
    const before = book().priceUsage({
      provider: 'openai',
      model: 'o3',
      usage,
      timestamp: new Date('2025-05-01T12:00:00Z'),
    });
    const after = book().priceUsage({
      provider: 'openai',
      model: 'o3',
      usage,
      timestamp: new Date('2025-06-10T00:00:00Z'),
    });
    expect(before.cost?.total).toBe(usd('0.05')); // 0.010 + 0.040
    expect(after.cost?.total).toBe(usd('0.01')); // 0.002 + 0.008
  });

  it('applies time-of-day prices in UTC', () => {
    // Catalogue deepseek-chat: $0.27/M input, $1.10/M output from 00:30 to 16:30 UTC,
    // $0.135/M and $0.55/M otherwise. 1M input tokens:
    const usage = ledger({ inputTokens: 1_000_000 });
    const day = book().priceUsage({
      provider: 'deepseek',
      model: 'deepseek-chat',
      usage,
      timestamp: new Date('2026-01-05T12:00:00Z'),
    });
    const night = book().priceUsage({
      provider: 'deepseek',
      model: 'deepseek-chat',
      usage,
      timestamp: new Date('2026-01-05T20:00:00Z'),
    });
    expect(day.cost?.total).toBe(usd('0.27'));
    expect(night.cost?.total).toBe(usd('0.135'));
  });

  it('prices audio tokens at their own rate in "other"', () => {
    // Catalogue gpt-audio: $2.50/M text input, $32/M audio input, $10/M text output, $64/M audio output.
    // 1,000 input tokens of which 400 audio; 500 output tokens of which 300 audio:
    //   input  600 x 2.5 = 0.0015     output 200 x 10 = 0.002
    //   other  400 x 32 + 300 x 64 = 0.0128 + 0.0192 = 0.032
    const result = book().priceUsage({
      provider: 'openai',
      model: 'gpt-audio',
      usage: usageFromOpenAIChat({
        prompt_tokens: 1000,
        completion_tokens: 500,
        prompt_tokens_details: { audio_tokens: 400 },
        completion_tokens_details: { audio_tokens: 300 },
      }),
    });
    expect(result.cost).toEqual({
      input: usd('0.0015'),
      cacheRead: 0n,
      cacheWrite: 0n,
      output: usd('0.002'),
      other: usd('0.032'),
      total: usd('0.0355'),
    });
  });

  it('finds the catalogue provider from gen_ai names, server addresses and Bedrock or Azure ids', () => {
    // Catalogue groq llama-3.3-70b-versatile: $0.59/M input, $0.79/M output.
    const groq = book().priceUsage({
      provider: 'openai',
      serverAddress: 'api.groq.com',
      model: 'llama-3.3-70b-versatile',
      usage: ledger({ inputTokens: 1_000_000, outputTokens: 1_000_000 }),
    });
    expect(groq).toMatchObject({ status: 'priced', providerId: 'groq', cost: { total: usd('1.38') } });
    const bedrock = book().priceUsage({
      provider: 'aws.bedrock',
      model: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
      usage: ledger({ inputTokens: 1_000_000 }),
    });
    // Catalogue aws Claude 3.7 Sonnet: $3/M input.
    expect(bedrock).toMatchObject({ status: 'priced', providerId: 'aws', cost: { total: usd('3') } });
    // Azure serves OpenAI models from the catalogue's OpenAI list (its fallback), its own models from its list.
    const azure = book().priceUsage({
      provider: 'azure.ai.openai',
      model: 'gpt-4o',
      usage: ledger({ inputTokens: 1_000_000 }),
    });
    expect(azure).toMatchObject({
      status: 'priced',
      providerId: 'openai',
      modelId: 'gpt-4o',
      cost: { total: usd('2.5') },
    });
    const phi = book().priceUsage({
      provider: 'azure.ai.openai',
      model: 'phi-4',
      usage: ledger({ inputTokens: 1 }),
    });
    expect(phi).toMatchObject({ status: 'priced', providerId: 'azure', modelId: 'phi-4' });
  });
});

describe('unpriced calls carry no cost', () => {
  it('an unknown model is unpriced with no cost attribute and one warning per (provider, model)', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const pricer = book();
    const request: PricingRequest = {
      provider: 'openai',
      model: 'gpt-unknown-9',
      usage: ledger({ inputTokens: 10 }),
    };
    const results = [pricer.priceUsage(request), pricer.priceUsage(request), pricer.priceUsage(request)];
    for (const result of results) {
      expect(result).toEqual({
        status: 'unpriced',
        reason: 'unknown_model',
        currency: 'USD',
        match: 'provider_name',
      });
      expect(costAttributes(result)).toEqual({
        'aicost.cost.status': 'unpriced',
        'aicost.cost.status_reason': 'unknown_model',
        'aicost.price.match': 'provider_name',
      });
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('gpt-unknown-9');
    pricer.priceUsage({ ...request, model: 'gpt-unknown-10' });
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('an unknown provider, missing usage and invalid usage each say why', () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const pricer = book();
    expect(
      pricer.priceUsage({ provider: 'acme-llm', model: 'x-1', usage: ledger({ inputTokens: 1 }) }),
    ).toMatchObject({
      status: 'unpriced',
      reason: 'unknown_provider',
    });
    expect(pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage: undefined })).toMatchObject({
      status: 'unpriced',
      reason: 'missing_usage',
    });
    const invalid = usageFromOpenAIChat({ prompt_tokens: -3, completion_tokens: 1 });
    expect(pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage: invalid })).toMatchObject({
      status: 'unpriced',
      reason: 'invalid_usage',
    });
    expect(
      pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage: ledger({ inputTokens: Number.NaN }) }),
    ).toMatchObject({ status: 'unpriced', reason: 'invalid_usage' });
    expect(
      costAttributes(pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage: invalid })),
    ).not.toHaveProperty('aicost.cost.total');
  });

  it('the warning for a self-hosted server without a rate names the server as the span does', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    expect(
      book().priceUsage({ provider: 'ollama', model: 'llama3.2', usage: ledger({ inputTokens: 5 }) }),
    ).toMatchObject({ status: 'unpriced', reason: 'self_hosted_no_rate' });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain(
      'no self-hosted rate for provider "ollama" model "llama3.2"',
    );
  });

  it('a self-hosted model without a rate is unpriced', () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    expect(
      book().priceUsage({ provider: 'self_hosted', model: 'llama3', usage: ledger({ inputTokens: 5 }) }),
    ).toEqual({
      status: 'unpriced',
      reason: 'self_hosted_no_rate',
      currency: 'USD',
      match: 'provider_name',
    });
  });
});

describe('cost attributes', () => {
  it('write every component as a 9-digit decimal that parses back to the exact cost', () => {
    const result = book().priceUsage({
      provider: 'openai',
      model: 'gpt-4o',
      usage: ledger({ inputTokens: 1234, cacheReadTokens: 234, outputTokens: 567 }),
    });
    const attributes = costAttributes(result);
    expect(attributes).toEqual({
      'aicost.cost.status': 'priced',
      'aicost.cost.total': '0.008462500',
      'aicost.cost.currency': 'USD',
      'aicost.cost.input': '0.002500000',
      'aicost.cost.cache_read': '0.000292500',
      'aicost.cost.cache_write': '0.000000000',
      'aicost.cost.output': '0.005670000',
      'aicost.cost.other': '0.000000000',
      'aicost.price.source': 'genai-prices',
      'aicost.price.version': 'genai-prices@0.1.8',
      'aicost.price.provider_id': 'openai',
      'aicost.price.model_id': 'gpt-4o',
      'aicost.price.match': 'provider_name',
    });
    expect(parseNanos(String(attributes['aicost.cost.total']))).toBe(result.cost?.total);
  });

  it('a provider-reported cost has a total only', () => {
    const result = book().priceUsage({
      provider: 'openrouter',
      model: 'openai/gpt-4o',
      usage: ledger({ inputTokens: 10 }),
      providerReportedCost: 123_456n,
    });
    expect(result.status).toBe('provider_reported');
    expect(costAttributes(result)).toEqual({
      'aicost.cost.status': 'provider_reported',
      'aicost.cost.total': '0.000123456',
      'aicost.cost.currency': 'USD',
      'aicost.price.source': 'provider',
      'aicost.price.version': 'provider',
      'aicost.price.match': 'provider_name',
      // Beside the billed total: the amount as reported, and openrouter's list price for 10 input tokens of gpt-4o.
      'aicost.cost.reported': '0.000123456',
      'aicost.cost.reported_source': 'provider',
      'aicost.cost.computed': '0.000025000',
    });
  });
});

describe('exact sums', () => {
  it('one million identical requests sum to exactly 1,000,000 times the single cost', () => {
    const pricer = book();
    const usage = ledger({ inputTokens: 1234, cacheReadTokens: 234, outputTokens: 567 });
    const request: PricingRequest = { provider: 'openai', model: 'gpt-4o', usage };
    const single = pricer.priceUsage(request).cost!.total;
    expect(single).toBe(usd('0.0084625'));
    // Price a thousand of them one by one (the cost never drifts), then add up a million.
    const thousand = Array.from({ length: 1000 }, () => pricer.priceUsage(request).cost!.total);
    expect(new Set(thousand)).toEqual(new Set([single]));
    let total = 0n;
    for (let i = 0; i < 1000; i++) total += sumNanos(thousand);
    expect(total).toBe(1_000_000n * single);
    expect(formatNanos(total)).toBe('8462.500000000');
    // totalCost adds breakdowns component by component: the thousand add up to exactly 1000 times one.
    const results = Array.from({ length: 1000 }, () => pricer.priceUsage(request));
    const summed = totalCost(results);
    expect(summed?.total).toBe(1000n * single);
    expect(summed?.output).toBe(1000n * results[0]!.cost!.output);
    expect(summed?.cacheRead).toBe(1000n * results[0]!.cost!.cacheRead);
    // Pricing the summed ledger (addUsage, one agent loop of 1000 steps) gives the same exact cost.
    const loop = addUsage(...Array.from({ length: 1000 }, () => usage));
    expect(loop).toMatchObject({ inputTokens: 1_234_000, cacheReadTokens: 234_000, requests: 1000 });
    expect(pricer.priceUsage({ ...request, usage: loop }).cost?.total).toBe(1000n * single);
  });

  it('totalCost is unknown when any part is unpriced, never a partial sum', () => {
    const pricer = book();
    const priced = pricer.priceUsage({
      provider: 'openai',
      model: 'gpt-4o',
      usage: ledger({ inputTokens: 1000, outputTokens: 100 }),
    });
    const unknown = pricer.priceUsage({
      provider: 'openai',
      model: 'no-such-model-xyz',
      usage: ledger({ inputTokens: 1000 }),
    });
    expect(priced.cost).toBeDefined();
    expect(unknown.status).toBe('unpriced');
    expect(totalCost([priced, unknown, priced])).toBeUndefined();
    expect(totalCost([priced, priced])?.total).toBe(2n * priced.cost!.total);
    expect(totalCost([])?.total).toBe(0n);
  });

  it('the default price book prices like a fresh one', () => {
    const request: PricingRequest = {
      provider: 'openai',
      model: 'gpt-4o',
      usage: ledger({ inputTokens: 1000 }),
    };
    expect(priceUsage(request).cost?.total).toBe(usd('0.0025'));
  });

  it('every component is rounded on its own and the total is their exact sum', () => {
    // A custom $0.0015/M input and $0.0025/M output price: 5 input tokens = 7.5 nano -> 8,
    // 3 output tokens = 7.5 nano -> 8; total 16 (not round(15) = 15).
    const pricer = createPricer({
      pricesFile: false,
      overrides: {
        prices: [{ provider: 'openai', model: 'tiny-model', input_mtok: '0.0015', output_mtok: '0.0025' }],
      },
    });
    const result = pricer.priceUsage({
      provider: 'openai',
      model: 'tiny-model',
      usage: ledger({ inputTokens: 5, outputTokens: 3 }),
    });
    expect(result.cost).toMatchObject({ input: 8n, output: 8n, total: 16n });
  });
});

function costOf(result: CostResult): string | undefined {
  return result.cost ? formatNanos(result.cost.total) : undefined;
}

export { costOf };
