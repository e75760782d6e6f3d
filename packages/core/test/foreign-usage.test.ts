/**
 * `readGenAIUsage` on the attribute set `@anthropic-ai/sdk` 1.14 writes on its own
 * `anthropic.messages.create` span (names read from the SDK's `internal/tracing.ts` and
 * `lib/internal/tracing/response.ts`): `gen_ai.usage.input_tokens` is Anthropic's
 * `input_tokens` + `cache_read_input_tokens` + `cache_creation_input_tokens`; cache reads
 * under the semconv name; cache writes as `gen_ai.usage.cache_write.input_tokens`; the TTL
 * split as `anthropic.usage.cache_creation.ephemeral_{5m,1h}_input_tokens`.
 */
import { describe, expect, it } from 'vitest';
import { isInvalidUsage, readForeignUsage, readGenAIUsage, usageFromAnthropic } from '../src/ledger/index.js';
import type { TokenUsage } from '../src/types.js';

const ledger = (parts: Partial<TokenUsage>): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  requests: 1,
  ...parts,
});

/** The SDK's span for an Anthropic `usage`, as its tracing computes the attributes. */
function sdkSpanAttributes(usage: {
  input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
}): Record<string, unknown> {
  const attributes: Record<string, unknown> = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'anthropic',
    'gen_ai.request.model': 'claude-haiku-4-5-20251001',
    'gen_ai.request.max_tokens': 1024,
    'gen_ai.response.id': 'msg_01',
    'gen_ai.response.model': 'claude-haiku-4-5-20251001',
    'gen_ai.usage.cache_write.input_tokens': usage.cache_creation_input_tokens,
    'gen_ai.usage.cache_read.input_tokens': usage.cache_read_input_tokens,
    'anthropic.response.service_tier': 'standard',
    'gen_ai.usage.output_tokens': usage.output_tokens,
    'anthropic.message.stop_reason': 'end_turn',
    'gen_ai.usage.input_tokens':
      usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens,
  };
  if (usage.cache_creation) {
    attributes['anthropic.usage.cache_creation.ephemeral_5m_input_tokens'] =
      usage.cache_creation.ephemeral_5m_input_tokens;
    attributes['anthropic.usage.cache_creation.ephemeral_1h_input_tokens'] =
      usage.cache_creation.ephemeral_1h_input_tokens;
  }
  return attributes;
}

