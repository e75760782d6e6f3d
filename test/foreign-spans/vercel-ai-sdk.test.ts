/**
 * The cost processor pricing the Vercel AI SDK's own spans (`ai` 7 with
 * `@ai-sdk/otel`), driving the real `ai` + `@ai-sdk/openai` against a
 * loopback server. One call must be costed once: the provider-call span is
 * priced, the wrapping spans that repeat its usage are not.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import { withAttribution } from '@aicost/core';
import { generateText } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, type MockServer, startMockServer } from '../support/mock-server.js';
import { createOtelHarness, type OtelHarness } from '../support/otel.js';
import { CHAT_COMPLETION_WITH_CACHE, COST_WITH_CACHE } from './openai-fixture.js';

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
beforeEach(() => otel.reset());

function model() {
  return createOpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1` }).chat('gpt-4o-mini');
}

function costed() {
  return otel.spans().filter((span) => span.attributes['aicost.cost.status'] !== undefined);
}

describe('Vercel AI SDK spans', () => {
  it('OpenTelemetry integration: prices the chat span, not invoke_agent or the step', async () => {
    const result = await withAttribution({ feature: 'faq' }, () =>
      generateText({
        model: model(),
        prompt: 'What is the capital of France?',
        telemetry: { integrations: [new OpenTelemetry()] },
      }),
    );
    expect(result.text).toBe('The capital of France is Paris.');
    const spans = otel.spans();
    expect(spans.map((span) => span.attributes['gen_ai.operation.name']).sort()).toEqual([
      'agent_step',
      'chat',
      'invoke_agent',
    ]);
    const agent = spans.find((span) => span.attributes['gen_ai.operation.name'] === 'invoke_agent');
    // The agent span repeats the call's usage: pricing it would double the cost.
    expect(agent?.attributes['gen_ai.usage.input_tokens']).toBe(1200);
    expect(costed().map((span) => span.name)).toEqual(['chat gpt-4o-mini']);
    expect(costed()[0]?.attributes).toMatchObject({
      'aicost.usage.source': 'vercel-ai',
      'aicost.cost.total': COST_WITH_CACHE,
      'aicost.feature': 'faq',
    });
  });

  it('LegacyOpenTelemetry integration: prices ai.generateText.doGenerate, not ai.generateText', async () => {
    await generateText({
      model: model(),
      prompt: 'What is the capital of France?',
      telemetry: { integrations: [new LegacyOpenTelemetry()] },
    });
    const names = otel.spans().map((span) => span.name);
    expect(names.sort()).toEqual(['ai.generateText', 'ai.generateText.doGenerate']);
    expect(costed().map((span) => span.name)).toEqual(['ai.generateText.doGenerate']);
    expect(costed()[0]?.attributes).toMatchObject({
      'aicost.usage.source': 'vercel-ai',
      'aicost.cost.status': 'priced',
      'aicost.cost.total': COST_WITH_CACHE,
      'aicost.price.model_id': 'gpt-4o-mini',
    });
  });
});
