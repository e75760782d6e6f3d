/**
 * @mistralai/mistralai 2.x, real SDK against a loopback Mistral API.
 *
 * Prices used below (genai-prices catalogue, provider `mistral`):
 * `mistral-small-latest` input $0.10, output $0.30; `mistral-large-latest`
 * input $2, output $6; `mistral-embed` input $0.10 per million tokens — i.e.
 * 100 / 300, 2,000 / 6,000 and 100 nano-USD per token.
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
  withAttribution,
} from '@aicost/core';
import * as sdk from '@mistralai/mistralai';
import { Mistral } from '@mistralai/mistralai';
import {
  MISTRAL_SDK_OTEL_TRACER_NAME,
  registerTracerProvider,
} from '@mistralai/mistralai/extra/observability';
import { SDKError } from '@mistralai/mistralai/models/errors';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
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
import { httpError } from '../../../test/support/mock-server.js';
import {
  expectErrorSpan,
  expectUnpriced,
  inputMessages,
  outputMessages,
} from '../../../test/support/span-assertions.js';
import { instrument, PACKAGE_NAME } from '../src/index.js';
import {
  FAST_RETRIES,
  fixture,
  genAISpans,
  jsonFixture,
  settle,
  setUpInstrumentation,
  sseFixture,
} from './setup.js';

const SMALL = 'mistral-small-latest';
const LARGE = 'mistral-large-latest';
const REQUEST = {
  model: SMALL,
  maxTokens: 256,
  temperature: 0.3,
  topP: 0.9,
  randomSeed: 42,
  stop: ['###'],
  messages: [
    { role: 'system' as const, content: 'You are a cheese expert.' },
    { role: 'user' as const, content: 'What is the best French cheese?' },
  ],
};
const PAYMENT_TOOL = {
  type: 'function' as const,
  function: {
    name: 'retrieve_payment_status',
    description: 'Get payment status of a transaction',
    parameters: {
      type: 'object',
      properties: { transaction_id: { type: 'string' } },
      required: ['transaction_id'],
    },
  },
};
const TOOL_REQUEST = {
  model: LARGE,
  messages: [{ role: 'user' as const, content: "What's the status of my transaction T1001?" }],
  tools: [PAYMENT_TOOL],
  toolChoice: 'auto' as const,
};
const CHAT_PATH = '/v1/chat/completions';
const EMBEDDINGS_PATH = '/v1/embeddings';

const { bed, server } = useTestBed(() => setUpInstrumentation(sdk));
let client: Mistral;

beforeAll(() => {
  client = new Mistral({ apiKey: 'test-key', serverURL: server.url });
});

afterEach(() => {
  registerTracerProvider(undefined);
  delete process.env.MISTRAL_SDK_TELEMETRY;
});

/** The one span a call must produce (fails on none, or on a second one). */
const oneSpan = (name = `chat ${SMALL}`) => settledSpan(bed.harness, PACKAGE_NAME, name);

