/**
 * The Bedrock and Vertex AI clients (`@anthropic-ai/bedrock-sdk`,
 * `@anthropic-ai/vertex-sdk`) are built on this SDK's `Messages` resource: the
 * same patch covers them, and their spans name the platform. The SDK's own
 * tracing is on (a tracer provider is registered), so one span each also proves
 * the platform clients' spans are silenced.
 *
 * Prices (genai-prices catalogue): Bedrock `global.anthropic.claude-haiku-4-5-20251001-v1:0`
 * input $1 / output $5 per million tokens (regional profiles cost 10 % more);
 * Vertex `claude-haiku-4-5` input $1 / output $5.
 */

import {
  ATTR_AICOST_COST_TOTAL,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from '@aicost/core';
import { AnthropicBedrock } from '@anthropic-ai/bedrock-sdk';
import * as sdk from '@anthropic-ai/sdk';
import { AnthropicVertex } from '@anthropic-ai/vertex-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventStream, json, startMockServer } from '../../../test/support/mock-server.js';
import { PACKAGE_NAME } from '../src/index.js';
import {
  fixture,
  genAISpans,
  type MockServer,
  settle,
  setUpInstrumentation,
  sseFixture,
  type TestBed,
} from './setup.js';

const REQUEST = { max_tokens: 256, messages: [{ role: 'user' as const, content: 'Hello, Claude' }] };
type StreamFixture = { events: Array<{ event: string; data: unknown }> };

let bed: TestBed;
let server: MockServer;

beforeAll(async () => {
  bed = setUpInstrumentation(sdk);
  server = await startMockServer();
});

afterEach(() => {
  server.reset();
  bed.harness.reset();
});

afterAll(async () => {
  await server.close();
  await bed.harness.shutdown();
});

async function onlySpan() {
  const spans = genAISpans(await settle(bed.harness, 1));
  expect(spans.map((s) => s.instrumentationScope.name)).toEqual([PACKAGE_NAME]);
  return spans[0]!;
}

describe('Amazon Bedrock client', () => {
  const MODEL = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
  const bedrock = () =>
    new AnthropicBedrock({ awsRegion: 'us-east-1', skipAuth: true, baseURL: server.url, maxRetries: 0 });

  it('InvokeModel: provider aws.bedrock, priced by the inference profile the request named', async () => {
    server.on('POST', /\/model\/.+\/invoke$/, json(fixture('message-basic')));

    const message = await bedrock().messages.create({ ...REQUEST, model: MODEL });

    expect(message.id).toBe('msg_013Zva2CMHLNnXjNJJKqJ2EF');
    expect(server.requests[0]!.path).toContain('/invoke');
    const span = await onlySpan();
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_PROVIDER_NAME]: 'aws.bedrock',
      [ATTR_GEN_AI_REQUEST_MODEL]: MODEL,
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 2095,
      // 2095 × 1,000 + 503 × 5,000 nano-USD at the global profile's price
      [ATTR_AICOST_COST_TOTAL]: '0.004610000',
    });
  });

  it('InvokeModelWithResponseStream (AWS event-stream frames): one span with the streamed usage', async () => {
    const chunks = fixture<StreamFixture>('stream-basic').events.map(({ data }) => ({
      eventType: 'chunk',
      payload: { bytes: Buffer.from(JSON.stringify(data)).toString('base64') },
    }));
    server.on('POST', /\/model\/.+\/invoke-with-response-stream$/, eventStream(chunks));

    const final = await bedrock()
      .messages.stream({ ...REQUEST, model: MODEL })
      .finalMessage();

    expect(final.usage.output_tokens).toBe(15);
    const span = await onlySpan();
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_PROVIDER_NAME]: 'aws.bedrock',
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 25,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 15,
      // 25 × 1,000 + 15 × 5,000
      [ATTR_AICOST_COST_TOTAL]: '0.000100000',
    });
  });
});

describe('Vertex AI client', () => {
  const MODEL = 'claude-haiku-4-5@20251001';
  // No Google credentials offline: a client that hands out a fixed token (only the network is faked elsewhere).
  const authClient = {
    projectId: 'test-project',
    getRequestHeaders: async () => new Headers({ authorization: 'Bearer test-token' }),
  };
  const vertex = () =>
    new AnthropicVertex({
      region: 'us-east5',
      projectId: 'test-project',
      baseURL: `${server.url}/v1`,
      authClient: authClient as never,
      maxRetries: 0,
    });

  it('rawPredict: provider gcp.vertex_ai, priced', async () => {
    server.on('POST', /:rawPredict$/, json(fixture('message-basic')));

    await vertex().messages.create({ ...REQUEST, model: MODEL });

    expect(server.requests[0]!.path).toContain('/publishers/anthropic/models/');
    const span = await onlySpan();
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_PROVIDER_NAME]: 'gcp.vertex_ai',
      [ATTR_GEN_AI_REQUEST_MODEL]: MODEL,
      [ATTR_AICOST_COST_TOTAL]: '0.004610000',
    });
  });

  it('streamRawPredict: one span with the streamed usage', async () => {
    server.on('POST', /:streamRawPredict$/, sseFixture('stream-basic'));

    for await (const _ of await vertex().messages.create({ ...REQUEST, model: MODEL, stream: true })) {
      // drain
    }

    const span = await onlySpan();
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_PROVIDER_NAME]: 'gcp.vertex_ai',
      [ATTR_AICOST_COST_TOTAL]: '0.000100000',
    });
  });
});
