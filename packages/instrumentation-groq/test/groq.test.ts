/**
 * groq-sdk 1.x (a Stainless SDK), real SDK against a loopback Groq API.
 *
 * Prices used below (genai-prices catalogue, provider `groq`): `llama-3.3-70b-versatile`
 * input $0.59, output $0.79 per million tokens, i.e. 590 / 790 nano-USD per token.
 */

import {
  ATTR_AICOST_COST_STATUS,
  ATTR_AICOST_COST_TOTAL,
  ATTR_AICOST_PRICE_MATCH,
  ATTR_AICOST_REQUEST_STREAM,
  ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_AICOST_SERVICE_TIER,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@aicost/core';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import Groq, * as sdk from 'groq-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { requestThrowingOn, runWithUnreadableRequest } from '../../../test/support/hostile-request.js';
import {
  drain,
  settledSpan,
  useTestBed,
  withAndWithoutInstrumentation,
} from '../../../test/support/instrumentation.js';
import { httpError, raw } from '../../../test/support/mock-server.js';
import {
  expectClientSpanWithoutContent,
  expectErrorSpan,
  expectUnpriced,
  inputMessages,
  outputMessages,
} from '../../../test/support/span-assertions.js';
import { instrument, PACKAGE_NAME } from '../src/index.js';
import { chatStream, fixture, jsonFixture, settle, setUpInstrumentation } from './setup.js';

const MODEL = 'llama-3.3-70b-versatile';
const PATH = '/openai/v1/chat/completions';
const REQUEST = {
  model: MODEL,
  messages: [
    { role: 'system' as const, content: 'You are a concise assistant.' },
    { role: 'user' as const, content: 'Explain the importance of fast language models' },
  ],
  temperature: 0.5,
  top_p: 1,
  max_completion_tokens: 1024,
  seed: 7,
  stop: '###',
};
const TOOL_REQUEST = {
  model: MODEL,
  messages: [{ role: 'user' as const, content: "What's the weather like in New York today?" }],
  tools: [
    {
      type: 'function' as const,
      function: {
        name: 'get_weather',
        description: 'Get the current weather in a given location',
        parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
      },
    },
  ],
};

const { bed, server } = useTestBed(() => setUpInstrumentation(sdk));
let client: Groq;

beforeAll(() => {
  client = new Groq({ apiKey: 'test-key', baseURL: server.url, maxRetries: 2 });
});

const oneSpan = (name = `chat ${MODEL}`) => settledSpan(bed.harness, PACKAGE_NAME, name);

describe('chat.completions.create', () => {
  it('records one chat span with request parameters, the served tier and the exact cost', async () => {
    server.on('POST', PATH, jsonFixture('chat-completion'));

    const completion = await client.chat.completions.create(REQUEST);

    expect(completion.choices[0]?.message.content).toMatch(/^Fast language models/);
    const span = await oneSpan();
    expectClientSpanWithoutContent(span, {
      [ATTR_GEN_AI_PROVIDER_NAME]: 'groq',
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_REQUEST_MODEL]: MODEL,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.5,
      [ATTR_GEN_AI_REQUEST_TOP_P]: 1,
      [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 1024,
      [ATTR_GEN_AI_REQUEST_SEED]: 7,
      [ATTR_GEN_AI_REQUEST_STOP_SEQUENCES]: ['###'],
      [ATTR_SERVER_ADDRESS]: '127.0.0.1',
      [ATTR_SERVER_PORT]: server.port,
      [ATTR_AICOST_REQUEST_STREAM]: false,
      [ATTR_GEN_AI_RESPONSE_ID]: 'chatcmpl-f51b2cd2-bef7-417e-964e-a08f0b513c22',
      [ATTR_GEN_AI_RESPONSE_MODEL]: MODEL,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
      [ATTR_AICOST_SERVICE_TIER]: 'on_demand',
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 18,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 556,
      [ATTR_AICOST_COST_STATUS]: 'priced',
      // 18 × 590 + 556 × 790 nano-USD
      [ATTR_AICOST_COST_TOTAL]: '0.000449860',
    });
  });

  it('names the default host api.groq.com, priced by host', async () => {
    const defaultHost = new Groq({ apiKey: 'test-key', fetch: server.fetch });
    server.on('POST', PATH, jsonFixture('chat-completion'));

    await defaultHost.chat.completions.create(REQUEST);

    const span = await oneSpan();
    expect(span.attributes).toMatchObject({
      [ATTR_SERVER_ADDRESS]: 'api.groq.com',
      [ATTR_SERVER_PORT]: 443,
      [ATTR_AICOST_PRICE_MATCH]: 'host',
      [ATTR_AICOST_COST_TOTAL]: '0.000449860',
    });
  });

  it('records a tool call as the finish reason, with the call and its arguments only when opted in', async () => {
    server.on('POST', PATH, jsonFixture('chat-tool-call'));
    const completion = await client.chat.completions.create(TOOL_REQUEST);
    expect(completion.choices[0]?.message.tool_calls?.[0]?.function.name).toBe('get_weather');
    const plain = await oneSpan();
    expect(plain.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual(['tool_calls']);
    // 240 × 590 + 26 × 790 nano-USD
    expect(plain.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000162140');
    expect(plain.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]).toBeUndefined();

    bed.harness.reset();
    bed.instrumentation.setConfig({ captureMessageContent: true });
    await client.chat.completions.create(TOOL_REQUEST);
    const captured = await oneSpan();
    expect(inputMessages(captured)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: "What's the weather like in New York today?" }] },
    ]);
    expect(outputMessages(captured)).toEqual([
      {
        role: 'assistant',
        parts: [
          {
            type: 'tool_call',
            id: 'call_d5wg',
            name: 'get_weather',
            arguments: '{"location": "New York, NY"}',
          },
        ],
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it('JSON mode is recorded as json output', async () => {
    server.on('POST', PATH, jsonFixture('chat-completion'));
    await client.chat.completions.create({ ...REQUEST, response_format: { type: 'json_object' } });
    expect((await oneSpan()).attributes[ATTR_GEN_AI_OUTPUT_TYPE]).toBe('json');
  });

  it("retries a 429 (the SDK's own retries) inside one span and prices the response that finally came", async () => {
    server.on('POST', PATH, httpError(429, fixture('error-rate-limit')), jsonFixture('chat-completion'));

    await client.chat.completions.create(REQUEST);

    expect(server.requests).toHaveLength(2);
    const span = await oneSpan();
    expect(span.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000449860');
  });

  it('ends one span with error.type when the retries give up, and rethrows the SDK error unchanged', async () => {
    server.on('POST', PATH, httpError(500, fixture('error-server')));

    const error = await client.chat.completions.create(REQUEST, { maxRetries: 1 }).catch((e: unknown) => e);

    expect(server.requests).toHaveLength(2);
    expect(error).toBeInstanceOf(Groq.InternalServerError);
    expect((error as InstanceType<typeof Groq.InternalServerError>).status).toBe(500);
    expect((error as InstanceType<typeof Groq.InternalServerError>).error).toEqual(fixture('error-server'));
    const span = await oneSpan();
    expectErrorSpan(span, 'InternalServerError');
    expectUnpriced(span, 'missing_usage');
  });

  it('a request aborted in flight (signal) ends one span as an error, with the SDK error unchanged', async () => {
    server.on('POST', PATH, jsonFixture('chat-completion'));
    const controller = new AbortController();
    const pending = client.chat.completions.create(REQUEST, { signal: controller.signal });
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Groq.APIUserAbortError);
    const span = await oneSpan();
    expectErrorSpan(span, 'APIUserAbortError');
    expectUnpriced(span);
  });

  it('withResponse() gives the data and the raw response; asResponse() leaves the body unread; one span each', async () => {
    server.on('POST', PATH, jsonFixture('chat-completion'));
    const { data, response } = await client.chat.completions.create(REQUEST).withResponse();
    expect(data.id).toBe('chatcmpl-f51b2cd2-bef7-417e-964e-a08f0b513c22');
    expect(response.status).toBe(200);
    expect((await oneSpan()).attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000449860');

    bed.harness.reset();
    const rawResponse = await client.chat.completions.create(REQUEST).asResponse();
    expect(rawResponse.bodyUsed).toBe(false);
    // Priced from a clone; the application's body is still there to read.
    expect((await oneSpan()).attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000449860');
    expect(((await rawResponse.json()) as { id: string }).id).toBe(
      'chatcmpl-f51b2cd2-bef7-417e-964e-a08f0b513c22',
    );
  });

  it('a fire-and-forget call still ends its span; invalid JSON after asResponse() is recorded as an error', async () => {
    server.on('POST', PATH, jsonFixture('chat-completion'));
    void client.chat.completions.create(REQUEST);
    expect((await oneSpan()).attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000449860');

    bed.harness.reset();
    server.on('POST', PATH, raw('{"id": "chatcmpl-broken", "choices": ['));
    const response = await client.chat.completions.create(REQUEST).asResponse();
    expect(await response.text()).toBe('{"id": "chatcmpl-broken", "choices": [');
    const span = await oneSpan();
    expectErrorSpan(span, 'SyntaxError');
  });

  it('is a child of the active span; a client created before instrument() is instrumented too', async () => {
    bed.instrumentation.disable();
    const early = new Groq({ apiKey: 'test-key', baseURL: server.url });
    bed.instrumentation.enable();
    server.on('POST', PATH, jsonFixture('chat-completion'));
    await trace.getTracer('test').startActiveSpan('handler', async (handler) => {
      await early.chat.completions.create(REQUEST);
      handler.end();
    });
    const spans = await settle(bed.harness, 2);
    const ours = spans.find((s) => s.instrumentationScope.name === PACKAGE_NAME)!;
    expect(ours.parentSpanContext?.spanId).toBe(
      spans.find((s) => s.name === 'handler')!.spanContext().spanId,
    );
  });

  it('instrument() on an already patched module does not double the spans', async () => {
    const second = instrument(sdk);
    server.on('POST', PATH, jsonFixture('chat-completion'));
    await client.chat.completions.create(REQUEST);
    await oneSpan();
    second.disable();
  });
});

describe('streamed chat completions', () => {
  it('usage from x_groq on the last chunk, finish reason, time to first chunk', async () => {
    server.on('POST', PATH, chatStream('chat-stream', { splitBytes: 41 }));

    const chunks = await drain(await client.chat.completions.create({ ...REQUEST, stream: true }));

    expect(chunks).toHaveLength(8);
    const span = await oneSpan();
    expect(span.attributes).toMatchObject({
      [ATTR_AICOST_REQUEST_STREAM]: true,
      [ATTR_GEN_AI_RESPONSE_ID]: 'chatcmpl-6ef2f1a4-3b5c-4d8e-9f0a-1b2c3d4e5f60',
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 18,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 7,
      [ATTR_AICOST_COST_STATUS]: 'priced',
      // 18 × 590 + 7 × 790 nano-USD
      [ATTR_AICOST_COST_TOTAL]: '0.000016150',
    });
    expect(span.attributes[ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
  });

  it('joins the streamed text into the output content when opted in', async () => {
    bed.instrumentation.setConfig({ captureMessageContent: true });
    server.on('POST', PATH, chatStream('chat-stream'));
    await drain(await client.chat.completions.create({ ...REQUEST, stream: true }));
    const span = await oneSpan();
    expect(outputMessages(span)).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: 'Fast language models are useful.' }],
        finish_reason: 'stop',
      },
    ]);
  });

  it('controller.abort() ends the span once, as an error; the SDK ends the loop quietly as before', async () => {
    server.on('POST', PATH, chatStream('chat-stream', { hangAfter: 3 }));
    const stream = await client.chat.completions.create({ ...REQUEST, stream: true });
    const seen = [];
    for await (const chunk of stream) {
      seen.push(chunk);
      stream.controller.abort();
    }
    // Quietly (no throw), after the chunks already read off the socket: at most the 3 sent before the hang.
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.length).toBeLessThanOrEqual(3);
    const span = await oneSpan();
    expectErrorSpan(span, 'AbortError');
    expectUnpriced(span, 'missing_usage');
  });

  it('breaking out of the loop ends the span once, without an error; no usage came, so unpriced', async () => {
    server.on('POST', PATH, chatStream('chat-stream', { hangAfter: 3 }));
    for await (const _ of await client.chat.completions.create({ ...REQUEST, stream: true })) break;
    const span = await oneSpan();
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expectUnpriced(span, 'missing_usage');
  });

  it('a stream that breaks off is an error, rethrown unchanged', async () => {
    server.on('POST', PATH, chatStream('chat-stream', { destroyAfter: 3 }));
    const error = await drain(await client.chat.completions.create({ ...REQUEST, stream: true })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const span = await oneSpan();
    expectErrorSpan(span, (error as Error).constructor.name);
  });
});

describe('behaviour unchanged', () => {
  const both = <T>(respond: () => void, scenario: () => Promise<T>) =>
    withAndWithoutInstrumentation(bed.instrumentation, server, respond, scenario);

  it('the same completion, the same stream (class, controller, tee, toReadableStream) and the same error', async () => {
    const [completion, bareCompletion] = await both(
      () => server.on('POST', PATH, jsonFixture('chat-completion')),
      () => client.chat.completions.create(REQUEST),
    );
    expect(completion).toEqual(bareCompletion);

    const [streamed, bareStreamed] = await both(
      () => server.on('POST', PATH, chatStream('chat-stream')),
      async () => {
        const stream = await client.chat.completions.create({ ...REQUEST, stream: true });
        const [left, right] = stream.tee();
        const className = stream.constructor.name;
        const controller = stream.controller instanceof AbortController;
        const fromLeft = await drain(left);
        const reader = right.toReadableStream().getReader();
        let bytes = 0;
        for (let read = await reader.read(); !read.done; read = await reader.read())
          bytes += read.value.length;
        return { className, controller, fromLeft, bytes };
      },
    );
    expect(streamed).toEqual(bareStreamed);
    expect(bareStreamed.fromLeft).toHaveLength(8);

    const [error, bareError] = await both(
      () => server.on('POST', PATH, httpError(400, fixture('error-server'))),
      async () => {
        const caught = await client.chat.completions.create(REQUEST).catch((e: unknown) => e);
        return { name: (caught as Error).constructor.name, message: (caught as Error).message };
      },
    );
    expect(error).toEqual(bareError);
    expect(bareError.name).toBe('BadRequestError');
  });

  it('the returned promise is the SDK APIPromise, resolving on the same tick as without instrumentation', async () => {
    const [instrumented, bare] = await both(
      () => server.on('POST', PATH, jsonFixture('chat-completion')),
      async () => {
        const ticks: string[] = [];
        const promise = client.chat.completions.create(REQUEST);
        const className = promise.constructor.name;
        void Promise.resolve()
          .then(() => ticks.push('tick1'))
          .then(() => ticks.push('tick2'));
        await promise;
        ticks.push('app');
        return { className, ticks };
      },
    );
    expect(instrumented).toEqual(bare);
    expect(bare.className).toBe('APIPromise');
  });
});

describe('a request aicost cannot read', () => {
  it('goes out as the bare SDK sends it: the same completion, no span left open, one warning', async () => {
    // `temperature` is read by aicost to describe the call, never by the SDK (not an own property).
    const request = requestThrowingOn({ model: MODEL, messages: REQUEST.messages }, 'temperature');
    const { instrumented, bare, openSpans, warnings } = await runWithUnreadableRequest(
      bed,
      server,
      () => server.on('POST', PATH, jsonFixture('chat-completion')),
      () => client.chat.completions.create(request),
    );
    expect(instrumented).toEqual(bare);
    expect(server.requests.map((r) => r.body)).toEqual([{ model: MODEL, messages: REQUEST.messages }]);
    expect(openSpans).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('reading a request failed')]);
  });
});