describe('chat.complete', () => {
  it('records one chat span with request parameters, the ledger and the exact cost', async () => {
    server.on('POST', CHAT_PATH, jsonFixture('chat-basic'));

    const response = await client.chat.complete(REQUEST);

    expect(response.choices?.[0]?.message?.content).toBe(fixture('chat-basic').choices[0].message.content);
    const span = await oneSpan();
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_PROVIDER_NAME]: 'mistral_ai',
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_REQUEST_MODEL]: SMALL,
      [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 256,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.3,
      [ATTR_GEN_AI_REQUEST_TOP_P]: 0.9,
      [ATTR_GEN_AI_REQUEST_SEED]: 42,
      [ATTR_GEN_AI_REQUEST_STOP_SEQUENCES]: ['###'],
      [ATTR_SERVER_ADDRESS]: '127.0.0.1',
      [ATTR_SERVER_PORT]: server.port,
      [ATTR_GEN_AI_RESPONSE_MODEL]: SMALL,
      [ATTR_GEN_AI_RESPONSE_ID]: 'cmpl-e5cc70bb28c444948073e77776eb30ef',
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 16,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 34,
      [ATTR_AICOST_COST_STATUS]: 'priced',
      // 16 × 100 + 34 × 300 nano-USD
      [ATTR_AICOST_COST_TOTAL]: '0.000011800',
    });
    expect(span.attributes[ATTR_AICOST_REQUEST_STREAM]).not.toBe(true); // set only on streamed calls
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    // Content is opt-in.
    expect(span.attributes[ATTR_GEN_AI_INPUT_MESSAGES]).toBeUndefined();
    expect(span.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]).toBeUndefined();
  });

  it('records a tool call as the finish reason, with the tool call content only when opted in', async () => {
    server.on('POST', CHAT_PATH, jsonFixture('chat-tool-call'));
    await client.chat.complete(TOOL_REQUEST);
    const plain = await oneSpan(`chat ${LARGE}`);
    expect(plain.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual(['tool_calls']);
    // 94 × 2,000 + 23 × 6,000 nano-USD
    expect(plain.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000326000');
    expect(plain.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]).toBeUndefined();

    bed.harness.reset();
    bed.instrumentation.setConfig({ captureMessageContent: true });
    await client.chat.complete(TOOL_REQUEST);
    const captured = await oneSpan(`chat ${LARGE}`);
    expect(inputMessages(captured)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: "What's the status of my transaction T1001?" }] },
    ]);
    expect(outputMessages(captured)).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: '' },
          {
            type: 'tool_call',
            id: 'D681PevKs',
            name: 'retrieve_payment_status',
            arguments: { transaction_id: 'T1001' },
          },
        ],
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it('retries a 429 inside one span and prices the response that finally came', async () => {
    server.on('POST', CHAT_PATH, httpError(429, fixture('error-rate-limit')), jsonFixture('chat-basic'));

    await client.chat.complete(REQUEST, { retries: FAST_RETRIES, retryCodes: ['429'] });

    expect(server.requests).toHaveLength(2);
    const span = await oneSpan();
    expect(span.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000011800');
  });

  it('ends one span with error.type when the retries give up, and rethrows the SDK error unchanged', async () => {
    server.on('POST', CHAT_PATH, httpError(500, fixture('error-server')));

    const error = await client.chat
      .complete(REQUEST, {
        retries: { ...FAST_RETRIES, backoff: { ...FAST_RETRIES.backoff, maxElapsedTime: 30 } },
        retryCodes: ['5XX'],
      })
      .catch((e: unknown) => e);

    expect(server.requests.length).toBeGreaterThan(1);
    expect(error).toBeInstanceOf(SDKError);
    expect((error as SDKError).statusCode).toBe(500);
    expect(JSON.parse((error as SDKError).body)).toEqual(fixture('error-server'));
    const span = await oneSpan();
    expectErrorSpan(span, 'SDKError');
    expectUnpriced(span, 'missing_usage');
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBeUndefined();
  });

  it('chat.parse() (structured output) is one priced span and still parses for the application', async () => {
    const answer = { cheese: 'Comté', region: 'Jura' };
    const body = fixture('chat-basic');
    body.choices[0].message.content = JSON.stringify(answer);
    server.on('POST', CHAT_PATH, () => ({
      kind: 'body',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }));

    const parsed = await client.chat.parse({
      ...REQUEST,
      responseFormat: z.object({ cheese: z.string(), region: z.string() }),
    });

    expect(parsed.choices?.[0]?.message?.parsed).toEqual(answer);
    const span = await oneSpan();
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000011800');
  });

  it('is a child of the active span', async () => {
    server.on('POST', CHAT_PATH, jsonFixture('chat-basic'));
    const parent = trace.getTracer('test').startSpan('parent');
    await trace.getTracer('test').startActiveSpan('handler', async (handler) => {
      await client.chat.complete(REQUEST);
      handler.end();
    });
    parent.end();
    const spans = await settle(bed.harness, 3);
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
    server.on('POST', CHAT_PATH, jsonFixture('chat-basic'));
    try {
      const response = await client.chat.complete(REQUEST);
      expect(response.choices?.[0]?.message?.content).toBe(fixture('chat-basic').choices[0].message.content);
    } finally {
      bed.instrumentation.setTracerProvider(bed.harness.tracerProvider);
    }
  });

  it('instrument() on an already patched module does not double the spans', async () => {
    const second = instrument(sdk);
    server.on('POST', CHAT_PATH, jsonFixture('chat-basic'));
    await client.chat.complete(REQUEST);
    await oneSpan();
    second.disable();
  });
});