describe("readGenAIUsage: the Anthropic SDK's own span", () => {
  it('reads cache writes from gen_ai.usage.cache_write.input_tokens and counts the input once', () => {
    // 20 uncached input tokens, 2,000 written to the 5-minute cache, 100 output tokens.
    const usage = {
      input_tokens: 20,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 2000,
      cache_creation: { ephemeral_5m_input_tokens: 2000, ephemeral_1h_input_tokens: 0 },
      output_tokens: 100,
    };
    const expected = ledger({
      inputTokens: 2020,
      outputTokens: 100,
      cacheWriteTokens: 2000,
      cacheWrite5mTokens: 2000,
      cacheWrite1hTokens: 0,
    });

    expect(readGenAIUsage(sdkSpanAttributes(usage))).toEqual({ source: 'sdk', usage: expected });
    // The same ledger as our own instrumentation builds from the response body.
    expect(usageFromAnthropic(usage)).toEqual(expected);
  });

  it('cache reads and writes of both TTLs: each counted once, inside the input', () => {
    const usage = {
      input_tokens: 50,
      cache_read_input_tokens: 8000,
      cache_creation_input_tokens: 1500,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 500 },
      output_tokens: 120,
    };
    const read = readForeignUsage(sdkSpanAttributes(usage));

    expect(read?.usage).toEqual(
      ledger({
        inputTokens: 9550, // not 9550 + 9500: the SDK's input already includes the cache
        outputTokens: 120,
        cacheReadTokens: 8000,
        cacheWriteTokens: 1500,
        cacheWrite5mTokens: 1000,
        cacheWrite1hTokens: 500,
      }),
    );
    expect(read?.usage).toEqual(usageFromAnthropic(usage));
  });

  it('a streamed span without the TTL split still has its cache writes', () => {
    const usage = {
      input_tokens: 5,
      cache_read_input_tokens: 300,
      cache_creation_input_tokens: 700,
      output_tokens: 9,
    };
    expect(readGenAIUsage(sdkSpanAttributes(usage))?.usage).toEqual(
      ledger({ inputTokens: 1005, outputTokens: 9, cacheReadTokens: 300, cacheWriteTokens: 700 }),
    );
  });

  it('a call without cache: zero cache counts, input as written', () => {
    const usage = {
      input_tokens: 2095,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
      output_tokens: 503,
    };
    expect(readGenAIUsage(sdkSpanAttributes(usage))?.usage).toEqual(
      ledger({ inputTokens: 2095, outputTokens: 503 }),
    );
  });

  it('only the TTL split: the cache writes are its sum', () => {
    expect(
      readGenAIUsage({
        'gen_ai.usage.input_tokens': 1100,
        'gen_ai.usage.output_tokens': 10,
        'anthropic.usage.cache_creation.ephemeral_5m_input_tokens': 600,
        'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': 400,
      })?.usage,
    ).toEqual(
      ledger({
        inputTokens: 1100,
        outputTokens: 10,
        cacheWriteTokens: 1000,
        cacheWrite5mTokens: 600,
        cacheWrite1hTokens: 400,
      }),
    );
  });

  it('a TTL split larger than the cache writes is invalid usage, not a guess', () => {
    const usage = readGenAIUsage({
      'gen_ai.usage.input_tokens': 3000,
      'gen_ai.usage.output_tokens': 10,
      'gen_ai.usage.cache_write.input_tokens': 1000,
      'anthropic.usage.cache_creation.ephemeral_5m_input_tokens': 1000,
      'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': 500,
    })?.usage;
    expect(isInvalidUsage(usage)).toBe(true);
  });
});

describe('readGenAIUsage: cache-write names in order', () => {
  const base = { 'gen_ai.usage.input_tokens': 5000, 'gen_ai.usage.output_tokens': 10 };

  it('the semconv name wins over the variants', () => {
    const read = readGenAIUsage({
      ...base,
      'gen_ai.usage.cache_creation.input_tokens': 300,
      'gen_ai.usage.cache_write.input_tokens': 999,
      'gen_ai.usage.cache_creation_input_tokens': 888,
    });
    expect(read?.usage).toEqual(ledger({ inputTokens: 5000, outputTokens: 10, cacheWriteTokens: 300 }));
  });

  it("the Anthropic SDK's name, then OpenLLMetry's", () => {
    expect(
      readGenAIUsage({
        ...base,
        'gen_ai.usage.cache_write.input_tokens': 400,
        'gen_ai.usage.cache_creation_input_tokens': 888,
      })?.usage,
    ).toEqual(ledger({ inputTokens: 5000, outputTokens: 10, cacheWriteTokens: 400 }));
    expect(readGenAIUsage({ ...base, 'gen_ai.usage.cache_creation_input_tokens': 888 })?.usage).toEqual(
      ledger({ inputTokens: 5000, outputTokens: 10, cacheWriteTokens: 888 }),
    );
  });

  it('a cache-exclusive input with SDK-named cache writes is still completed (cache > input)', () => {
    expect(
      readGenAIUsage({
        'gen_ai.usage.input_tokens': 20,
        'gen_ai.usage.output_tokens': 100,
        'gen_ai.usage.cache_write.input_tokens': 2000,
      })?.usage,
    ).toEqual(ledger({ inputTokens: 2020, outputTokens: 100, cacheWriteTokens: 2000 }));
  });

  it('a semconv span keeps its source', () => {
    expect(readGenAIUsage({ ...base, 'gen_ai.usage.cache_creation.input_tokens': 300 })?.source).toBe(
      'opentelemetry',
    );
  });
});
