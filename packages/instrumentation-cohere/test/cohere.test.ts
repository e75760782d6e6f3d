/**
 * cohere-ai 8.x (v2 API), real SDK against a loopback Cohere API.
 *
 * Prices used below (genai-prices catalogue, provider `cohere`):
 * `command-a-03-2025` input $2.50, output $10; `embed-v4.0` input $0.12 per
 * million tokens — i.e. 2,500 / 10,000 and 120 nano-USD per token.
 */

import {
  ATTR_AICOST_COST_STATUS,
  ATTR_AICOST_COST_STATUS_REASON,
  ATTR_AICOST_COST_TOTAL,
  ATTR_AICOST_CUSTOMER,
  ATTR_AICOST_FEATURE,
  ATTR_AICOST_REQUEST_STREAM,
  ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_ENCODING_FORMATS,
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
  withAttribution,
} from '@aicost/core';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import * as sdk from 'cohere-ai';
import { Cohere, CohereClient, CohereClientV2 } from 'cohere-ai';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  outcomeOf,
  requestThrowingOn,
  runWithUnreadableRequest,
} from '../../../test/support/hostile-request.js';
import {
  drain,
  genAIMetricsSnapshot,
  settledSpan,
  useTestBed,
  withAndWithoutInstrumentation,
} from '../../../test/support/instrumentation.js';
import { httpError, raw } from '../../../test/support/mock-server.js';
import {
  expectErrorSpan,
  expectUnpriced,
  inputMessages,
  outputMessages,
} from '../../../test/support/span-assertions.js';
import { instrument, PACKAGE_NAME } from '../src/index.js';
import { fixture, genAISpans, jsonFixture, settle, setUpInstrumentation, sseFixture } from './setup.js';

const MODEL = 'command-a-03-2025';
const REQUEST = {
  model: MODEL,
  maxTokens: 300,
  temperature: 0.3,
  p: 0.75,
  k: 40,
  stopSequences: ['###'],
  messages: [
    { role: 'system' as const, content: 'You are a concise assistant.' },
    { role: 'user' as const, content: 'Tell me about LLMs' },
  ],
};
const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'gets the weather of a given location',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};
const TOOL_REQUEST = {
  model: MODEL,
  messages: [{ role: 'user' as const, content: "What's the weather in Toronto?" }],
  tools: [WEATHER_TOOL],
};
const EMBED_REQUEST = {
  model: 'embed-v4.0',
  texts: ['hello', 'goodbye'],
  inputType: 'classification' as const,
  embeddingTypes: ['float' as const],
};

const { bed, server } = useTestBed(() => setUpInstrumentation(sdk));
let client: CohereClientV2;

beforeAll(() => {
  client = new CohereClientV2({ token: 'test-key', environment: server.url });
});

/** The one span a call must produce (fails on none, or on a second one). */
const oneSpan = (name = `chat ${MODEL}`) => settledSpan(bed.harness, PACKAGE_NAME, name);

