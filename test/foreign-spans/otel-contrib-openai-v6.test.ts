/**
 * The cost and attribution processors on spans made by the REAL
 * `@opentelemetry/instrumentation-openai` (0.22, which supports `openai` >=4.19 <7)
 * around the real `openai` 6 SDK, talking to a loopback server.
 *
 * `openai` 6 is installed under the alias `openai-v6`. The instrumentation hooks
 * the module name `openai` through require-in-the-middle, which names a module
 * after the `node_modules/<name>/` directory its file resolves to, not after the
 * specifier: pnpm links the alias to `.pnpm/openai@6.30.1_.../node_modules/openai/`,
 * so `require('openai-v6')` is seen as `openai` 6.30.1 and patched by the
 * instrumentation's own hook, exactly as in an application that installed `openai` 6.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { withAttribution } from '@aicost/core';
import { SpanStatusCode } from '@opentelemetry/api';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, type MockServer, sseChunks, startMockServer } from '../support/mock-server.js';
import { createOtelHarness, type OtelHarness } from '../support/otel.js';
import { CHAT_COMPLETION_WITH_CACHE, COST_WITHOUT_CACHE_SPLIT } from './openai-fixture.js';

const require = createRequire(import.meta.url);

/** The same completion streamed: content in two chunks, usage in a last chunk with no choices. */
const STREAM_CHUNKS = [
  { delta: { role: 'assistant', content: 'The capital of France' }, finish_reason: null },
  { delta: { content: ' is Paris.' }, finish_reason: null },
  { delta: {}, finish_reason: 'stop' },
].map((choice) => ({
  id: CHAT_COMPLETION_WITH_CACHE.id,
  object: 'chat.completion.chunk',
  created: CHAT_COMPLETION_WITH_CACHE.created,
  model: CHAT_COMPLETION_WITH_CACHE.model,
  choices: [{ index: 0, ...choice }],
}));
const USAGE_CHUNK = { ...STREAM_CHUNKS[0], choices: [], usage: CHAT_COMPLETION_WITH_CACHE.usage };

type OpenAIClient = {
  chat: { completions: { create(body: Record<string, unknown>): Promise<any> } };
};
type OpenAIModule = {
  OpenAI: (new (
    options: Record<string, unknown>,
  ) => OpenAIClient) & {
    Chat: { Completions: { prototype: { create: { __wrapped?: boolean } } } };
  };
};

let server: MockServer;
let otel: OtelHarness;
let instrumentation: { disable(): void };
let openai: OpenAIModule;

beforeAll(async () => {
  server = await startMockServer();
  server.on('POST', '/v1/chat/completions', (request) =>
    (request.body as { stream?: boolean }).stream
      ? sseChunks([...STREAM_CHUNKS, USAGE_CHUNK], { splitBytes: 37 })
      : json(CHAT_COMPLETION_WITH_CACHE),
  );
  otel = createOtelHarness();
  const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');
  // Enabled on construction: installs its require hook for `openai`. Wired as the
  // Node SDK wires it: 0.22 creates its metric instruments only when given a meter
  // provider (its class fields reset the ones made in the base constructor).
  instrumentation = new OpenAIInstrumentation();
  registerInstrumentations({
    instrumentations: [instrumentation as Instrumentation],
    tracerProvider: otel.tracerProvider,
    meterProvider: otel.meterProvider,
  });
  for (const key of Object.keys(require.cache)) if (key.includes('/openai@6.30.1')) delete require.cache[key];
  openai = require('openai-v6') as OpenAIModule;
});
afterAll(async () => {
  instrumentation.disable();
  await otel.shutdown();
  await server.close();
});
beforeEach(() => otel.reset());

function client() {
  return new openai.OpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 0 });
}

const QUESTION = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
};

function priced(spans: ReadableSpan[]) {
  return spans.filter((span) => span.attributes['aicost.cost.status'] === 'priced');
}

describe('@opentelemetry/instrumentation-openai on openai 6 (real require hook)', () => {
  it('loads openai 6.30.1 through the hook, which patched it', () => {
    const manifest = require.resolve('openai-v6').replace(/index\.js$/, 'package.json');
    expect(JSON.parse(readFileSync(manifest, 'utf8'))).toMatchObject({ name: 'openai', version: '6.30.1' });
    expect(openai.OpenAI.Chat.Completions.prototype.create.__wrapped).toBe(true);
  });

  it('each call is one span, priced once at the catalogue price, with its own attribution', async () => {
    const calls = [
      { feature: 'faq', customer: 'acme' },
      { feature: 'drafts', customer: 'globex' },
    ];
    for (const attribution of calls) {
      const completion = await withAttribution(attribution, () => client().chat.completions.create(QUESTION));
      expect(completion.choices[0].message.content).toBe('The capital of France is Paris.');
    }
    const spans = await otel.waitForSpans(2);
    expect(spans).toHaveLength(2);
    expect(priced(spans)).toHaveLength(2);
    spans.forEach((span, i) => {
      expect(span.instrumentationScope.name).toBe('@opentelemetry/instrumentation-openai');
      expect(span.name).toBe('chat gpt-4o-mini');
      expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
      expect(span.attributes).toMatchObject({
        'aicost.usage.source': 'opentelemetry',
        'aicost.cost.status': 'priced',
        'aicost.price.model_id': 'gpt-4o-mini',
        // The instrumentation records input and output tokens only, no cached-token
        // count: all 1,200 input tokens are priced at the uncached $0.15/M.
        'aicost.cost.total': COST_WITHOUT_CACHE_SPLIT,
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.output_tokens': 30,
        'aicost.feature': calls[i]?.feature,
        'aicost.customer': calls[i]?.customer,
      });
    });
  });

  it('a streamed call with include_usage is one span, priced once', async () => {
    const stream = await withAttribution({ feature: 'chat-stream' }, () =>
      client().chat.completions.create({
        ...QUESTION,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('The capital of France is Paris.');

    const spans = await otel.waitForSpans(1);
    expect(spans).toHaveLength(1);
    expect(priced(spans)).toHaveLength(1);
    expect(spans[0]?.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(spans[0]?.attributes).toMatchObject({
      'aicost.usage.source': 'opentelemetry',
      'aicost.cost.total': COST_WITHOUT_CACHE_SPLIT,
      'aicost.feature': 'chat-stream',
    });
  });
});
