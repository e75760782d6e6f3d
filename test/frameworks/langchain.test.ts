/**
 * LangChain JS (`@langchain/openai`, `@langchain/anthropic`, `@langchain/core`) with aicost's
 * `register()`: each model call the framework makes (a chain, a tool-calling loop, a stream) is
 * one span of aicost's OpenAI or Anthropic instrumentation, priced to the nano and attributed
 * from `withAttribution`, and one request row in the real schema. LangChain's runs (chains,
 * tools, callbacks) are not OpenTelemetry spans: nothing else reaches the exporter.
 */
import { withAttribution } from '@aicost/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { json, type RecordedRequest, sse } from '../support/mock-server.js';
import {
  costedSpans,
  openaiChatToolLoop,
  providerFixture,
  requireFromTest,
  useFrameworkSuite,
} from './support.js';

const { server, exported, requestRows } = useFrameworkSuite({
  serviceName: 'langchain-app',
  instrumentations: ['openai', 'anthropic'],
  respond(server) {
    server.on('POST', '/v1/chat/completions', openaiChatToolLoop);
    server.on('POST', '/v1/messages', anthropicMessages);
  },
});

const { ChatOpenAI } = requireFromTest('@langchain/openai') as typeof import('@langchain/openai');
const { ChatAnthropic } = requireFromTest('@langchain/anthropic') as typeof import('@langchain/anthropic');
const { ChatPromptTemplate } = requireFromTest(
  '@langchain/core/prompts',
) as typeof import('@langchain/core/prompts');
const { StringOutputParser } = requireFromTest(
  '@langchain/core/output_parsers',
) as typeof import('@langchain/core/output_parsers');
const { tool } = requireFromTest('@langchain/core/tools') as typeof import('@langchain/core/tools');
const { HumanMessage } = requireFromTest(
  '@langchain/core/messages',
) as typeof import('@langchain/core/messages');

const openaiFixture = providerFixture('openai');
const anthropicFixture = providerFixture('anthropic');

// gpt-4o-mini list price: $0.15 per million input tokens, $0.60 per million output tokens.
/** chat-completion.json and chat-stream-include-usage.json: 19 input, 10 output tokens. */
const GPT_4O_MINI_19_10 = '0.000008850';
/** chat-completion-tool-call.json: 82 input, 17 output tokens. */
const GPT_4O_MINI_82_17 = '0.000022500';
// claude-haiku-4-5 list price: $1 per million input tokens, $5 per million output tokens.
/** message-tool-use.json: 384 input, 68 output tokens. */
const HAIKU_384_68 = '0.000724000';
/** message-basic.json: 2,095 input, 503 output tokens. */
const HAIKU_2095_503 = '0.004610000';
/** stream-tool-use.json: 472 input, 89 output tokens. */
const HAIKU_472_89 = '0.000917000';

const ATTRIBUTION = { feature: 'trip-planner', customer: 'acme' };

/** Anthropic messages: the same loop, with tool_result blocks. */
function anthropicMessages(request: RecordedRequest) {
  const answered = request.body.messages.some(
    (message: { content: unknown }) =>
      Array.isArray(message.content) &&
      message.content.some((block: { type: string }) => block.type === 'tool_result'),
  );
  if (request.body.stream) return sse(anthropicFixture('stream-tool-use').events);
  if (request.body.tools && !answered) return json(anthropicFixture('message-tool-use'));
  return json(anthropicFixture('message-basic'));
}

const weather = tool(async ({ location }: { location: string }) => `Sunny in ${location}`, {
  name: 'get_current_weather',
  description: 'Current weather in a city',
  schema: z.object({ location: z.string() }),
});

function openaiModel() {
  return new ChatOpenAI({
    model: 'gpt-4o-mini',
    apiKey: 'test-key',
    configuration: { baseURL: `${server.url}/v1` },
    maxRetries: 0,
  });
}

function anthropicModel() {
  return new ChatAnthropic({
    model: 'claude-haiku-4-5',
    apiKey: 'test-key',
    anthropicApiUrl: server.url,
    maxRetries: 0,
  });
}

function modelCalls(path: string): number {
  return server.requests.filter((request) => request.path.startsWith(path)).length;
}

