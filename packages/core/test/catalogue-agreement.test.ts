import { calcPrice, findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { nanosToNumber } from '../src/money/index.js';
import { CATALOGUE_PROVIDER_IDS, createPricer } from '../src/pricing/index.js';
import type { TokenUsage } from '../src/types.js';

/**
 * Our exact computation against the catalogue's own (float) calculator, for every model of
 * every provider: same lookup, same price history, same tiers, same decomposition of cache,
 * audio and reasoning tokens. The two may differ only by float error and by our rounding of
 * each line to the nano.
 */
describe('agreement with the catalogue calculator', () => {
  const pricer = createPricer({ pricesFile: false });
  const timestamp = new Date('2026-03-15T12:00:00Z');
  const ledgers: TokenUsage[] = [
    {
      inputTokens: 12_345,
      cacheReadTokens: 4_000,
      cacheWriteTokens: 3_000,
      cacheWrite1hTokens: 1_000,
      outputTokens: 2_222,
      reasoningTokens: 1_111,
      requests: 1,
    },
    // Above every context tier of the catalogue (200k, 272k...).
    {
      inputTokens: 300_001,
      cacheReadTokens: 100_000,
      cacheWriteTokens: 0,
      outputTokens: 7,
      reasoningTokens: 0,
      requests: 1,
    },
    {
      inputTokens: 5_000,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 900,
      reasoningTokens: 0,
      inputAudioTokens: 1_200,
      outputAudioTokens: 300,
      requests: 1,
    },
  ];
  const catalogueUsage = (usage: TokenUsage) => ({
    input_tokens: usage.inputTokens,
    cache_read_tokens: usage.cacheReadTokens,
    cache_write_tokens: usage.cacheWriteTokens,
    cache_write_1h_tokens: usage.cacheWrite1hTokens ?? 0,
    output_tokens: usage.outputTokens,
    output_reasoning_tokens: usage.reasoningTokens,
    input_audio_tokens: usage.inputAudioTokens ?? 0,
    output_audio_tokens: usage.outputAudioTokens ?? 0,
  });

  it('prices every catalogue model like the catalogue, to the nano', () => {
    let compared = 0;
    const disagreements: string[] = [];
    for (const providerId of CATALOGUE_PROVIDER_IDS) {
      for (const model of findProvider({ providerId })?.models ?? []) {
        for (const usage of ledgers) {
          let expected: ReturnType<typeof calcPrice>;
          try {
            expected = calcPrice(catalogueUsage(usage), model.id, { providerId, timestamp });
          } catch {
            continue; // the catalogue refuses usage it cannot split (e.g. audio and cache both priced apart)
          }
          if (!expected) continue;
          const result = pricer.priceUsage({ provider: providerId, model: model.id, usage, timestamp });
          if (!result.cost) continue; // priced only in units the ledger has no count for
          compared++;
          const ours = nanosToNumber(result.cost.total);
          const tolerance = 1e-8 + Math.abs(expected.total_price) * 1e-9;
          if (Math.abs(ours - expected.total_price) > tolerance) {
            disagreements.push(`${providerId}/${model.id}: ${ours} vs ${expected.total_price}`);
          }
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(compared).toBeGreaterThan(3000);
  });
});
