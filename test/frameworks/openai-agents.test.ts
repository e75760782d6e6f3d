/**
 * The OpenAI Agents SDK (`@openai/agents`) with aicost's `register()`: an agent run is several
 * model calls (the Responses API through the `openai` SDK the Agents SDK brings), each one span
 * of aicost's OpenAI instrumentation, priced to the nano, attributed from `withAttribution`,
 * and one request row. The SDK's own tracing (agent, response and function spans) is not
 * OpenTelemetry: it goes to its trace processors (here a collector and the SDK's own OpenAI
 * exporter, pointed at the loopback server), never to aicost's exporter, so nothing is priced
 * or counted twice.
 */
import { withAttribution } from '@aicost/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { json, type RecordedRequest, sse } from '../support/mock-server.js';
import {
  costedSpans,
  functionCallResponse,
  providerFixture,
  requireFromTest,
  useFrameworkSuite,
} from './support.js';

const { server, exported, requestRows } = useFrameworkSuite({
  serviceName: 'agents-app',
  instrumentations: ['openai'],
  respond(server) {
    server.on('POST', '/v1/responses', responses);
    server.on('POST', '/v1/traces/ingest', json({}));
  },
  // Earlier runs' SDK spans leave first, so each test sees only its own.
  beforeReset: () => agentsExporter.forceFlush(),
});

const agents = requireFromTest('@openai/agents') as typeof import('@openai/agents');
const { Agent, BatchTraceProcessor, OpenAIProvider, OpenAITracingExporter, Runner, tool } = agents;
type TracingProcessor = Parameters<typeof agents.addTraceProcessor>[0];
type AgentsSpan = Parameters<TracingProcessor['onSpanEnd']>[0];

const fixture = providerFixture('openai');

// gpt-4.1 list price: $2 per million input tokens, $8 per million output tokens.
/** response.json and response-stream.json: 36 input, 87 output tokens. */
const GPT_41_36_87 = '0.000768000';
/** The function call turn below: 120 input, 20 output tokens. */
const GPT_41_120_20 = '0.000400000';

function responses(request: RecordedRequest) {
  if (request.body.stream) return sse(fixture('response-stream').events);
  const input = Array.isArray(request.body.input) ? request.body.input : [];
  const answered = input.some((item: { type?: string }) => item.type === 'function_call_output');
  const tools: Array<{ name?: string }> = request.body.tools ?? [];
  if (answered || tools.length === 0) return json(fixture('response'));
  // A triage agent hands off; an agent with the weather tool calls it.
  const handoff = tools.find((tool) => tool.name?.startsWith('transfer_to_'));
  if (handoff?.name) return json(functionCallResponse(handoff.name, '{}'));
  return json(functionCallResponse('get_weather', '{"city":"Paris"}'));
}

/** The Agents SDK's own spans, as its trace processors receive them. */
const agentsSpans: AgentsSpan[] = [];
const collector: TracingProcessor = {
  async onTraceStart() {},
  async onTraceEnd() {},
  async onSpanStart() {},
  async onSpanEnd(span) {
    agentsSpans.push(span);
  },
  async shutdown() {},
  async forceFlush() {},
};

let runner: InstanceType<typeof Runner>;
let agentsExporter: InstanceType<typeof BatchTraceProcessor>;

beforeAll(() => {
  // Vitest sets NODE_ENV=test, where the Agents SDK turns its tracing off by default: turn it on.
  agents.setTracingDisabled(false);
  agentsExporter = new BatchTraceProcessor(
    new OpenAITracingExporter({ apiKey: 'test-key', endpoint: `${server.url}/v1/traces/ingest` }),
  );
  agents.setTraceProcessors([collector, agentsExporter]);
  runner = new Runner({
    modelProvider: new OpenAIProvider({ apiKey: 'test-key', baseURL: `${server.url}/v1` }),
  });
});
afterAll(async () => {
  await agentsExporter?.shutdown();
});
beforeEach(() => {
  agentsSpans.length = 0;
});

const getWeather = tool({
  name: 'get_weather',
  description: 'Current weather in a city',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `Sunny in ${city}`,
});

const ATTRIBUTION = { feature: 'concierge', customer: 'globex' };

function modelCalls(): number {
  return server.requests.filter((request) => request.path === '/v1/responses').length;
}

