/**
 * The previous major, @anthropic-ai/sdk 0.x (installed as `anthropic-v0`, the
 * last 0.x release), which already traces itself like 1.x. Same mock server,
 * same fixtures; prices as in anthropic.test.ts (`claude-haiku-4-5`: input $1,
 * output $5, cache read $0.10, cache write 5 min $1.25 / 1 h $2 per million tokens).
 */
import { readFileSync } from 'node:fs';
import {
  ATTR_AICOST_COST_TOTAL,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from '@aicost/core';
import Anthropic, * as sdk from 'anthropic-v0';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpError, startMockServer } from '../../../test/support/mock-server.js';
import { PACKAGE_NAME } from '../src/index.js';
import {
  fixture,
  genAISpans,
  type MockServer,
  messageFixture,
  settle,
  setUpInstrumentation,
  sseFixture,
  type TestBed,
} from './setup.js';

const MODEL = 'claude-haiku-4-5-20251001';
const REQUEST = {
  model: MODEL,
  max_tokens: 1024,
  messages: [{ role: 'user' as const, content: 'Hello, Claude' }],
};

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

describe('@anthropic-ai/sdk 0.x', () => {
  it('is the 0.x line', () => {
    const manifest = new URL('../node_modules/anthropic-v0/package.json', import.meta.url);
    expect(JSON.parse(readFileSync(manifest, 'utf8')).version).toMatch(/^0\./);
  });

  for (const [sdkTracing, openTelemetry] of [
    ['on', { traces: true }],
    ['off', false],
  ] as const) {
    describe(`SDK tracing ${sdkTracing}`, () => {
      const client = () => new Anthropic({ apiKey: 'test-key', baseURL: server.url, openTelemetry });

      it('create(): one GenAI span, cache priced once', async () => {
        server.on('POST', '/v1/messages', messageFixture('message-cache-write-read'));

        await client().messages.create(REQUEST);

        const spans = genAISpans(await settle(bed.harness, 1));
        expect(spans).toHaveLength(1);
        expect(spans[0]!.instrumentationScope.name).toBe(PACKAGE_NAME);
        expect(spans[0]!.attributes).toMatchObject({
          [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 9550,
          [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 8000,
          [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 120,
          [ATTR_AICOST_COST_TOTAL]: '0.003700000',
        });
      });

      it('create({ stream: true }): one GenAI span with usage from the events', async () => {
        server.on('POST', '/v1/messages', sseFixture('stream-basic', { splitBytes: 41 }));

        for await (const _ of await client().messages.create({ ...REQUEST, stream: true })) {
          // drain
        }

        const spans = genAISpans(await settle(bed.harness, 1));
        expect(spans).toHaveLength(1);
        // 25 × 1,000 + 15 × 5,000 nano-USD
        expect(spans[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000100000');
      });

      it('stream().finalMessage(): one GenAI span', async () => {
        server.on('POST', '/v1/messages', sseFixture('stream-cache-write-read'));

        const final = await client().messages.stream(REQUEST).finalMessage();

        expect(final.usage.output_tokens).toBe(120);
        const spans = genAISpans(await settle(bed.harness, 1));
        expect(spans).toHaveLength(1);
        expect(spans[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.003700000');
      });
    });
  }

  it('a 500 after retries: one span with error.type, the SDK error rethrown', async () => {
    server.on('POST', '/v1/messages', httpError(500, fixture('error-api')));

    const error = await new Anthropic({ apiKey: 'k', baseURL: server.url, maxRetries: 1 }).messages
      .create(REQUEST)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(sdk.InternalServerError);
    expect(server.requests).toHaveLength(2);
    const spans = genAISpans(await settle(bed.harness, 1));
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes[ATTR_ERROR_TYPE]).toBe('InternalServerError');
  });
});
