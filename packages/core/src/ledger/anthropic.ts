import type { LedgerResult } from '../types.js';
import { CountReader, dig, isRecord } from './usage.js';

/**
 * Anthropic Messages `usage` (also the body of Anthropic models on Bedrock InvokeModel,
 * and the merged `message_start` + `message_delta` usage of a stream).
 *
 * `input_tokens` EXCLUDES `cache_read_input_tokens` and `cache_creation_input_tokens`:
 * the ledger's input is the sum of the three. `cache_creation.ephemeral_5m_input_tokens`
 * and `ephemeral_1h_input_tokens` split the cache writes by TTL (priced differently).
 * Thinking tokens are inside `output_tokens` and not reported apart.
 */
export function usageFromAnthropic(usage: unknown): LedgerResult {
  if (!isRecord(usage)) return undefined;
  const reader = new CountReader();
  const uncached = reader.count(usage.input_tokens, 'usage.input_tokens') ?? 0;
  const cacheRead = reader.count(usage.cache_read_input_tokens, 'usage.cache_read_input_tokens') ?? 0;
  const write5m = reader.count(
    dig(usage, 'cache_creation', 'ephemeral_5m_input_tokens'),
    'usage.cache_creation.ephemeral_5m_input_tokens',
  );
  const write1h = reader.count(
    dig(usage, 'cache_creation', 'ephemeral_1h_input_tokens'),
    'usage.cache_creation.ephemeral_1h_input_tokens',
  );
  const cacheWrite =
    reader.count(usage.cache_creation_input_tokens, 'usage.cache_creation_input_tokens') ??
    (write5m ?? 0) + (write1h ?? 0);
  return reader.finish({
    inputTokens: uncached + cacheRead + cacheWrite,
    outputTokens: reader.count(usage.output_tokens, 'usage.output_tokens') ?? 0,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    cacheWrite5mTokens: write5m,
    cacheWrite1hTokens: write1h,
    reasoningTokens:
      reader.count(dig(usage, 'output_tokens_details', 'thinking_tokens'), 'usage.thinking_tokens') ?? 0,
  });
}