describe('chat.stream', () => {
  it('usage from the last chunk, finish reason, time to first chunk', async () => {
    server.on('POST', CHAT_PATH, sseFixture('chat-stream', { splitBytes: 37 }));

    const events = await drain(await client.chat.stream(REQUEST));

    expect(events).toHaveLength(4);
    const span = await oneSpan();
    expect(span.attributes).toMatchObject({
      [ATTR_AICOST_REQUEST_STREAM]: true,
      [ATTR_GEN_AI_RESPONSE_MODEL]: SMALL,
      [ATTR_GEN_AI_RESPONSE_ID]: 'cmpl-3e8e7d1b0a8c4a8c9a4e1d2c3b4a5f6e',
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 16,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 5,
      // 16 × 100 + 5 × 300 nano-USD
      [ATTR_AICOST_COST_TOTAL]: '0.000003100',
    });
    expect(span.attributes[ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
  });

  it('streamed tool call: arguments in the output content when opted in', async () => {
    bed.instrumentation.setConfig({ captureMessageContent: true });
    server.on('POST', CHAT_PATH, sseFixture('chat-stream-tool-call'));

    await drain(await client.chat.stream(TOOL_REQUEST));

    const span = await oneSpan(`chat ${LARGE}`);
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual(['tool_calls']);
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000326000');
    const [output] = outputMessages(span);
    expect(output.parts).toContainEqual({
      type: 'tool_call',
      id: 'D681PevKs',
      name: 'retrieve_payment_status',
      arguments: { transaction_id: 'T1001' },
    });
  });

  it('breaking out of the loop ends the span once, without an error; no usage came, so unpriced', async () => {
    server.on('POST', CHAT_PATH, sseFixture('chat-stream', { hangAfter: 2 }));

    const stream = await client.chat.stream(REQUEST);
    for await (const event of stream) {
      if (event.data.choices[0]?.delta.content) break;
    }

    const span = await oneSpan();
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    expectUnpriced(span, 'missing_usage');
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBeUndefined();
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_ID]).toBe('cmpl-3e8e7d1b0a8c4a8c9a4e1d2c3b4a5f6e');
  });

  it('a stream that breaks off is an error, rethrown unchanged', async () => {
    server.on('POST', CHAT_PATH, sseFixture('chat-stream', { destroyAfter: 2 }));

    const stream = await client.chat.stream(REQUEST);
    const error = await drain(stream).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    const span = await oneSpan();
    expectErrorSpan(span, (error as Error).constructor.name);
    // Mistral reports usage in the last chunk only: none seen, never $0.
    expectUnpriced(span, 'missing_usage');
  });

  it('breaking out on the usage chunk, before the stream ends: estimated / partial_stream from that usage', async () => {
    server.on('POST', CHAT_PATH, sseFixture('chat-stream'));

    const stream = await client.chat.stream(REQUEST);
    for await (const event of stream) {
      if (event.data.usage) break;
    }

    const span = await oneSpan();
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 16,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 5,
      // The stream did not reach its end: a lower bound (16 × 100 + 5 × 300 nano-USD), not `priced`.
      [ATTR_AICOST_COST_STATUS]: 'estimated',
      [ATTR_AICOST_COST_STATUS_REASON]: 'partial_stream',
      [ATTR_AICOST_COST_TOTAL]: '0.000003100',
    });
  });

  it('aborting the request mid-stream ends the span once, as an error named like the one the application gets', async () => {
    server.on('POST', CHAT_PATH, sseFixture('chat-stream', { hangAfter: 2 }));
    const controller = new AbortController();

    const stream = await client.chat.stream(REQUEST, { fetchOptions: { signal: controller.signal } });
    const error = await (async () => {
      for await (const event of stream) {
        if (event.data.choices[0]?.delta.content) controller.abort();
      }
    })().catch((e: unknown) => e);

    expect((error as Error).name).toBe('AbortError');
    const span = await oneSpan();
    expectErrorSpan(span, 'AbortError');
    expectUnpriced(span, 'missing_usage');
  });

  it('read through getReader(): one span priced from the last chunk', async () => {
    server.on('POST', CHAT_PATH, sseFixture('chat-stream'));

    const reader = (await client.chat.stream(REQUEST)).getReader();
    const events = [];
    for (let result = await reader.read(); !result.done; result = await reader.read())
      events.push(result.value);

    expect(events).toHaveLength(4);
    const span = await oneSpan();
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000003100');
    expect(span.attributes[ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
  });

  it('reader.cancel() ends the span once, without an error', async () => {
    server.on('POST', CHAT_PATH, sseFixture('chat-stream', { hangAfter: 2 }));

    const reader = (await client.chat.stream(REQUEST)).getReader();
    await reader.read();
    await reader.cancel();

    const span = await oneSpan();
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expectUnpriced(span, 'missing_usage');
  });

  it('a stream request that fails (429, no retries) ends one span and rethrows', async () => {
    server.on('POST', CHAT_PATH, httpError(429, fixture('error-rate-limit')));

    const error = await client.chat.stream(REQUEST).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SDKError);
    expect((error as SDKError).statusCode).toBe(429);
    const span = await oneSpan();
    expect(span.attributes[ATTR_ERROR_TYPE]).toBe('SDKError');
  });

  it('the EventStream stays a ReadableStream of the same class; a second iteration finds it closed, as without instrumentation', async () => {
    server.on('POST', CHAT_PATH, sseFixture('chat-stream'));

    const stream = await client.chat.stream(REQUEST);

    expect(stream).toBeInstanceOf(ReadableStream);
    expect(stream.constructor.name).toBe('EventStream');
    expect(await drain(stream)).toHaveLength(4);
    expect(await drain(stream)).toEqual([]);
    await oneSpan();
  });
});

