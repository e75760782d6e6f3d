/**
 * The previous major, cohere-ai 7.x, through the npm alias `cohere-v7`: the
 * same v2 client, the same spans. Prices as in cohere.test.ts
 * (`command-a-03-2025` $2.50 / $10, `embed-v4.0` $0.12 per million tokens).
 */
import {
  ATTR_AICOST_COST_TOTAL,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
} from '@aicost/core';
import * as sdk from 'cohere-v7';
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

const MODEL = 'command-a-03-2025';
const MESSAGES = [{ role: 'user' as const, content: 'Tell me about LLMs' }];

let bed: TestBed;
let server: MockServer;
let client: sdk.CohereClientV2;

beforeAll(async () => {
  bed = setUpInstrumentation(sdk);
  server = await startMockServer();
  client = new sdk.CohereClientV2({ token: 'test-key', environment: server.url });
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

it('chat(): one span priced on billed units', async () => {
  server.on('POST', '/v2/chat', jsonFixture('chat-basic'));

  await client.chat({ model: MODEL, messages: MESSAGES });

  const span = await oneSpan(`chat ${MODEL}`);
  expect(span.attributes[ATTR_GEN_AI_PROVIDER_NAME]).toBe('cohere');
  expect(span.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(17);
  // 17 × 2,500 + 12 × 10,000 nano-USD
  expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000162500');
});

it('chatStream(): one span priced from message-end', async () => {
  server.on('POST', '/v2/chat', sseFixture('chat-stream'));

  const events = [];
  for await (const event of await client.chatStream({ model: MODEL, messages: MESSAGES })) events.push(event);

  expect(events).toHaveLength(6);
  const span = await oneSpan(`chat ${MODEL}`);
  // 3 × 2,500 + 3 × 10,000 nano-USD
  expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000037500');
});

it('embed(): one priced span', async () => {
  server.on('POST', '/v2/embed', jsonFixture('embed'));

  await client.embed({
    model: 'embed-v4.0',
    texts: ['hello', 'goodbye'],
    inputType: 'classification',
    embeddingTypes: ['float'],
  });

  const span = await oneSpan('embeddings embed-v4.0');
  // 2 × 120 nano-USD
  expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000000240');
});