describe('OpenAI Agents SDK with register(): one priced, attributed span per model call', () => {
  it('an agent with a tool: two model calls, two spans, two rows; the agent and function spans are not priced', async () => {
    const agent = new Agent({
      name: 'Concierge',
      instructions: 'Help.',
      model: 'gpt-4.1',
      tools: [getWeather],
    });
    const result = await withAttribution(ATTRIBUTION, () => runner.run(agent, 'Weather in Paris?'));
    expect(result.finalOutput).toBe(fixture('response').output[0].content[0].text);

    const spans = await exported();
    expect(modelCalls()).toBe(2);
    expect(spans).toHaveLength(2);
    expect(spans.every((span) => span.instrumentationScope.name === '@aicost/instrumentation-openai')).toBe(
      true,
    );
    expect(costedSpans(spans).map((span) => span.attributes['aicost.cost.total'])).toEqual([
      GPT_41_120_20,
      GPT_41_36_87,
    ]);
    for (const span of spans) {
      expect(span.attributes).toMatchObject({ 'aicost.feature': 'concierge', 'aicost.customer': 'globex' });
    }

    // The SDK traced the run itself: an agent span around two response spans and the function call.
    const types = agentsSpans.map((span) => span.spanData.type);
    expect(types.filter((type) => type === 'response')).toHaveLength(2);
    expect(types).toContain('agent');
    expect(types).toContain('function');

    const rows = await requestRows(spans);
    expect(rows.map((row) => [row.operation, row.cost_total, row.feature, row.customer])).toEqual([
      ['chat', GPT_41_120_20, 'concierge', 'globex'],
      ['chat', GPT_41_36_87, 'concierge', 'globex'],
    ]);
  });

  it('a handoff (triage agent, then the specialist): two model calls, two spans, two rows; the handoff is not a call', async () => {
    const specialist = new Agent({ name: 'Weather specialist', instructions: 'Answer.', model: 'gpt-4.1' });
    const triage = new Agent({
      name: 'Triage',
      instructions: 'Route.',
      model: 'gpt-4.1',
      handoffs: [specialist],
    });
    const result = await withAttribution(ATTRIBUTION, () => runner.run(triage, 'Weather in Paris?'));
    expect(result.lastAgent?.name).toBe('Weather specialist');
    const spans = await exported();
    expect(modelCalls()).toBe(2);
    expect(spans).toHaveLength(2);
    expect(costedSpans(spans).map((span) => span.attributes['aicost.cost.total'])).toEqual([
      GPT_41_120_20,
      GPT_41_36_87,
    ]);
    expect(agentsSpans.map((span) => span.spanData.type)).toContain('handoff');
    const rows = await requestRows(spans);
    expect(rows.map((row) => [row.cost_total, row.customer])).toEqual([
      [GPT_41_120_20, 'globex'],
      [GPT_41_36_87, 'globex'],
    ]);
  });

  it('a streamed run: one model call, one span priced from response.completed, one row', async () => {
    const agent = new Agent({ name: 'Storyteller', instructions: 'Tell stories.', model: 'gpt-4.1' });
    const text = await withAttribution(ATTRIBUTION, async () => {
      const stream = await runner.run(agent, 'A unicorn story', { stream: true });
      let text = '';
      for await (const chunk of stream.toTextStream()) text += chunk;
      await stream.completed;
      return text;
    });
    expect(text).toContain('Lumina');
    const spans = await exported();
    expect(modelCalls()).toBe(1);
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes).toMatchObject({
      'aicost.request.stream': true,
      'aicost.cost.total': GPT_41_36_87,
      'aicost.feature': 'concierge',
    });
    const rows = await requestRows(spans);
    expect(rows.map((row) => row.cost_total)).toEqual([GPT_41_36_87]);
  });

  it("the SDK's own trace export reaches its backend, not aicost's exporter", async () => {
    const agent = new Agent({
      name: 'Concierge',
      instructions: 'Help.',
      model: 'gpt-4.1',
      tools: [getWeather],
    });
    await withAttribution(ATTRIBUTION, () => runner.run(agent, 'Weather in Paris?'));
    await agentsExporter.forceFlush();
    const ingested = server.requests.filter((request) => request.path === '/v1/traces/ingest');
    expect(ingested.length).toBeGreaterThan(0);
    const items = ingested.flatMap(
      (request) => request.body.data as Array<{ object: string; span_data?: { type: string } }>,
    );
    expect(items.filter((item) => item.span_data?.type === 'response')).toHaveLength(2);
    // aicost's exporter still holds exactly the two model calls.
    const spans = await exported();
    expect(modelCalls()).toBe(2);
    expect(spans).toHaveLength(2);
  });
});