describe('chat', () => {
  it('records one chat span with request parameters, the ledger of billed units and the exact cost', async () => {
    server.on('POST', '/v2/chat', jsonFixture('chat-basic'));

    const response = await client.chat(REQUEST);

    expect(response.message.content?.[0]).toMatchObject({ type: 'text' });
    const span = await oneSpan();
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_PROVIDER_NAME]: 'cohere',
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_REQUEST_MODEL]: MODEL,
      [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 300,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.3,
      [ATTR_GEN_AI_REQUEST_TOP_P]: 0.75,
      [ATTR_GEN_AI_REQUEST_TOP_K]: 40,
      [ATTR_GEN_AI_REQUEST_STOP_SEQUENCES]: ['###'],
      [ATTR_SERVER_ADDRESS]: '127.0.0.1',
      [ATTR_SERVER_PORT]: server.port,
      [ATTR_GEN_AI_RESPONSE_ID]: 'c14c80c3-18eb-4519-9460-6c92edd8cfb4',
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['COMPLETE'],
      // Billed units, not the 215 tokens the model saw (Cohere's prompt template is not billed).
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 17,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 12,
      [ATTR_AICOST_COST_STATUS]: 'priced',
      // 17 × 2,500 + 12 × 10,000 nano-USD
      [ATTR_AICOST_COST_TOTAL]: '0.000162500',
    });
    // v2 responses name no model: the request model is priced and no response model is invented.
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_MODEL]).toBeUndefined();
    expect(span.attributes[ATTR_AICOST_REQUEST_STREAM]).toBe(false); // written on every call
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span.attributes[ATTR_GEN_AI_INPUT_MESSAGES]).toBeUndefined();
    expect(span.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]).toBeUndefined();
  });

  it('names the default host when the client names none', async () => {
    const defaultHost = new CohereClientV2({ token: 'test-key', fetch: server.fetch });
    server.on('POST', '/v2/chat', jsonFixture('chat-basic'));

    await defaultHost.chat(REQUEST);

    const span = await oneSpan();
    expect(span.attributes[ATTR_SERVER_ADDRESS]).toBe('api.cohere.com');
    expect(span.attributes[ATTR_SERVER_PORT]).toBe(443);
  });

  it('records a tool call as the finish reason, with the tool plan and call only when opted in', async () => {
    server.on('POST', '/v2/chat', jsonFixture('chat-tool-call'));
    await client.chat(TOOL_REQUEST);
    const plain = await oneSpan();
    expect(plain.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual(['TOOL_CALL']);
    // 37 × 2,500 + 28 × 10,000 nano-USD
    expect(plain.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000372500');
    expect(plain.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]).toBeUndefined();

    bed.harness.reset();
    bed.instrumentation.setConfig({ captureMessageContent: true });
    await client.chat(TOOL_REQUEST);
    const captured = await oneSpan();
    expect(inputMessages(captured)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: "What's the weather in Toronto?" }] },
    ]);
    expect(outputMessages(captured)).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'I will look up the weather in Toronto.' },
          {
            type: 'tool_call',
            id: 'get_weather_1byjy32y4hvq',
            name: 'get_weather',
            arguments: { location: 'Toronto' },
          },
        ],
        finish_reason: 'TOOL_CALL',
      },
    ]);
  });

  it("retries a 429 (the SDK's own retries) inside one span and prices the response that finally came", async () => {
    server.on('POST', '/v2/chat', httpError(429, fixture('error-rate-limit')), jsonFixture('chat-basic'));

    await client.chat(REQUEST);

    expect(server.requests).toHaveLength(2);
    const span = await oneSpan();
    expect(span.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000162500');
  });

  it('ends one span with error.type when the retries give up, and rethrows the SDK error unchanged', async () => {
    server.on('POST', '/v2/chat', httpError(500, fixture('error-server')));

    const error = await client.chat(REQUEST, { maxRetries: 1 }).catch((e: unknown) => e);

    expect(server.requests).toHaveLength(2);
    expect(error).toBeInstanceOf(Cohere.InternalServerError);
    expect((error as Cohere.InternalServerError).statusCode).toBe(500);
    expect((error as Cohere.InternalServerError).body).toEqual(fixture('error-server'));
    const span = await oneSpan();
    expectErrorSpan(span, 'InternalServerError');
    expectUnpriced(span, 'missing_usage');
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBeUndefined();
  });

  it('withRawResponse() gives the data and the raw response, and the span ends once', async () => {
    server.on('POST', '/v2/chat', jsonFixture('chat-basic'));

    const { data, rawResponse } = await client.chat(REQUEST).withRawResponse();

    expect(data.id).toBe('c14c80c3-18eb-4519-9460-6c92edd8cfb4');
    expect(rawResponse.status).toBe(200);
    const span = await oneSpan();
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000162500');
  });

  it('CohereClient#v2 and a client created before instrument() are instrumented too', async () => {
    bed.instrumentation.disable();
    const early = new CohereClientV2({ token: 'test-key', environment: server.url });
    bed.instrumentation.enable();
    server.on('POST', '/v2/chat', jsonFixture('chat-basic'));

    await early.chat(REQUEST);
    await new CohereClient({ token: 'test-key', environment: server.url }).v2.chat(REQUEST);

    const spans = await settle(bed.harness, 2);
    expect(spans.map((s) => s.instrumentationScope.name)).toEqual([PACKAGE_NAME, PACKAGE_NAME]);
  });

  it('is a child of the active span', async () => {
    server.on('POST', '/v2/chat', jsonFixture('chat-basic'));
    await trace.getTracer('test').startActiveSpan('handler', async (handler) => {
      await client.chat(REQUEST);
      handler.end();
    });
    const spans = await settle(bed.harness, 2);
    const ours = spans.find((s) => s.instrumentationScope.name === PACKAGE_NAME)!;
    const handler = spans.find((s) => s.name === 'handler')!;
    expect(ours.parentSpanContext?.spanId).toBe(handler.spanContext().spanId);
  });

  it('a tracer that throws leaves the call unchanged (our failure is logged once and swallowed)', async () => {
    const failing = {
      getTracer: () => ({
        startSpan: () => {
          throw new Error('tracer down');
        },
        startActiveSpan: () => {
          throw new Error('tracer down');
        },
      }),
    };
    bed.instrumentation.setTracerProvider(failing as never);
    server.on('POST', '/v2/chat', jsonFixture('chat-basic'));
    try {
      const response = await client.chat(REQUEST);
      expect(response.id).toBe('c14c80c3-18eb-4519-9460-6c92edd8cfb4');
    } finally {
      bed.instrumentation.setTracerProvider(bed.harness.tracerProvider);
    }
  });

  it('instrument() on an already patched module does not double the spans', async () => {
    const second = instrument(sdk);
    server.on('POST', '/v2/chat', jsonFixture('chat-basic'));
    await client.chat(REQUEST);
    await oneSpan();
    second.disable();
  });
});

