/**
 * Without this instrumentation, the SDK's own span (`anthropic.messages.create`, its
 * tracing on) is what gets exported: `@aicost/core`'s cost processor prices it from
 * the SDK's attribute names. Same fixtures and prices as anthropic.test.ts, so the
 * cost of a call does not depend on which span carried it.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { createOtelHarness } from '../../../test/support/otel.js';
import { genAISpans, messageFixture, settle, sseFixture } from './setup.js';

const harness = createOtelHarness();
const MODEL = 'claude-haiku-4-5-20251001';
let server: MockServer;
let client: Anthropic;

beforeAll(async () => {
  server = await startMockServer();
  client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
});
beforeEach(() => {
  server.reset();
  harness.reset();
});
afterAll(async () => {
  await server.close();
  await harness.shutdown();
});

async function sdkSpan(): Promise<ReadableSpan> {
  const spans = genAISpans(await settle(harness, 1));
  expect(spans.map((span) => `${span.instrumentationScope.name}: ${span.name}`)).toEqual([
    'com.anthropic.sdk.typescript: anthropic.messages.create',
  ]);
  return spans[0]!;
}

// The fixtures' usage: 50 uncached input tokens, 8,000 cache reads, 1,500 cache writes
// (1,000 for 5 minutes, 500 for 1 hour), 120 output tokens. claude-haiku-4-5 per token:
// 1,000 nano-USD input, 100 cache read, 1,250 cache write (5 min), 2,000 (1 h), 5,000 output.
const CACHE_COST = {
  // 50 × 1,000
  'aicost.cost.input': '0.000050000',
  // 8,000 × 100
  'aicost.cost.cache_read': '0.000800000',
  // 1,000 × 1,250 + 500 × 2,000
  'aicost.cost.cache_write': '0.002250000',
  // 120 × 5,000
  'aicost.cost.output': '0.000600000',
  'aicost.cost.total': '0.003700000',
};

describe("the SDK's own span, priced by the cost processor", () => {
  it('a plain call with cache writes and reads: cache writes at their rates, input not counted twice', async () => {
    server.on('POST', '/v1/messages', messageFixture('message-cache-write-read'));

    await client.messages.create({ model: MODEL, max_tokens: 128, messages: [] });

    const span = await sdkSpan();
    // The SDK's names, as it writes them: its input count includes both cache counts.
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 9550,
      'gen_ai.usage.cache_read.input_tokens': 8000,
      'gen_ai.usage.cache_write.input_tokens': 1500,
      'anthropic.usage.cache_creation.ephemeral_5m_input_tokens': 1000,
      'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': 500,
      'gen_ai.usage.output_tokens': 120,
    });
    expect(span.attributes).toMatchObject({
      ...CACHE_COST,
      'aicost.cost.status': 'priced',
      'aicost.usage.source': 'sdk',
      // The semconv name of the cache writes is added; nothing the SDK wrote is replaced.
      'gen_ai.usage.cache_creation.input_tokens': 1500,
      'aicost.usage.cache_creation_5m.input_tokens': 1000,
      'aicost.usage.cache_creation_1h.input_tokens': 500,
    });
    expect(span.attributes['gen_ai.request.stream']).toBeUndefined();
  });

  it('a streamed call: same cost, and aicost.request.stream from gen_ai.request.stream', async () => {
    server.on('POST', '/v1/messages', sseFixture('stream-cache-write-read'));

    const stream = await client.messages.create({
      model: MODEL,
      max_tokens: 128,
      messages: [],
      stream: true,
    });
    for await (const _event of stream);

    const span = await sdkSpan();
    expect(span.attributes).toMatchObject({
      ...CACHE_COST,
      'gen_ai.request.stream': true,
      'aicost.request.stream': true,
    });
  });
});
