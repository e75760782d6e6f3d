/**
 * The previous major, @mistralai/mistralai 1.x (CommonJS, does not trace
 * itself), through the npm alias `mistral-v1`: same resources, same spans.
 * Prices as in mistral.test.ts (`mistral-small-latest` $0.10 / $0.30,
 * `mistral-embed` $0.10 per million tokens).
 */
import {
  ATTR_AICOST_COST_TOTAL,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from '@aicost/core';
import * as sdk from 'mistral-v1';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startMockServer } from '../../../test/support/mock-server.js';
import { PACKAGE_NAME } from '../src/index.js';
import {
  genAISpans,
  jsonFixture,
  type MockServer,
  onlySpan,
  settle,
  setUpInstrumentation,
  sseFixture,
  type TestBed,
} from './setup.js';

const MODEL = 'mistral-small-latest';
const MESSAGES = [{ role: 'user' as const, content: 'What is the best French cheese?' }];

let bed: TestBed;
let server: MockServer;
let client: sdk.Mistral;

beforeAll(async () => {
  bed = setUpInstrumentation(sdk);
  server = await startMockServer();
  client = new sdk.Mistral({ apiKey: 'test-key', serverURL: server.url });
});

afterEach(() => {
  server.reset();
  bed.harness.reset();
});

afterAll(async () => {
  await server.close();
  await bed.harness.shutdown();
});

async function oneSpan(name: string) {
  return onlySpan(genAISpans(await settle(bed.harness, 1)), PACKAGE_NAME, name);
}

it('chat.complete(): one priced span', async () => {
  server.on('POST', '/v1/chat/completions', jsonFixture('chat-basic'));

  await client.chat.complete({ model: MODEL, messages: MESSAGES });

  const span = await oneSpan(`chat ${MODEL}`);
  expect(span.attributes).toMatchObject({
    [ATTR_GEN_AI_PROVIDER_NAME]: 'mistral_ai',
    [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 16,
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 34,
    // 16 × 100 + 34 × 300 nano-USD
    [ATTR_AICOST_COST_TOTAL]: '0.000011800',
  });
});

it('chat.stream(): one span priced from the last chunk', async () => {
  server.on('POST', '/v1/chat/completions', sseFixture('chat-stream'));

  const events = [];
  for await (const event of await client.chat.stream({ model: MODEL, messages: MESSAGES }))
    events.push(event);

  expect(events).toHaveLength(4);
  const span = await oneSpan(`chat ${MODEL}`);
  // 16 × 100 + 5 × 300 nano-USD
  expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000003100');
});

it('embeddings.create(): one priced span', async () => {
  server.on('POST', '/v1/embeddings', jsonFixture('embeddings'));

  await client.embeddings.create({ model: 'mistral-embed', inputs: ['Embed this sentence.'] });

  const span = await oneSpan('embeddings mistral-embed');
  // 15 × 100 nano-USD
  expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000001500');
});