describe('chatStream', () => {
  it('usage (billed units) from message-end, finish reason, time to first chunk', async () => {
    server.on('POST', '/v2/chat', sseFixture('chat-stream', { splitBytes: 29 }));

    const events = await drain(await client.chatStream(REQUEST));

    expect(events).toHaveLength(6);
    const span = await oneSpan();
    expect(span.attributes).toMatchObject({
      [ATTR_AICOST_REQUEST_STREAM]: true,
      [ATTR_GEN_AI_RESPONSE_ID]: '29f14a5a-11de-4cae-9800-25e4747408ed',
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['COMPLETE'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 3,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 3,
      // 3 × 2,500 + 3 × 10,000 nano-USD
      [ATTR_AICOST_COST_TOTAL]: '0.000037500',
    });
    expect(span.attributes[ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
  });

  it('streamed tool call: plan and arguments in the output content when opted in', async () => {
    bed.instrumentation.setConfig({ captureMessageContent: true });
    server.on('POST', '/v2/chat', sseFixture('chat-stream-tool-call'));

    await drain(await client.chatStream(TOOL_REQUEST));

    const span = await oneSpan();
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual(['TOOL_CALL']);
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000372500');
    expect(outputMessages(span)).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'I will look up the weather in Toronto.' },
          {
            type: 'tool_call',
            id: 'get_weather_1byjy32y4hvq',
            name: 'get_weather',
            arguments: { location: 'Toronto' },
          },
        ],
        finish_reason: 'TOOL_CALL',
      },
    ]);
  });

  it('breaking out of the loop ends the span once, without an error; no usage came, so unpriced', async () => {
    server.on('POST', '/v2/chat', sseFixture('chat-stream', { hangAfter: 3 }));

    for await (const event of await client.chatStream(REQUEST)) {
      if (event.type === 'content-delta') break;
    }

    const span = await oneSpan();
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    expectUnpriced(span, 'missing_usage');
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_ID]).toBe('29f14a5a-11de-4cae-9800-25e4747408ed');
  });

  it('a stream that breaks off is an error, rethrown unchanged', async () => {
    server.on('POST', '/v2/chat', sseFixture('chat-stream', { destroyAfter: 3 }));

    const error = await drain(await client.chatStream(REQUEST)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    const span = await oneSpan();
    expectErrorSpan(span, (error as Error).constructor.name);
    // Usage comes with message-end only: none seen, never $0.
    expectUnpriced(span, 'missing_usage');
  });

  it('breaking out on message-end, before the stream ends: estimated / partial_stream from its usage', async () => {
    server.on('POST', '/v2/chat', sseFixture('chat-stream'));

    for await (const event of await client.chatStream(REQUEST)) {
      if (event.type === 'message-end') break;
    }

    const span = await oneSpan();
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 3,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 3,
      // Not seen to its end: a lower bound (3 × 2,500 + 3 × 10,000 nano-USD), not `priced`.
      [ATTR_AICOST_COST_STATUS]: 'estimated',
      [ATTR_AICOST_COST_STATUS_REASON]: 'partial_stream',
      [ATTR_AICOST_COST_TOTAL]: '0.000037500',
    });
  });

  it('an aborted stream (the request abortSignal) ends the span once, as an error', async () => {
    server.on('POST', '/v2/chat', sseFixture('chat-stream', { hangAfter: 3 }));
    const controller = new AbortController();

    const stream = await client.chatStream(REQUEST, { abortSignal: controller.signal });
    const error = await (async () => {
      for await (const event of stream) {
        if (event.type === 'content-delta') controller.abort();
      }
    })().catch((e: unknown) => e);

    // The application gets the fetch's AbortError, rethrown unchanged; the span names it the same.
    expect((error as Error).name).toBe('AbortError');
    const span = await oneSpan();
    expectErrorSpan(span, 'AbortError');
    expectUnpriced(span, 'missing_usage');
  });

  it('the stream keeps its class and controller; a second iteration behaves as without instrumentation', async () => {
    server.on('POST', '/v2/chat', sseFixture('chat-stream'));

    const stream = await client.chatStream(REQUEST);

    expect(stream.constructor.name).toBe('Stream');
    expect((stream as unknown as { controller: unknown }).controller).toBeInstanceOf(AbortController);
    expect(await drain(stream)).toHaveLength(6);
    const second = await drain(stream).catch((e: unknown) => e);
    await oneSpan();
    bed.instrumentation.disable();
    server.on('POST', '/v2/chat', sseFixture('chat-stream'));
    const bare = await client.chatStream(REQUEST);
    await drain(bare);
    expect(await drain(bare).catch((e: unknown) => e)).toEqual(second);
  });
});

