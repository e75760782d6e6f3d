/**
 * The cost processor pricing spans that OTHER instrumentations create around
 * the real `openai` SDK, talking to a loopback server.
 */
import { createRequire } from 'node:module';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, type MockServer, startMockServer } from '../support/mock-server.js';
import { createOtelHarness, type OtelHarness } from '../support/otel.js';
import { CHAT_COMPLETION_WITH_CACHE, COST_WITH_CACHE, COST_WITHOUT_CACHE_SPLIT } from './openai-fixture.js';

const require = createRequire(import.meta.url);

let server: MockServer;
let otel: OtelHarness;

beforeAll(async () => {
  server = await startMockServer();
  server.on('POST', '/v1/chat/completions', json(CHAT_COMPLETION_WITH_CACHE));
  otel = createOtelHarness();
});
afterAll(async () => {
  await otel.shutdown();
  await server.close();
});

type OpenAIModule = { OpenAI: new (options: Record<string, unknown>) => any };

/** A fresh copy of the SDK per instrumentation, so patches do not stack across tests. */
function freshOpenAI(): OpenAIModule {
  for (const key of Object.keys(require.cache)) if (key.includes('/openai/')) delete require.cache[key];
  return require('openai') as OpenAIModule;
}

async function callChat(openai: OpenAIModule): Promise<ReadableSpan> {
  otel.reset();
  const client = new openai.OpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 0 });
  const completion = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'What is the capital of France?' }],
  });
  expect(completion.choices[0].message.content).toBe('The capital of France is Paris.');
  const spans = await otel.waitForSpans(1);
  expect(spans).toHaveLength(1);
  return spans[0] as ReadableSpan;
}

describe('spans made by other OpenAI instrumentations', () => {
  it('OpenLLMetry (@traceloop/instrumentation-openai): priced from gen_ai.usage.*', async () => {
    const { OpenAIInstrumentation } = require('@traceloop/instrumentation-openai');
    const instrumentation = new OpenAIInstrumentation();
    instrumentation.setTracerProvider(otel.tracerProvider);
    const openai = freshOpenAI();
    instrumentation.manuallyInstrument(openai.OpenAI);
    const span = await callChat(openai);
    instrumentation.disable();

    expect(span.instrumentationScope.name).toBe('@traceloop/instrumentation-openai');
    expect(span.attributes).toMatchObject({
      'aicost.usage.source': 'openllmetry',
      'aicost.cost.status': 'priced',
      'aicost.price.model_id': 'gpt-4o-mini',
      // OpenLLMetry records no cached-token count for chat completions, so the
      // cache discount cannot be seen: all 1,200 input tokens are priced as uncached.
      'aicost.cost.total': COST_WITHOUT_CACHE_SPLIT,
    });
  });

  it('OpenInference (@arizeai/openinference-instrumentation-openai): priced from llm.token_count.*', async () => {
    const { OpenAIInstrumentation } = require('@arizeai/openinference-instrumentation-openai');
    const instrumentation = new OpenAIInstrumentation();
    instrumentation.setTracerProvider(otel.tracerProvider);
    const openai = freshOpenAI();
    instrumentation.manuallyInstrument(openai.OpenAI);
    const span = await callChat(openai);
    instrumentation.disable();

    expect(span.attributes['openinference.span.kind']).toBe('LLM');
    expect(span.attributes).toMatchObject({
      'aicost.usage.source': 'openinference',
      'aicost.cost.status': 'priced',
      'aicost.cost.total': COST_WITH_CACHE,
      'aicost.cost.cache_read': '0.000076800',
      // The semconv ledger is added where the span had none, for uniform queries.
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.cache_read.input_tokens': 1024,
      'gen_ai.provider.name': 'openai',
    });
  });

  it('@opentelemetry/instrumentation-openai does not patch openai 7 (it supports >=4.19 <7)', async () => {
    const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');
    const instrumentation = new OpenAIInstrumentation();
    const definitions =
      (instrumentation as any).getModuleDefinitions?.() ?? (instrumentation as any)._modules;
    const supported: string[] = definitions.flatMap(
      (d: { supportedVersions: string[] }) => d.supportedVersions,
    );
    expect(supported).toEqual(['>=4.19.0 <7']);
    instrumentation.disable();
  });
});
