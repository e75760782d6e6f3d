import type { LedgerResult } from '../types.js';
import { CountReader, dig, isRecord } from './usage.js';

/**
 * OpenAI Chat Completions `usage` (also embeddings, legacy completions, and the
 * OpenAI-compatible APIs: Groq, DeepSeek, xAI, Together, Fireworks, OpenRouter, vLLM...).
 *
 * - `prompt_tokens` INCLUDES `prompt_tokens_details.cached_tokens` (and audio/image tokens);
 * - `completion_tokens` INCLUDES `completion_tokens_details.reasoning_tokens` (and audio tokens);
 * - there is no cache-write count: OpenAI does not bill cache writes.
 *
 * Compatible-API dialects are settled here as well:
 * - DeepSeek reports `prompt_cache_hit_tokens` (within `prompt_tokens`) instead of `cached_tokens`;
 * - OpenRouter reports cache writes as `prompt_tokens_details.cache_write_tokens`, LiteLLM as
 *   `cache_creation_input_tokens` / `cache_read_input_tokens` beside `prompt_tokens`; both count
 *   them within `prompt_tokens`. Cache tokens outnumbering `prompt_tokens` prove a host counted
 *   them outside it, and they are added;
 * - some hosts (xAI) leave reasoning OUT of `completion_tokens`. When `total_tokens`
 *   equals prompt + completion + reasoning, reasoning was excluded and is added back.
 */
export function usageFromOpenAIChat(usage: unknown): LedgerResult {
  if (!isRecord(usage)) return undefined;
  const reader = new CountReader();
  const promptDetails = usage.prompt_tokens_details ?? usage.promptTokensDetails;
  const completionDetails = usage.completion_tokens_details ?? usage.completionTokensDetails;

  const prompt = reader.first(usage, ['prompt_tokens', 'promptTokens'], 'usage.') ?? 0;
  let completion = reader.first(usage, ['completion_tokens', 'completionTokens'], 'usage.') ?? 0;
  const total = reader.first(usage, ['total_tokens', 'totalTokens'], 'usage.');
  const cached =
    reader.first(promptDetails, ['cached_tokens', 'cachedTokens'], 'usage.prompt_tokens_details.') ??
    reader.first(usage, ['prompt_cache_hit_tokens', 'cache_read_input_tokens'], 'usage.') ??
    0;
  const cacheWrite =
    reader.first(promptDetails, ['cache_write_tokens', 'cacheWriteTokens'], 'usage.prompt_tokens_details.') ??
    reader.first(usage, ['cache_creation_input_tokens'], 'usage.') ??
    0;
  const input = cached + cacheWrite > prompt ? prompt + cached + cacheWrite : prompt;
  const reasoning =
    reader.first(
      completionDetails,
      ['reasoning_tokens', 'reasoningTokens'],
      'usage.completion_tokens_details.',
    ) ?? 0;

  if (reasoning > 0 && total !== undefined && total === prompt + completion + reasoning) {
    completion += reasoning;
  }

  return reader.finish({
    inputTokens: input,
    outputTokens: completion,
    cacheReadTokens: cached,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: reasoning,
    inputAudioTokens: reader.first(
      promptDetails,
      ['audio_tokens', 'audioTokens'],
      'usage.prompt_tokens_details.',
    ),
    inputImageTokens: reader.first(
      promptDetails,
      ['image_tokens', 'imageTokens'],
      'usage.prompt_tokens_details.',
    ),
    outputAudioTokens: reader.first(
      completionDetails,
      ['audio_tokens', 'audioTokens'],
      'usage.completion_tokens_details.',
    ),
    outputImageTokens: reader.first(
      completionDetails,
      ['image_tokens', 'imageTokens'],
      'usage.completion_tokens_details.',
    ),
  });
}

/**
 * OpenAI Responses API `usage` (`response.usage`, also the `response.completed` stream event):
 * `input_tokens` INCLUDES `input_tokens_details.cached_tokens`; `output_tokens`
 * INCLUDES `output_tokens_details.reasoning_tokens`.
 */
export function usageFromOpenAIResponses(usage: unknown): LedgerResult {
  if (!isRecord(usage)) return undefined;
  const reader = new CountReader();
  const inputDetails = usage.input_tokens_details;
  const outputDetails = usage.output_tokens_details;
  return reader.finish({
    inputTokens: reader.count(usage.input_tokens, 'usage.input_tokens') ?? 0,
    outputTokens: reader.count(usage.output_tokens, 'usage.output_tokens') ?? 0,
    cacheReadTokens:
      reader.count(dig(inputDetails, 'cached_tokens'), 'usage.input_tokens_details.cached_tokens') ?? 0,
    reasoningTokens:
      reader.count(dig(outputDetails, 'reasoning_tokens'), 'usage.output_tokens_details.reasoning_tokens') ??
      0,
    inputAudioTokens: reader.count(
      dig(inputDetails, 'audio_tokens'),
      'usage.input_tokens_details.audio_tokens',
    ),
    inputImageTokens: reader.count(
      dig(inputDetails, 'image_tokens'),
      'usage.input_tokens_details.image_tokens',
    ),
    outputAudioTokens: reader.count(
      dig(outputDetails, 'audio_tokens'),
      'usage.output_tokens_details.audio_tokens',
    ),
    outputImageTokens: reader.count(
      dig(outputDetails, 'image_tokens'),
      'usage.output_tokens_details.image_tokens',
    ),
  });
}

/**
 * Mistral `usage` (the SDK's camelCase `UsageInfo` or the raw snake_case JSON):
 * OpenAI-like, `prompt_tokens` includes `prompt_tokens_details.cached_tokens`
 * (older payloads: `num_cached_tokens`), `completion_tokens` includes reasoning.
 */
export function usageFromMistral(usage: unknown): LedgerResult {
  if (!isRecord(usage)) return undefined;
  const details =
    usage.prompt_tokens_details ??
    usage.promptTokensDetails ??
    usage.prompt_token_details ??
    usage.promptTokenDetails;
  const legacyCached = usage.num_cached_tokens ?? usage.numCachedTokens;
  if (!isRecord(details) && legacyCached !== undefined && legacyCached !== null) {
    return usageFromOpenAIChat({ ...usage, prompt_tokens_details: { cached_tokens: legacyCached } });
  }
  return usageFromOpenAIChat(isRecord(details) ? { ...usage, prompt_tokens_details: details } : usage);
}