describe('fim', () => {
  it('fim.complete(): one text_completion span, priced', async () => {
    server.on('POST', '/v1/fim/completions', jsonFixture('fim'));

    await client.fim.complete({ model: 'codestral-latest', prompt: 'def fib(n):', suffix: 'print(fib(10))' });

    const span = await oneSpan('text_completion codestral-latest');
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_OPERATION_NAME]: 'text_completion',
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 8,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 91,
      // codestral-latest $0.30 / $0.90 per million tokens: 8 × 300 + 91 × 900 nano-USD
      [ATTR_AICOST_COST_TOTAL]: '0.000084300',
    });
  });

  it('fim.stream(): one span priced from the last chunk', async () => {
    server.on('POST', '/v1/fim/completions', sseFixture('fim-stream'));

    const events = await drain(await client.fim.stream({ model: 'codestral-latest', prompt: 'def fib(n):' }));

    expect(events).toHaveLength(3);
    const span = await oneSpan('text_completion codestral-latest');
    expect(span.attributes[ATTR_AICOST_REQUEST_STREAM]).toBe(true);
    // 8 × 300 + 12 × 900 nano-USD
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000013200');
  });
});

describe('embeddings.create', () => {
  it('records one embeddings span, priced on input tokens', async () => {
    server.on('POST', EMBEDDINGS_PATH, jsonFixture('embeddings'));

    const response = await client.embeddings.create({
      model: 'mistral-embed',
      inputs: ['Embed this sentence.', 'As well as this one.'],
    });

    expect(response.data).toHaveLength(2);
    const span = await oneSpan('embeddings mistral-embed');
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_PROVIDER_NAME]: 'mistral_ai',
      [ATTR_GEN_AI_OPERATION_NAME]: 'embeddings',
      [ATTR_GEN_AI_RESPONSE_MODEL]: 'mistral-embed',
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 15,
      // 15 × 100 nano-USD
      [ATTR_AICOST_COST_TOTAL]: '0.000001500',
    });
  });
});