describe('LangChain JS with register(): one priced, attributed span per model call', () => {
  it('@langchain/openai: a prompt | model | parser chain makes one call, one span, one row', async () => {
    const chain = ChatPromptTemplate.fromMessages([['human', 'Say hello to {name}']])
      .pipe(openaiModel())
      .pipe(new StringOutputParser());
    const answer = await withAttribution(ATTRIBUTION, () => chain.invoke({ name: 'Ada' }));
    expect(answer).toBe(openaiFixture('chat-completion').choices[0].message.content);

    const spans = await exported();
    expect(modelCalls('/v1/chat/completions')).toBe(1);
    // The chain, the prompt and the parser are LangChain runs, not OpenTelemetry spans.
    expect(spans).toHaveLength(1);
    expect(spans[0]?.instrumentationScope.name).toBe('@aicost/instrumentation-openai');
    expect(spans[0]?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'aicost.cost.status': 'priced',
      'aicost.cost.total': GPT_4O_MINI_19_10,
      'aicost.feature': 'trip-planner',
      'aicost.customer': 'acme',
    });
    const rows = await requestRows(spans);
    expect(rows).toEqual([
      expect.objectContaining({
        operation: 'chat',
        cost_status: 'priced',
        cost_total: GPT_4O_MINI_19_10,
        feature: 'trip-planner',
        customer: 'acme',
      }),
    ]);
  });

  it('@langchain/openai: a tool-calling loop (call, tool, call) is two spans and two rows', async () => {
    const model = openaiModel().bindTools([weather]);
    const answer = await withAttribution(ATTRIBUTION, async () => {
      const messages: Parameters<typeof model.invoke>[0] = [new HumanMessage('Weather in Boston?')];
      const first = await model.invoke(messages);
      expect(first.tool_calls?.map((call) => call.name)).toEqual(['get_current_weather']);
      messages.push(first);
      for (const call of first.tool_calls ?? []) messages.push(await weather.invoke(call));
      return model.invoke(messages);
    });
    expect(answer.content).toBe(openaiFixture('chat-completion').choices[0].message.content);

    const spans = await exported();
    expect(modelCalls('/v1/chat/completions')).toBe(2);
    expect(spans).toHaveLength(2);
    expect(costedSpans(spans).map((span) => span.attributes['aicost.cost.total'])).toEqual([
      GPT_4O_MINI_82_17,
      GPT_4O_MINI_19_10,
    ]);
    for (const span of spans)
      expect(span.attributes).toMatchObject({ 'aicost.feature': 'trip-planner', 'aicost.customer': 'acme' });
    const rows = await requestRows(spans);
    expect(rows.map((row) => [row.cost_total, row.feature, row.customer])).toEqual([
      [GPT_4O_MINI_82_17, 'trip-planner', 'acme'],
      [GPT_4O_MINI_19_10, 'trip-planner', 'acme'],
    ]);
  });

  it('@langchain/openai: a stream (usage in the last chunk) is one span, priced once the stream ends', async () => {
    const text = await withAttribution(ATTRIBUTION, async () => {
      let text = '';
      for await (const chunk of await openaiModel().stream('Say hello')) text += chunk.content;
      return text;
    });
    const streamed = openaiFixture('chat-stream-include-usage').chunks.map(
      (chunk: { choices: Array<{ delta: { content?: string } }> }) => chunk.choices[0]?.delta.content ?? '',
    );
    expect(text).toBe(streamed.join(''));
    const spans = await exported();
    expect(modelCalls('/v1/chat/completions')).toBe(1);
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 19,
      'aicost.cost.total': GPT_4O_MINI_19_10,
      'aicost.feature': 'trip-planner',
    });
    const rows = await requestRows(spans);
    expect(rows.map((row) => row.cost_total)).toEqual([GPT_4O_MINI_19_10]);
  });

  it('@langchain/anthropic: a tool-calling loop is two spans and two rows, each priced', async () => {
    const model = anthropicModel().bindTools([weather]);
    await withAttribution(ATTRIBUTION, async () => {
      const messages: Parameters<typeof model.invoke>[0] = [new HumanMessage('Weather in San Francisco?')];
      const first = await model.invoke(messages);
      expect(first.tool_calls?.map((call) => call.name)).toEqual(['get_weather']);
      messages.push(first);
      for (const call of first.tool_calls ?? [])
        messages.push(await weather.invoke({ ...call, args: { location: 'SF' } }));
      return model.invoke(messages);
    });
    const spans = await exported();
    expect(modelCalls('/v1/messages')).toBe(2);
    expect(spans).toHaveLength(2);
    expect(spans.map((span) => span.instrumentationScope.name)).toEqual([
      '@aicost/instrumentation-anthropic',
      '@aicost/instrumentation-anthropic',
    ]);
    expect(costedSpans(spans).map((span) => span.attributes['aicost.cost.total'])).toEqual([
      HAIKU_384_68,
      HAIKU_2095_503,
    ]);
    const rows = await requestRows(spans);
    expect(rows.map((row) => [row.cost_total, row.feature, row.customer])).toEqual([
      [HAIKU_384_68, 'trip-planner', 'acme'],
      [HAIKU_2095_503, 'trip-planner', 'acme'],
    ]);
  });

  it('@langchain/anthropic: a streamed tool call is one span, priced from the stream usage', async () => {
    await withAttribution(ATTRIBUTION, async () => {
      const chunks = [];
      for await (const chunk of await anthropicModel()
        .bindTools([weather])
        .stream('Weather in San Francisco?'))
        chunks.push(chunk);
      expect(chunks.length).toBeGreaterThan(1);
    });
    const spans = await exported();
    expect(modelCalls('/v1/messages')).toBe(1);
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes).toMatchObject({
      'aicost.cost.total': HAIKU_472_89,
      'aicost.customer': 'acme',
    });
    const rows = await requestRows(spans);
    expect(rows.map((row) => row.cost_total)).toEqual([HAIKU_472_89]);
  });
});
