/**
 * @openrouter/sdk 1.x (a Speakeasy SDK), real SDK against a loopback OpenRouter API.
 *
 * OpenRouter states what it billed in `usage.cost` (USD): that is the call's cost
 * (`provider_reported`), kept exactly as stated and rounded half up to the nano. Without it
 * (BYOK), the catalogue's OpenRouter price applies: `openai/gpt-4o-mini` input $0.15, output
 * $0.60 per million tokens, i.e. 150 / 600 nano-USD per token.
 */

import {
  ATTR_AICOST_COST_REPORTED,
  ATTR_AICOST_COST_STATUS,
  ATTR_AICOST_COST_TOTAL,
  ATTR_AICOST_PRICE_SOURCE,
  ATTR_AICOST_REQUEST_STREAM,
  ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@aicost/core';
import * as sdk from '@openrouter/sdk';
import { HTTPClient, OpenRouter } from '@openrouter/sdk';
import type { ChatResult, ChatStreamChunk } from '@openrouter/sdk/models';
import * as errors from '@openrouter/sdk/models/errors';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  outcomeOf,
  requestThrowingOn,
  runWithUnreadableRequest,
} from '../../../test/support/hostile-request.js';
import {
  drain,
  settledSpan,
  useTestBed,
  withAndWithoutInstrumentation,
} from '../../../test/support/instrumentation.js';
import { httpError } from '../../../test/support/mock-server.js';
import {
  expectClientSpanWithoutContent,
  expectErrorSpan,
  expectUnpriced,
  inputMessages,
  outputMessages,
} from '../../../test/support/span-assertions.js';
import { instrument, OpenRouterStreamError, PACKAGE_NAME } from '../src/index.js';
import { API, chatStream, fixture, jsonFixture, settle, setUpInstrumentation } from './setup.js';

