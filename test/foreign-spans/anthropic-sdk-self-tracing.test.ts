/**
 * `@anthropic-ai/sdk` 1.x traces itself (GenAI spans under the scope
 * `com.anthropic.sdk.typescript`) as soon as a tracer provider is registered.
 * Without an aicost instrumentation in the way, the cost processor prices
 * those spans; the real SDK talks to a loopback server.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, type MockServer, startMockServer } from '../support/mock-server.js';
import { createOtelHarness, type OtelHarness } from '../support/otel.js';

/** A Messages API response as Anthropic documents it: 50 new input tokens, 8,000 read from the cache. */
const MESSAGE_WITH_CACHE_READ = {
  id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
  type: 'message',
  role: 'assistant',
  model: 'claude-3-5-haiku-20241022',
  content: [{ type: 'text', text: 'Paris.' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: {
    input_tokens: 50,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 8000,
    output_tokens: 100,
  },
};

let server: MockServer;
let otel: OtelHarness;

beforeAll(async () => {
  server = await startMockServer();
  server.on('POST', '/v1/messages', json(MESSAGE_WITH_CACHE_READ));
  otel = createOtelHarness();
});
afterAll(async () => {
  await otel.shutdown();
  await server.close();
});

describe('spans the Anthropic SDK makes itself', () => {
  it('are priced once, with the cache reads at the cache price', async () => {
    const client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
    const message = await client.messages.create({
      model: 'claude-3-5-haiku-20241022',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Capital of France?' }],
    });
    expect(message.content[0]).toEqual({ type: 'text', text: 'Paris.' });
    const spans = await otel.waitForSpans(1);
    const costed = spans.filter((span) => span.attributes['aicost.cost.status'] !== undefined);
    expect(costed).toHaveLength(1);
    expect(costed[0]?.instrumentationScope.name).toBe('com.anthropic.sdk.typescript');
    expect(costed[0]?.attributes).toMatchObject({
      'aicost.usage.source': 'sdk',
      'aicost.cost.status': 'priced',
      // claude-3-5-haiku list prices per million: $0.80 input, $0.08 cache read, $4 output:
      // 50 x 0.80 + 8,000 x 0.08 + 100 x 4 = 1,080 micro-dollars.
      'aicost.cost.total': '0.001080000',
      'aicost.cost.cache_read': '0.000640000',
    });
  });
});
