/**
 * Mastra (`@mastra/core` agents with an AI SDK model provider, `@ai-sdk/openai`) with aicost's
 * `register()`. Mastra's agent loop calls the AI SDK model directly, over `fetch`: no provider
 * SDK aicost patches is involved, so `register()` alone sees no model call. Wrapping the model
 * with `aicostModelMiddleware()` (@aicost/core) makes each call one span, priced to the nano,
 * attributed from `withAttribution`, and one request row. Mastra's AI tracing, when bridged to
 * OpenTelemetry (`@mastra/otel-bridge`), is checked separately: its agent, step, chunk and tool
 * spans are neither priced nor request rows; its `chat` (model_generation) span sums a whole
 * generation, however many calls it made.
 */
import { aicostModelMiddleware, withAttribution } from '@aicost/core';
import { wrapLanguageModel } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  costedSpans,
  openaiChatToolLoop,
  providerFixture,
  requireFromTest,
  useFrameworkSuite,
} from './support.js';

const { server, exported, requestRows } = useFrameworkSuite({
  serviceName: 'mastra-app',
  instrumentations: ['openai'],
  respond: (server) => server.on('POST', '/v1/chat/completions', openaiChatToolLoop),
});

const { Agent } = requireFromTest('@mastra/core/agent') as typeof import('@mastra/core/agent');
const { Mastra } = requireFromTest('@mastra/core') as typeof import('@mastra/core');
const { createTool } = requireFromTest('@mastra/core/tools') as typeof import('@mastra/core/tools');
const { Observability } = requireFromTest('@mastra/observability') as typeof import('@mastra/observability');
const { OtelBridge } = requireFromTest('@mastra/otel-bridge') as typeof import('@mastra/otel-bridge');
const { createOpenAI } = requireFromTest('@ai-sdk/openai') as typeof import('@ai-sdk/openai');

const fixture = providerFixture('openai');

// gpt-4o-mini list price: $0.15 per million input tokens, $0.60 per million output tokens.
/** chat-completion.json and chat-stream-include-usage.json: 19 input, 10 output tokens. */
const GPT_4O_MINI_19_10 = '0.000008850';
/** chat-completion-tool-call.json: 82 input, 17 output tokens. */
const GPT_4O_MINI_82_17 = '0.000022500';
/** Both calls of the tool loop in one: 101 input, 27 output tokens. */
const GPT_4O_MINI_101_27 = '0.000031350';

const ATTRIBUTION = { feature: 'support-bot', customer: 'initech' };

const weather = createTool({
  id: 'get_current_weather',
  description: 'Current weather in a city',
  inputSchema: z.object({ location: z.string() }),
  execute: async ({ location }) => ({ forecast: `Sunny in ${location}` }),
});