describe('attribution', () => {
  it('carries the feature and customer of the calling context, for plain and streamed calls', async () => {
    server.on('POST', CHAT_PATH, jsonFixture('chat-basic'));
    await withAttribution({ feature: 'cheese-advice', customer: 'acme' }, () =>
      client.chat.complete(REQUEST),
    );
    server.on('POST', CHAT_PATH, sseFixture('chat-stream'));
    const stream = await withAttribution({ feature: 'drafts', customer: 'globex' }, () =>
      client.chat.stream(REQUEST),
    );
    await drain(stream); // read outside the attribution scope: the call's context counts

    const spans = await settle(bed.harness, 2);
    expect(spans.map((s) => [s.attributes[ATTR_AICOST_FEATURE], s.attributes[ATTR_AICOST_CUSTOMER]])).toEqual(
      [
        ['cheese-advice', 'acme'],
        ['drafts', 'globex'],
      ],
    );
  });
});

describe("the SDK's own tracing", () => {
  /** The ways an application turns the SDK's tracing on (or leaves it off). */
  const sdkTracing = {
    'on (registerTracerProvider)': () => registerTracerProvider(bed.harness.tracerProvider),
    'on (MISTRAL_SDK_TELEMETRY=global)': () => {
      process.env.MISTRAL_SDK_TELEMETRY = 'global';
    },
    off: () => {},
  };
  const scenarios = {
    'chat.complete()': async (c: Mistral) => {
      server.on('POST', CHAT_PATH, jsonFixture('chat-basic'));
      await c.chat.complete(REQUEST);
      return { input: 16, output: 34, cost: '0.000011800' };
    },
    'chat.complete() retried after a 429': async (c: Mistral) => {
      server.on('POST', CHAT_PATH, httpError(429, fixture('error-rate-limit')), jsonFixture('chat-basic'));
      await c.chat.complete(REQUEST, { retries: FAST_RETRIES, retryCodes: ['429'] });
      return { input: 16, output: 34, cost: '0.000011800' };
    },
    'chat.stream()': async (c: Mistral) => {
      server.on('POST', CHAT_PATH, sseFixture('chat-stream'));
      await drain(await c.chat.stream(REQUEST));
      return { input: 16, output: 5, cost: '0.000003100' };
    },
    'fim.complete()': async (c: Mistral) => {
      server.on('POST', '/v1/fim/completions', jsonFixture('fim'));
      await c.fim.complete({ model: 'codestral-latest', prompt: 'def fib(n):' });
      return { input: 8, output: 91, cost: '0.000084300' };
    },
    'embeddings.create()': async (c: Mistral) => {
      server.on('POST', EMBEDDINGS_PATH, jsonFixture('embeddings'));
      await c.embeddings.create({ model: 'mistral-embed', inputs: ['Embed this sentence.'] });
      return { input: 15, output: 0, cost: '0.000001500' };
    },
  };

  for (const [mode, turnOn] of Object.entries(sdkTracing).filter(([mode]) => mode !== 'off')) {
    it(`really traces when ${mode.slice(4, -1)} (so the tests below can fail)`, async () => {
      bed.instrumentation.disable();
      turnOn();
      // A fresh client: the SDK's tracing hook settles its mode on its first request.
      const fresh = new Mistral({ apiKey: 'test-key', serverURL: server.url });

      await scenarios['chat.complete() retried after a 429'](fresh);

      const spans = genAISpans(await settle(bed.harness, 2));
      // One span per HTTP attempt.
      expect(spans.map((s) => s.instrumentationScope.name)).toEqual([
        MISTRAL_SDK_OTEL_TRACER_NAME,
        MISTRAL_SDK_OTEL_TRACER_NAME,
      ]);
      expect(spans.at(-1)!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(16);
    });
  }

  for (const [mode, turnOn] of Object.entries(sdkTracing)) {
    for (const [name, run] of Object.entries(scenarios)) {
      it(`SDK tracing ${mode}, ${name}: exactly one GenAI span, ours, with the right tokens and cost`, async () => {
        turnOn();
        const fresh = new Mistral({ apiKey: 'test-key', serverURL: server.url });

        const expected = await run(fresh);

        const spans = genAISpans(await settle(bed.harness, 1));
        expect(spans).toHaveLength(1);
        expect(spans[0]!.instrumentationScope.name).toBe(PACKAGE_NAME);
        expect(spans[0]!.attributes).toMatchObject({
          [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: expected.input,
          [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: expected.output,
          [ATTR_AICOST_COST_TOTAL]: expected.cost,
        });
      });
    }
  }

  it('calls this package does not record (agents) keep the SDK span', async () => {
    registerTracerProvider(bed.harness.tracerProvider);
    server.on('POST', '/v1/agents/completions', jsonFixture('chat-basic'));

    await client.agents.complete({ agentId: 'ag_0123', messages: REQUEST.messages.slice(1) });

    const spans = genAISpans(await settle(bed.harness, 1));
    expect(spans.map((s) => s.instrumentationScope.name)).toEqual([MISTRAL_SDK_OTEL_TRACER_NAME]);
    expect(spans[0]!.attributes[ATTR_GEN_AI_OPERATION_NAME]).toBe('invoke_agent');
    expect(spans[0]!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(16);
  });
});

describe('behaviour with and without instrumentation', () => {
  /** Runs `scenario` with the instrumentation on, then off, against the same responses. */
  function both<T>(respond: () => void, scenario: () => Promise<T>): Promise<[T, T]> {
    return withAndWithoutInstrumentation(bed.instrumentation, server, respond, scenario);
  }

  it('same response and request body', async () => {
    const [a, b] = await both(
      () => server.on('POST', CHAT_PATH, jsonFixture('chat-tool-call')),
      async () => {
        const response = await client.chat.complete(TOOL_REQUEST);
        return { response, body: server.requests.at(-1)!.body };
      },
    );
    expect(a).toEqual(b);
    expect(a.response.choices?.[0]?.message?.toolCalls?.[0]?.function.name).toBe('retrieve_payment_status');
  });

  it('same stream events', async () => {
    const [a, b] = await both(
      () => server.on('POST', CHAT_PATH, sseFixture('chat-stream-tool-call', { splitBytes: 23 })),
      async () => drain(await client.chat.stream(TOOL_REQUEST)),
    );
    expect(a).toEqual(b);
    expect(a).toHaveLength(2);
  });

  it('same error', async () => {
    const [a, b] = await both(
      () => server.on('POST', CHAT_PATH, httpError(429, fixture('error-rate-limit'))),
      async () => {
        const error = (await client.chat.complete(REQUEST).catch((e: unknown) => e)) as SDKError;
        return {
          type: error.constructor.name,
          status: error.statusCode,
          message: error.message,
          body: error.body,
        };
      },
    );
    expect(a).toEqual(b);
    expect(a.type).toBe('SDKError');
  });
});

describe('metrics', () => {
  function snapshot() {
    return genAIMetricsSnapshot(bed.harness, SMALL);
  }

  it('records token usage, duration, time to first chunk and cost', async () => {
    const before = await snapshot();
    server.on('POST', CHAT_PATH, jsonFixture('chat-basic'));
    await client.chat.complete(REQUEST);
    server.on('POST', CHAT_PATH, sseFixture('chat-stream'));
    await drain(await client.chat.stream(REQUEST));
    await settle(bed.harness, 2);
    const after = await snapshot();

    expect(after.input.sum - before.input.sum).toBe(16 + 16);
    expect(after.output.sum - before.output.sum).toBe(34 + 5);
    expect(after.duration.count - before.duration.count).toBe(2);
    expect(after.ttfc.count - before.ttfc.count).toBe(1); // the streamed call only
    // (16 + 16) × 100 + (34 + 5) × 300 nano-USD = 0.0000149 USD
    expect(after.cost.sum - before.cost.sum).toBeCloseTo(0.0000149, 12);
  });
});

describe('a request aicost cannot read', () => {
  it('gets what the bare SDK gives, with no span left open and one warning', async () => {
    // `temperature` is read by aicost to describe the call; the SDK sends own properties only.
    const request = requestThrowingOn({ model: SMALL, messages: REQUEST.messages }, 'temperature');
    const { instrumented, bare, openSpans, warnings } = await runWithUnreadableRequest(
      bed,
      server,
      () => server.on('POST', CHAT_PATH, jsonFixture('chat-basic')),
      () => outcomeOf(() => client.chat.complete(request)),
    );
    expect(instrumented).toEqual(bare);
    expect(openSpans).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('reading a request failed')]);
  });
});
