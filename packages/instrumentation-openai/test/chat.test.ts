import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { json } from '../../../test/support/mock-server.js';
import { pointsMatching } from '../../../test/support/otel.js';
import { chatStream, fixture, SDKS, settle, setup } from './setup.js';

const t = await setup();
afterAll(() => t.close());
beforeEach(() => {
  t.otel.reset();
  t.server.reset();
});

describe.each(SDKS)('chat completions ($name)', (sdk) => {
  it('makes one CLIENT span with request and response attributes and the exact cost', async () => {
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
    const client = t.client(sdk);
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello!' }],
      temperature: 0.3,
      top_p: 0.9,
      max_completion_tokens: 100,
      stop: ['\n\n'],
      seed: 7,
    });
    expect(completion.choices[0].message.content).toBe('Hello! How can I assist you today?');

    const [span] = await t.otel.waitForSpans(1);
    expect(span!.name).toBe('chat gpt-4o-mini');
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(span!.attributes).toMatchObject({
      'gen_ai.provider.name': 'self_hosted', // a loopback base URL is a self-hosted server
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.max_tokens': 100,
      'gen_ai.request.stop_sequences': ['\n\n'],
      'gen_ai.request.seed': 7,
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.id': 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 19,
      'gen_ai.usage.output_tokens': 10,
      'server.address': '127.0.0.1',
      'server.port': t.server.port,
      'aicost.request.stream': false,
    });
    // No content unless opted in.
    expect(span!.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(span!.attributes['gen_ai.output.messages']).toBeUndefined();
  });

  it('prices an OpenAI call to the nano-dollar: gpt-4o-mini at $0.15/M input, $0.60/M output', async () => {
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
    const client = t.client(sdk, { baseURL: 'https://api.openai.com/v1', fetch: t.server.fetch });
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const [span] = await t.otel.waitForSpans(1);
    // 19 x 0.15e-6 = 0.00000285; 10 x 0.60e-6 = 0.000006; total 0.00000885 USD
    expect(span!.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'server.address': 'api.openai.com',
      'server.port': 443,
      'aicost.cost.status': 'priced',
      'aicost.cost.input': '0.000002850',
      'aicost.cost.output': '0.000006000',
      'aicost.cost.total': '0.000008850',
      'aicost.cost.currency': 'USD',
      'aicost.price.source': 'genai-prices',
    });
  });

  it('prices cached tokens at the cache-read rate: gpt-4o-mini $0.075/M cached input', async () => {
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion-cached')));
    const client = t.client(sdk, { baseURL: 'https://api.openai.com/v1', fetch: t.server.fetch });
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Summarise' }],
    });
    const [span] = await t.otel.waitForSpans(1);
    // prompt 2006 of which 1920 cached: 86 x 0.15e-6 = 0.0000129; 1920 x 0.075e-6 = 0.000144;
    // output 300 x 0.60e-6 = 0.00018; total 0.0003369 USD
    expect(span!.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 2006,
      'gen_ai.usage.cache_read.input_tokens': 1920,
      'gen_ai.usage.output_tokens': 300,
      'aicost.cost.input': '0.000012900',
      'aicost.cost.cache_read': '0.000144000',
      'aicost.cost.output': '0.000180000',
      'aicost.cost.total': '0.000336900',
    });
  });

  it('records a tool call response with finish reason tool_calls', async () => {
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion-tool-call')));
    const client = t.client(sdk);
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: "What's the weather like in Boston today?" }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_current_weather',
            parameters: {
              type: 'object',
              properties: { location: { type: 'string' } },
              required: ['location'],
            },
          },
        },
      ],
    });
    expect(completion.choices[0].message.tool_calls[0].function.name).toBe('get_current_weather');
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_calls']);
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(82);
  });

  it('structured output: parse() returns the parsed object, the body is read once, one span', async () => {
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion-structured')));
    const client = t.client(sdk);
    const completion = await client.chat.completions.parse({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Alice and Bob are going to a science fair on Friday.' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'event',
          strict: true,
          schema: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              date: { type: 'string' },
              participants: { type: 'array', items: { type: 'string' } },
            },
            required: ['name', 'date', 'participants'],
            additionalProperties: false,
          },
        },
      },
    });
    expect(completion.choices[0].message.parsed).toEqual({
      name: 'Science fair',
      date: 'Friday',
      participants: ['Alice', 'Bob'],
    });
    await settle();
    const spans = t.otel.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes['gen_ai.output.type']).toBe('json');
    expect(spans[0]!.attributes['gen_ai.usage.output_tokens']).toBe(17);
    expect(t.server.requests).toHaveLength(1);
  });

  it('streams: the span ends when the stream is consumed, with response attributes and time to first chunk', async () => {
    t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream-include-usage', { delayMs: 5 }));
    const client = t.client(sdk);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    await settle();
    expect(t.otel.spans()).toHaveLength(0); // not before the stream is read
    const texts: string[] = [];
    let usageChunks = 0;
    for await (const chunk of stream) {
      if (chunk.choices.length === 0 && chunk.usage) usageChunks++;
      texts.push(chunk.choices[0]?.delta?.content ?? '');
    }
    expect(texts.join('')).toBe('Hello! How can I help?');
    expect(usageChunks).toBe(1); // the caller asked for usage: they get the chunk
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes).toMatchObject({
      'aicost.request.stream': true,
      'gen_ai.response.id': 'chatcmpl-123',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 19,
      'gen_ai.usage.output_tokens': 10,
    });
    expect(span!.attributes['aicost.response.time_to_first_chunk']).toBeGreaterThan(0);
    const ttfc = pointsMatching(await t.otel.metric('gen_ai.client.operation.time_to_first_chunk'), {
      'gen_ai.request.model': 'gpt-4o-mini',
    });
    expect(ttfc.length).toBeGreaterThan(0);
  });

  it('streams without usage: unpriced / missing_usage, never $0, and the request is left as sent', async () => {
    t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream'));
    const client = t.client(sdk);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
    });
    for await (const _ of stream) {
      // drain
    }
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['aicost.cost.status']).toBe('unpriced');
    expect(span!.attributes['aicost.cost.status_reason']).toBe('missing_usage');
    expect(span!.attributes['aicost.cost.total']).toBeUndefined();
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(t.server.requests[0]!.body.stream_options).toBeUndefined();
  });

  it('streams a tool call', async () => {
    t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream-tool-call', { splitBytes: 17 }));
    const client = t.client(sdk);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Boston?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let args = '';
    for await (const chunk of stream)
      args += chunk.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '';
    expect(JSON.parse(args)).toEqual({ location: 'Boston' });
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_calls']);
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(82);
  });

  it('the stream() helper and its finalChatCompletion() work, one span per request', async () => {
    t.server.on('POST', '/v1/chat/completions', chatStream('chat-stream-include-usage'));
    const client = t.client(sdk);
    const runner = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello' }],
      stream_options: { include_usage: true },
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0].message.content).toBe('Hello! How can I help?');
    const spans = await t.otel.waitForSpans(1);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes['gen_ai.usage.output_tokens']).toBe(10);
  });

  it('runTools(): one span per model call, the tool round trip included', async () => {
    t.server.on(
      'POST',
      '/v1/chat/completions',
      json(fixture('chat-completion-tool-call')),
      json(fixture('chat-completion')),
    );
    const client = t.client(sdk);
    const calls: unknown[] = [];
    const runner = client.chat.completions.runTools({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: "What's the weather like in Boston today?" }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_current_weather',
            parameters: { type: 'object', properties: { location: { type: 'string' } } },
            parse: JSON.parse,
            function: async (args: unknown) => {
              calls.push(args);
              return '72F and sunny';
            },
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe('Hello! How can I assist you today?');
    expect(calls).toEqual([{ location: 'Boston, MA' }]);
    const spans = await t.otel.waitForSpans(2);
    expect(spans.map((s) => s.attributes['gen_ai.response.finish_reasons'])).toEqual([
      ['tool_calls'],
      ['stop'],
    ]);
    expect(t.server.requests[1]!.body.messages.at(-1)).toMatchObject({
      role: 'tool',
      content: '72F and sunny',
    });
  });

  it('records token and cost metrics', async () => {
    t.server.on('POST', '/v1/chat/completions', json(fixture('chat-completion')));
    const client = t.client(sdk, { baseURL: 'https://api.openai.com/v1', fetch: t.server.fetch });
    const before =
      pointsMatching<any>(await t.otel.metric('gen_ai.client.token.usage'), {
        'gen_ai.token.type': 'input',
        'gen_ai.provider.name': 'openai',
      })[0]?.value.sum ?? 0;
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    await t.otel.waitForSpans(1);
    const input = pointsMatching<any>(await t.otel.metric('gen_ai.client.token.usage'), {
      'gen_ai.token.type': 'input',
      'gen_ai.provider.name': 'openai',
    });
    expect(input[0]!.value.sum - before).toBe(19);
    const cost = pointsMatching<number>(await t.otel.metric('aicost.cost'), {
      'gen_ai.provider.name': 'openai',
    });
    expect(cost[0]!.value).toBeGreaterThanOrEqual(0.00000885 - 1e-12);
    const duration = pointsMatching(await t.otel.metric('gen_ai.client.operation.duration'), {
      'gen_ai.operation.name': 'chat',
    });
    expect(duration.length).toBeGreaterThan(0);
  });
});