function baseModel() {
  return createOpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1` }).chat('gpt-4o-mini');
}

function instrumentedModel() {
  return wrapLanguageModel({ model: baseModel(), middleware: aicostModelMiddleware() });
}

/**
 * Mastra's model type names the AI SDK provider package through its own alias of it
 * (`@ai-sdk/provider-v7`), which TypeScript does not identify with the copy `ai` uses; the
 * objects are the same specification (v4) at run time.
 */
type MastraModel = ConstructorParameters<typeof Agent>[0]['model'];

/** A Mastra app with one agent; `bridge` turns on Mastra's AI tracing through its OpenTelemetry bridge. */
function supportAgent(
  model: ReturnType<typeof baseModel> | ReturnType<typeof instrumentedModel>,
  bridge = false,
) {
  const agent = new Agent({
    id: 'support',
    name: 'Support',
    instructions: 'Help the customer.',
    model: model as MastraModel,
    tools: { get_current_weather: weather },
  });
  const mastra = new Mastra({
    agents: { support: agent },
    logger: false,
    ...(bridge
      ? {
          observability: new Observability({
            configs: { otel: { serviceName: 'mastra-app', bridge: new OtelBridge() } },
          }),
        }
      : {}),
  });
  return mastra.getAgent('support');
}

function modelCalls(): number {
  return server.requests.filter((request) => request.path === '/v1/chat/completions').length;
}

describe('Mastra with register() and aicostModelMiddleware(): one priced, attributed span per model call', () => {
  it('without the middleware, register() sees no model call (Mastra calls the model over fetch)', async () => {
    await withAttribution(ATTRIBUTION, () => supportAgent(baseModel()).generate('Weather in Boston?'));
    expect(modelCalls()).toBe(2);
    expect(await exported()).toHaveLength(0);
  });

  it('an agent with a tool: two model calls, two spans, two rows', async () => {
    const result = await withAttribution(ATTRIBUTION, () =>
      supportAgent(instrumentedModel()).generate('Weather in Boston?'),
    );
    expect(result.text).toBe(fixture('chat-completion').choices[0].message.content);
    const spans = await exported();
    expect(modelCalls()).toBe(2);
    expect(spans).toHaveLength(2);
    expect(spans.map((span) => span.name)).toEqual(['chat gpt-4o-mini', 'chat gpt-4o-mini']);
    expect(costedSpans(spans).map((span) => span.attributes['aicost.cost.total'])).toEqual([
      GPT_4O_MINI_82_17,
      GPT_4O_MINI_19_10,
    ]);
    for (const span of spans) {
      expect(span.attributes).toMatchObject({
        'gen_ai.provider.name': 'openai',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'aicost.cost.status': 'priced',
        'aicost.feature': 'support-bot',
        'aicost.customer': 'initech',
      });
    }
    const rows = await requestRows(spans);
    expect(rows.map((row) => [row.cost_total, row.feature, row.customer])).toEqual([
      [GPT_4O_MINI_82_17, 'support-bot', 'initech'],
      [GPT_4O_MINI_19_10, 'support-bot', 'initech'],
    ]);
  });

  it('a streamed answer: one call, one span priced from the finish part, one row', async () => {
    const text = await withAttribution(ATTRIBUTION, async () => {
      const output = await supportAgent(instrumentedModel()).stream('Say hello');
      let text = '';
      for await (const chunk of output.textStream) text += chunk;
      return text;
    });
    const streamed = fixture('chat-stream-include-usage').chunks.map(
      (chunk: { choices: Array<{ delta: { content?: string } }> }) => chunk.choices[0]?.delta.content ?? '',
    );
    expect(text).toBe(streamed.join(''));
    const spans = await exported();
    expect(modelCalls()).toBe(1);
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes).toMatchObject({
      'aicost.request.stream': true,
      'gen_ai.usage.input_tokens': 19,
      'gen_ai.usage.output_tokens': 10,
      'aicost.cost.total': GPT_4O_MINI_19_10,
      'aicost.feature': 'support-bot',
    });
    const rows = await requestRows(spans);
    expect(rows.map((row) => row.cost_total)).toEqual([GPT_4O_MINI_19_10]);
  });
});

describe("Mastra's AI tracing through @mastra/otel-bridge (without the middleware)", () => {
  it('agent, step, chunk and tool spans are not priced nor rows; the generation span is priced once for its calls', async () => {
    await withAttribution(ATTRIBUTION, () => supportAgent(baseModel(), true).generate('Weather in Boston?'));
    const spans = await exported();
    expect(modelCalls()).toBe(2);
    const types = spans.map((span) => span.attributes['mastra.span.type']);
    expect(types).toEqual(
      expect.arrayContaining(['agent_run', 'model_generation', 'model_step', 'tool_call']),
    );
    expect(types.filter((type) => type === 'model_step')).toHaveLength(2);
    // Only the generation span carries usage: the sum of the two calls, priced once.
    const costed = costedSpans(spans);
    expect(costed.map((span) => span.attributes['mastra.span.type'])).toEqual(['model_generation']);
    expect(costed[0]?.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 101,
      'gen_ai.usage.output_tokens': 27,
      'aicost.cost.total': GPT_4O_MINI_101_27,
      'aicost.feature': 'support-bot',
    });
    const rows = await requestRows(spans);
    // One row for the generation: the cost is whole, but the two calls are one row.
    expect(rows.map((row) => [row.span_name, row.cost_total])).toEqual([
      ['chat gpt-4o-mini', GPT_4O_MINI_101_27],
    ]);
  });
});