describe('embed', () => {
  it('records one embeddings span priced on billed input units', async () => {
    server.on('POST', '/v2/embed', jsonFixture('embed'));

    const response = await client.embed(EMBED_REQUEST);

    expect(response.embeddings.float).toHaveLength(2);
    const span = await oneSpan('embeddings embed-v4.0');
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_PROVIDER_NAME]: 'cohere',
      [ATTR_GEN_AI_OPERATION_NAME]: 'embeddings',
      [ATTR_GEN_AI_REQUEST_ENCODING_FORMATS]: ['float'],
      [ATTR_GEN_AI_RESPONSE_ID]: 'da6e531f-54c6-4a73-bf92-f60566d8d753',
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 2,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 0,
      // 2 × 120 nano-USD
      [ATTR_AICOST_COST_TOTAL]: '0.000000240',
    });
  });
});

describe('v1 API (CohereClient)', () => {
  // command-r-08-2024: $0.15 / $0.60 per million tokens, i.e. 150 / 600 nano-USD per token.
  const V1_MODEL = 'command-r-08-2024';
  const V1_REQUEST = {
    model: V1_MODEL,
    preamble: 'You are terse.',
    chatHistory: [
      { role: 'USER' as const, message: 'Who discovered gravity?' },
      { role: 'CHATBOT' as const, message: 'Isaac Newton.' },
    ],
    message: 'What is Command R?',
    temperature: 0.3,
  };
  let v1: CohereClient;
  beforeAll(() => {
    v1 = new CohereClient({ token: 'test-key', environment: server.url });
  });

  /** The v1 stream: newline-delimited JSON events. */
  function ndjson(name: string) {
    return raw(
      `${fixture<{ lines: unknown[] }>(name)
        .lines.map((line) => JSON.stringify(line))
        .join('\n')}\n`,
      {
        contentType: 'application/stream+json',
      },
    );
  }

  it('chat(): one span priced on meta.billedUnits, with the generation as response id', async () => {
    server.on('POST', '/v1/chat', jsonFixture('v1-chat'));

    const response = await v1.chat(V1_REQUEST);

    expect(response.text).toBe(fixture('v1-chat').text);
    const span = await oneSpan(`chat ${V1_MODEL}`);
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_PROVIDER_NAME]: 'cohere',
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.3,
      [ATTR_GEN_AI_RESPONSE_ID]: '5ef0a0cd-8c3c-4a2f-9a3d-4e5b6c7d8e9f',
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['COMPLETE'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 31,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 35,
      // 31 × 150 + 35 × 600 nano-USD
      [ATTR_AICOST_COST_TOTAL]: '0.000025650',
    });
  });

  it('chat(): preamble, history and message as input content when opted in', async () => {
    bed.instrumentation.setConfig({ captureMessageContent: true });
    server.on('POST', '/v1/chat', jsonFixture('v1-chat'));

    await v1.chat(V1_REQUEST);

    const span = await oneSpan(`chat ${V1_MODEL}`);
    expect(inputMessages(span)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Who discovered gravity?' }] },
      { role: 'assistant', parts: [{ type: 'text', content: 'Isaac Newton.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'What is Command R?' }] },
    ]);
    expect(outputMessages(span)).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: fixture('v1-chat').text }],
        finish_reason: 'COMPLETE',
      },
    ]);
  });

  it('chatStream(): usage from the stream-end response, time to first chunk', async () => {
    server.on('POST', '/v1/chat', ndjson('v1-chat-stream'));

    const events = await drain(await v1.chatStream(V1_REQUEST));

    expect(events).toHaveLength(4);
    const span = await oneSpan(`chat ${V1_MODEL}`);
    expect(span.attributes).toMatchObject({
      [ATTR_AICOST_REQUEST_STREAM]: true,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['COMPLETE'],
      [ATTR_AICOST_COST_TOTAL]: '0.000025650',
    });
    expect(span.attributes[ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
  });

  it('embed(): one span priced on billed units', async () => {
    server.on('POST', '/v1/embed', jsonFixture('v1-embed'));

    await v1.embed({ model: 'embed-v4.0', texts: ['hello', 'goodbye'], inputType: 'classification' });

    const span = await oneSpan('embeddings embed-v4.0');
    // 2 × 120 nano-USD
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000000240');
  });

  it('a chat without a model (Cohere picks one) is recorded unpriced, never $0', async () => {
    server.on('POST', '/v1/chat', jsonFixture('v1-chat'));

    await v1.chat({ message: 'What is Command R?' });

    const span = await oneSpan('chat');
    expect(span.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(31);
    expectUnpriced(span);
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBeUndefined();
  });

  it('same response and stream events with and without instrumentation', async () => {
    const run = async () => {
      server.on('POST', '/v1/chat', jsonFixture('v1-chat'));
      const response = await v1.chat(V1_REQUEST);
      server.on('POST', '/v1/chat', ndjson('v1-chat-stream'));
      const events = await drain(await v1.chatStream(V1_REQUEST));
      return { response, events };
    };
    const withIt = await run();
    bed.instrumentation.disable();
    const withoutIt = await run();
    bed.instrumentation.enable();
    expect(withIt).toEqual(withoutIt);
  });
});

describe('attribution and self-tracing', () => {
  it('carries the feature and customer of the calling context, for plain and streamed calls', async () => {
    server.on('POST', '/v2/chat', jsonFixture('chat-basic'));
    await withAttribution({ feature: 'summaries', customer: 'acme' }, () => client.chat(REQUEST));
    server.on('POST', '/v2/chat', sseFixture('chat-stream'));
    const stream = await withAttribution({ feature: 'drafts', customer: 'globex' }, () =>
      client.chatStream(REQUEST),
    );
    await drain(stream);

    const spans = await settle(bed.harness, 2);
    expect(spans.map((s) => [s.attributes[ATTR_AICOST_FEATURE], s.attributes[ATTR_AICOST_CUSTOMER]])).toEqual(
      [
        ['summaries', 'acme'],
        ['drafts', 'globex'],
      ],
    );
  });

  it('the SDK does not trace itself: with a tracer provider registered and our instrumentation off, no GenAI span', async () => {
    bed.instrumentation.disable();
    server.on('POST', '/v2/chat', jsonFixture('chat-basic'));
    await client.chat(REQUEST);
    server.on('POST', '/v2/chat', sseFixture('chat-stream'));
    await drain(await client.chatStream(REQUEST));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(genAISpans(bed.harness.spans())).toEqual([]);
  });
});

describe('behaviour with and without instrumentation', () => {
  /** Runs `scenario` with the instrumentation on, then off, against the same responses. */
  function both<T>(respond: () => void, scenario: () => Promise<T>): Promise<[T, T]> {
    return withAndWithoutInstrumentation(bed.instrumentation, server, respond, scenario);
  }

  it('same response and request body', async () => {
    const [a, b] = await both(
      () => server.on('POST', '/v2/chat', jsonFixture('chat-tool-call')),
      async () => {
        const response = await client.chat(TOOL_REQUEST);
        return { response, body: server.requests.at(-1)!.body };
      },
    );
    expect(a).toEqual(b);
    expect(a.response.message.toolCalls?.[0]?.function?.name).toBe('get_weather');
  });

  it('same stream events', async () => {
    const [a, b] = await both(
      () => server.on('POST', '/v2/chat', sseFixture('chat-stream-tool-call', { splitBytes: 23 })),
      async () => drain(await client.chatStream(TOOL_REQUEST)),
    );
    expect(a).toEqual(b);
    expect(a).toHaveLength(8);
  });

  it('same embed response', async () => {
    const [a, b] = await both(
      () => server.on('POST', '/v2/embed', jsonFixture('embed')),
      () => client.embed(EMBED_REQUEST),
    );
    expect(a).toEqual(b);
  });

  it('same error', async () => {
    const [a, b] = await both(
      () => server.on('POST', '/v2/chat', httpError(429, fixture('error-rate-limit'))),
      async () => {
        const error = (await client
          .chat(REQUEST, { maxRetries: 0 })
          .catch((e: unknown) => e)) as Cohere.TooManyRequestsError;
        return {
          type: error.constructor.name,
          status: error.statusCode,
          message: error.message,
          body: error.body,
        };
      },
    );
    expect(a).toEqual(b);
    expect(a.type).toBe('TooManyRequestsError');
  });
});

describe('metrics', () => {
  function snapshot() {
    return genAIMetricsSnapshot(bed.harness, MODEL);
  }

  it('records token usage, duration, time to first chunk and cost', async () => {
    const before = await snapshot();
    server.on('POST', '/v2/chat', jsonFixture('chat-basic'));
    await client.chat(REQUEST);
    server.on('POST', '/v2/chat', sseFixture('chat-stream'));
    await drain(await client.chatStream(REQUEST));
    await settle(bed.harness, 2);
    const after = await snapshot();

    expect(after.input.sum - before.input.sum).toBe(17 + 3);
    expect(after.output.sum - before.output.sum).toBe(12 + 3);
    expect(after.duration.count - before.duration.count).toBe(2);
    expect(after.ttfc.count - before.ttfc.count).toBe(1);
    // (17 + 3) × 2,500 + (12 + 3) × 10,000 nano-USD = 0.0002 USD
    expect(after.cost.sum - before.cost.sum).toBeCloseTo(0.0002, 12);
  });
});

describe('a request aicost cannot read', () => {
  it('gets what the bare SDK gives, with no span left open and one warning', async () => {
    // `temperature` is read by aicost to describe the call; the SDK sends own properties only.
    const request = requestThrowingOn({ model: MODEL, messages: REQUEST.messages }, 'temperature');
    const { instrumented, bare, openSpans, warnings } = await runWithUnreadableRequest(
      bed,
      server,
      () => server.on('POST', '/v2/chat', jsonFixture('chat-basic')),
      () => outcomeOf(() => client.chat(request)),
    );
    expect(instrumented).toEqual(bare);
    expect(openSpans).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('reading a request failed')]);
  });
});