const MODEL = 'openai/gpt-4o-mini';
const PATH = `${API}/chat/completions`;
const CHAT = {
  model: MODEL,
  messages: [
    { role: 'system' as const, content: 'You are a concise assistant.' },
    { role: 'user' as const, content: 'Hello!' },
  ],
  temperature: 0.7,
  topP: 0.9,
  topK: 40,
  maxCompletionTokens: 256,
  stop: ['###'],
};
const TOOL_CHAT = {
  model: MODEL,
  messages: [{ role: 'user' as const, content: 'What is the weather in Paris?' }],
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
/** Retries as an application configures them: the SDK retries 5XX by default, 429 when asked. */
const RETRIES = {
  retries: {
    strategy: 'backoff' as const,
    backoff: { initialInterval: 1, maxInterval: 5, exponent: 1, maxElapsedTime: 2000 },
    retryConnectionErrors: false,
  },
  retryCodes: ['429', '5XX'],
};

const { bed, server } = useTestBed(() => setUpInstrumentation(sdk));
let client: OpenRouter;

beforeAll(() => {
  client = new OpenRouter({ apiKey: 'test-key', serverURL: `${server.url}${API}` });
});

const oneSpan = (name = `chat ${MODEL}`) => settledSpan(bed.harness, PACKAGE_NAME, name);

/** A streamed `chat.send`: the SDK types its result as a union of both shapes. */
function streamChat(chatRequest: typeof CHAT, options?: { signal: AbortSignal }) {
  // An `EventStream`: a `ReadableStream` of chunks, also async iterable.
  return client.chat.send({ chatRequest: { ...chatRequest, stream: true } }, options) as Promise<
    ReadableStream<ChatStreamChunk> & AsyncIterable<ChatStreamChunk>
  >;
}

describe('chat.send', () => {
  it('records one chat span whose cost is what OpenRouter billed, to the nano', async () => {
    server.on('POST', PATH, jsonFixture('chat-completion'));

    const result = (await client.chat.send({ chatRequest: CHAT })) as ChatResult;

    expect(result.choices[0]?.message.content).toBe('Hello! How can I assist you today?');
    const span = await oneSpan();
    expectClientSpanWithoutContent(span, {
      [ATTR_GEN_AI_PROVIDER_NAME]: 'openrouter',
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_REQUEST_MODEL]: MODEL,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.7,
      [ATTR_GEN_AI_REQUEST_TOP_P]: 0.9,
      [ATTR_GEN_AI_REQUEST_TOP_K]: 40,
      [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 256,
      [ATTR_GEN_AI_REQUEST_STOP_SEQUENCES]: ['###'],
      [ATTR_SERVER_ADDRESS]: '127.0.0.1',
      [ATTR_SERVER_PORT]: server.port,
      [ATTR_AICOST_REQUEST_STREAM]: false,
      [ATTR_GEN_AI_RESPONSE_ID]: 'gen-1732798412-Qk3nBZbXGQmHsVQ9rTfS',
      [ATTR_GEN_AI_RESPONSE_MODEL]: MODEL,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 19,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 10,
      [ATTR_AICOST_COST_STATUS]: 'provider_reported',
      [ATTR_AICOST_PRICE_SOURCE]: 'provider',
      // usage.cost 0.0000088512345 USD: kept as stated, the total rounded half up to 9 places
      [ATTR_AICOST_COST_REPORTED]: '0.0000088512345',
      [ATTR_AICOST_COST_TOTAL]: '0.000008851',
    });
  });

  it('without usage.cost (BYOK) the catalogue prices the call', async () => {
    server.on('POST', PATH, jsonFixture('chat-completion-no-cost'));
    await client.chat.send({ chatRequest: CHAT });
    const span = await oneSpan();
    expect(span.attributes[ATTR_AICOST_COST_REPORTED]).toBeUndefined();
    expect(span.attributes[ATTR_AICOST_COST_STATUS]).toBe('priced');
    // 19 × 150 + 10 × 600 nano-USD
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000008850');
  });

  it('names the default host openrouter.ai', async () => {
    // The SDK takes an HTTP client rather than a fetch: one whose fetcher lands on the mock.
    const defaultHost = new OpenRouter({
      apiKey: 'test-key',
      httpClient: new HTTPClient({ fetcher: server.fetch }),
    });
    server.on('POST', PATH, jsonFixture('chat-completion'));

    await defaultHost.chat.send({ chatRequest: CHAT });

    const span = await oneSpan();
    expect(span.attributes[ATTR_SERVER_ADDRESS]).toBe('openrouter.ai');
    expect(span.attributes[ATTR_SERVER_PORT]).toBe(443);
  });

  it('records a tool call as the finish reason, with the call and its arguments only when opted in', async () => {
    server.on('POST', PATH, jsonFixture('chat-tool-call'));
    const result = (await client.chat.send({ chatRequest: TOOL_CHAT })) as ChatResult;
    expect(result.choices[0]?.message.toolCalls?.[0]?.function.name).toBe('get_weather');
    const plain = await oneSpan();
    expect(plain.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual(['tool_calls']);
    // usage.cost 0.00002175 USD
    expect(plain.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000021750');
    expect(plain.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]).toBeUndefined();

    bed.harness.reset();
    bed.instrumentation.setConfig({ captureMessageContent: true });
    await client.chat.send({ chatRequest: TOOL_CHAT });
    const captured = await oneSpan();
    expect(inputMessages(captured)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'What is the weather in Paris?' }] },
    ]);
    expect(outputMessages(captured)).toEqual([
      {
        role: 'assistant',
        parts: [
          {
            type: 'tool_call',
            id: 'call_9pw1qnYScqvGrCH58HWCvFH6',
            name: 'get_weather',
            arguments: '{"location":"Paris"}',
          },
        ],
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it("retries a 429 (the SDK's own retries, as configured) inside one span and prices the response that came", async () => {
    server.on('POST', PATH, httpError(429, fixture('error-rate-limit')), jsonFixture('chat-completion'));

    await client.chat.send({ chatRequest: CHAT }, RETRIES);

    expect(server.requests).toHaveLength(2);
    const span = await oneSpan();
    expect(span.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000008851');
  });

  it('ends one span with error.type when the retries give up on a 500, and rethrows the SDK error unchanged', async () => {
    server.on('POST', PATH, httpError(500, fixture('error-server')));

    const error = await client.chat
      .send(
        { chatRequest: CHAT },
        {
          ...RETRIES,
          retries: { ...RETRIES.retries, backoff: { ...RETRIES.retries.backoff, maxElapsedTime: 30 } },
        },
      )
      .catch((e: unknown) => e);

    expect(server.requests.length).toBeGreaterThan(1);
    expect(error).toBeInstanceOf(errors.InternalServerResponseError);
    expect((error as errors.InternalServerResponseError).statusCode).toBe(500);
    const span = await oneSpan();
    expectErrorSpan(span, 'InternalServerResponseError');
    expectUnpriced(span, 'missing_usage');
  });

  it('a request aborted in flight (signal) ends one span as an error, with the SDK error unchanged', async () => {
    server.on('POST', PATH, jsonFixture('chat-completion'));
    const controller = new AbortController();
    const pending = client.chat.send({ chatRequest: CHAT }, { signal: controller.signal });
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    const span = await oneSpan();
    expectErrorSpan(span, (error as Error).constructor.name);
    expectUnpriced(span);
  });

  it('is a child of the active span; a client created before instrument() is instrumented too', async () => {
    bed.instrumentation.disable();
    const early = new OpenRouter({ apiKey: 'test-key', serverURL: `${server.url}${API}` });
    bed.instrumentation.enable();
    server.on('POST', PATH, jsonFixture('chat-completion'));
    await trace.getTracer('test').startActiveSpan('handler', async (handler) => {
      await early.chat.send({ chatRequest: CHAT });
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
    await client.chat.send({ chatRequest: CHAT });
    await oneSpan();
    second.disable();
  });
});

describe('streamed chat.send', () => {
  it('the usage chunk prices the stream at its reported cost (6e-7 as JSON writes it); time to first chunk', async () => {
    server.on('POST', PATH, chatStream('chat-stream', { splitBytes: 53 }));

    const chunks = await drain(await streamChat(CHAT));

    expect(chunks).toHaveLength(5);
    const span = await oneSpan();
    expect(span.attributes).toMatchObject({
      [ATTR_AICOST_REQUEST_STREAM]: true,
      [ATTR_GEN_AI_RESPONSE_ID]: 'gen-1732798500-a8Jv2Kq0mX4rW7tYp3Ls',
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 8,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 2,
      [ATTR_AICOST_COST_STATUS]: 'provider_reported',
      [ATTR_AICOST_COST_TOTAL]: '0.000000600',
    });
    expect(span.attributes[ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
  });

  it('a stream read through getReader() ends its span too', async () => {
    server.on('POST', PATH, chatStream('chat-stream'));
    const stream = await streamChat(CHAT);
    const reader = stream.getReader();
    let count = 0;
    while (!(await reader.read()).done) count++;
    expect(count).toBe(5);
    expect((await oneSpan()).attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000000600');
  });

  it('an error chunk mid-stream (HTTP 200) fails the call with what OpenRouter said', async () => {
    server.on('POST', PATH, chatStream('chat-stream-error'));
    await drain(await streamChat(CHAT)).catch(() => undefined);
    const span = await oneSpan();
    expectErrorSpan(span, OpenRouterStreamError.name);
    expect(span.status.message).toBe('Provider returned error');
    expectUnpriced(span);
  });

  it('an aborted stream (the request signal) ends the span once, as an error', async () => {
    server.on('POST', PATH, chatStream('chat-stream', { hangAfter: 2 }));
    const controller = new AbortController();
    const stream = await streamChat(CHAT, { signal: controller.signal });
    const error = await (async () => {
      for await (const _ of stream) controller.abort();
    })().catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    const span = await oneSpan();
    expectErrorSpan(span, 'AbortError');
    expectUnpriced(span);
  });

  it('breaking out of the loop ends the span once, without an error; no usage came, so unpriced', async () => {
    server.on('POST', PATH, chatStream('chat-stream', { hangAfter: 2 }));
    for await (const _ of await streamChat(CHAT)) break;
    const span = await oneSpan();
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expectUnpriced(span, 'missing_usage');
  });
});

describe('embeddings.generate', () => {
  it('records one embeddings span at its reported cost', async () => {
    server.on('POST', `${API}/embeddings`, jsonFixture('embeddings'));
    const result = await client.embeddings.generate({
      requestBody: { model: 'openai/text-embedding-3-small', input: 'Hello!' },
    });
    expect(typeof result === 'object' && result.data).toHaveLength(1);
    const span = await oneSpan('embeddings openai/text-embedding-3-small');
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 8,
      [ATTR_AICOST_COST_STATUS]: 'provider_reported',
      // usage.cost 1.6e-7 USD
      [ATTR_AICOST_COST_TOTAL]: '0.000000160',
    });
  });
});

describe('behaviour unchanged', () => {
  const both = <T>(respond: () => void, scenario: () => Promise<T>) =>
    withAndWithoutInstrumentation(bed.instrumentation, server, respond, scenario);

  it('the same result, the same stream (class, chunks) and the same error', async () => {
    const [result, bare] = await both(
      () => server.on('POST', PATH, jsonFixture('chat-completion')),
      () => client.chat.send({ chatRequest: CHAT }),
    );
    expect(result).toEqual(bare);

    const [streamed, bareStreamed] = await both(
      () => server.on('POST', PATH, chatStream('chat-stream')),
      async () => {
        const stream = await streamChat(CHAT);
        return {
          className: stream.constructor.name,
          readable: stream instanceof ReadableStream,
          chunks: await drain(stream),
        };
      },
    );
    expect(streamed).toEqual(bareStreamed);
    expect(bareStreamed.className).toBe('EventStream');

    const [error, bareError] = await both(
      () => server.on('POST', PATH, httpError(400, { error: { code: 400, message: 'bad model' } })),
      async () => {
        const caught = await client.chat.send({ chatRequest: CHAT }).catch((e: unknown) => e);
        return { name: (caught as Error).constructor.name, message: (caught as Error).message };
      },
    );
    expect(error).toEqual(bareError);
    expect(bareError.name).toBe('BadRequestResponseError');
  });

  it('the returned promise is the SDK own, resolving on the same tick as without instrumentation', async () => {
    const [instrumented, bare] = await both(
      () => server.on('POST', PATH, jsonFixture('chat-completion')),
      async () => {
        const ticks: string[] = [];
        const promise = client.chat.send({ chatRequest: CHAT });
        void Promise.resolve()
          .then(() => ticks.push('tick1'))
          .then(() => ticks.push('tick2'));
        await promise;
        ticks.push('app');
        return { isPromise: promise instanceof Promise, ticks };
      },
    );
    expect(instrumented).toEqual(bare);
  });
});

describe('a request aicost cannot read', () => {
  it('gets what the bare SDK gives, with no span left open and one warning', async () => {
    const chatRequest = requestThrowingOn({ model: MODEL, messages: CHAT.messages }, 'temperature');
    const { instrumented, bare, openSpans, warnings } = await runWithUnreadableRequest(
      bed,
      server,
      () => server.on('POST', PATH, jsonFixture('chat-completion')),
      () => outcomeOf(() => client.chat.send({ chatRequest })),
    );
    expect(instrumented).toEqual(bare);
    expect(openSpans).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('reading a request failed')]);
  });

  it('a request whose body cannot be read either', async () => {
    const request = requestThrowingOn({}, 'chatRequest');
    const { instrumented, bare, openSpans, warnings } = await runWithUnreadableRequest(
      bed,
      server,
      () => server.on('POST', PATH, jsonFixture('chat-completion')),
      () => outcomeOf(() => client.chat.send(request as never)),
    );
    expect(instrumented).toEqual(bare);
    expect(openSpans).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('reading a request failed')]);
  });
});
