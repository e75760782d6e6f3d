/**
 * ollama 0.6 (the official JS client), real SDK against a loopback Ollama server.
 *
 * Ollama runs on the user's own machines: it has no list price, so every cost below comes
 * from a self-hosted rate (`self_hosted` overrides), per token or per GPU-hour.
 * Per-token rate used: `llama3.2*` $0.05 input / $0.20 output per million tokens, i.e.
 * 50 / 200 nano-USD per token; `all-minilm` $0.01 input, i.e. 10 nano-USD per token.
 */

import {
  ATTR_AICOST_COST_STATUS,
  ATTR_AICOST_COST_STATUS_REASON,
  ATTR_AICOST_COST_TOTAL,
  ATTR_AICOST_PRICE_MATCH,
  ATTR_AICOST_PRICE_SOURCE,
  ATTR_AICOST_REQUEST_STREAM,
  ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK,
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
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  createPricer,
  setDefaultPricer,
} from '@aicost/core';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import * as sdk from 'ollama';
import { Ollama } from 'ollama';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
import { json } from '../../../test/support/mock-server.js';
import {
  expectClientSpanWithoutContent,
  expectErrorSpan,
  expectUnpriced,
  inputMessages,
  outputMessages,
} from '../../../test/support/span-assertions.js';
import { instrument, PACKAGE_NAME } from '../src/index.js';
import { fixture, jsonFixture, ndjsonFixture, settle, setUpInstrumentation } from './setup.js';

const MODEL = 'llama3.2';
const RATES = {
  self_hosted: [
    { provider: 'ollama', model: 'llama3.2*', input_mtok: '0.05', output_mtok: '0.2' },
    { provider: 'ollama', model: 'all-minilm', input_mtok: '0.01' },
  ],
};
const REQUEST = {
  model: MODEL,
  messages: [
    { role: 'system', content: 'You are a concise assistant.' },
    { role: 'user', content: 'Why is the sky blue?' },
  ],
  options: { temperature: 0.2, top_p: 0.9, top_k: 40, num_predict: 300, seed: 42, stop: ['###'] },
};
const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_current_weather',
    description: 'Get the current weather for a location',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string' },
        format: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['location', 'format'],
    },
  },
};

const { bed, server } = useTestBed(() => setUpInstrumentation(sdk));
let client: Ollama;

beforeAll(() => {
  client = new Ollama({ host: server.url });
});

beforeEach(() => setDefaultPricer(createPricer({ pricesFile: false, hosts: {}, overrides: RATES })));

afterEach(() => setDefaultPricer(undefined));

const oneSpan = (name = `chat ${MODEL}`) => settledSpan(bed.harness, PACKAGE_NAME, name);

describe('chat', () => {
  it('records one chat span with the request options, the counts and the cost at the user rate', async () => {
    server.on('POST', '/api/chat', jsonFixture('chat'));

    const response = await client.chat(REQUEST);

    expect(response.message.content).toBe('Hello! How are you today?');
    const span = await oneSpan();
    expectClientSpanWithoutContent(span, {
      [ATTR_GEN_AI_PROVIDER_NAME]: 'ollama',
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_REQUEST_MODEL]: MODEL,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.2,
      [ATTR_GEN_AI_REQUEST_TOP_P]: 0.9,
      [ATTR_GEN_AI_REQUEST_TOP_K]: 40,
      [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 300,
      [ATTR_GEN_AI_REQUEST_SEED]: 42,
      [ATTR_GEN_AI_REQUEST_STOP_SEQUENCES]: ['###'],
      [ATTR_SERVER_ADDRESS]: '127.0.0.1',
      [ATTR_SERVER_PORT]: server.port,
      [ATTR_AICOST_REQUEST_STREAM]: false,
      [ATTR_GEN_AI_RESPONSE_MODEL]: MODEL,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 26,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 298,
      [ATTR_AICOST_COST_STATUS]: 'override',
      [ATTR_AICOST_PRICE_SOURCE]: 'self_hosted',
      [ATTR_AICOST_PRICE_MATCH]: 'self_hosted_rate',
      // 26 × 50 + 298 × 200 nano-USD
      [ATTR_AICOST_COST_TOTAL]: '0.000060900',
    });
  });

  it('a model named like a vendor API model is still priced at the user rate, never a list price', async () => {
    setDefaultPricer(
      createPricer({
        pricesFile: false,
        hosts: {},
        overrides: { self_hosted: [{ model: '*', input_mtok: '1', output_mtok: '1' }] },
      }),
    );
    server.on(
      'POST',
      '/api/chat',
      json({ ...fixture<Record<string, unknown>>('chat'), model: 'mistral-large' }),
    );

    await client.chat({ ...REQUEST, model: 'mistral-large' });

    const span = await oneSpan('chat mistral-large');
    // (26 + 298) × 1,000 nano-USD: the generic self_hosted rate, not Mistral's price.
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000324000');
    expect(span.attributes[ATTR_AICOST_PRICE_SOURCE]).toBe('self_hosted');
  });

  it('a GPU-hour rate prices the call by its duration, as an estimate', async () => {
    setDefaultPricer(
      createPricer({
        pricesFile: false,
        hosts: {},
        overrides: { self_hosted: [{ provider: 'ollama', gpu_hour_usd: '3.60' }] },
      }),
    );
    server.on('POST', '/api/chat', jsonFixture('chat'));

    await client.chat(REQUEST);

    const span = await oneSpan();
    expect(span.attributes).toMatchObject({
      [ATTR_AICOST_COST_STATUS]: 'estimated',
      [ATTR_AICOST_COST_STATUS_REASON]: 'self_hosted_estimate',
      [ATTR_AICOST_PRICE_SOURCE]: 'self_hosted',
    });
    // $3.60 an hour is 1,000 nano-USD a millisecond of the call, timed inside the span (so never more than its duration).
    const durationMs = (span.duration[0] * 1e9 + span.duration[1]) / 1e6;
    const nanos = Number(String(span.attributes[ATTR_AICOST_COST_TOTAL]).replace('.', ''));
    expect(nanos).toBeGreaterThan(0);
    expect(nanos / 1000).toBeLessThanOrEqual(durationMs + 1);
  });

  it('without a rate the call is unpriced (self_hosted_no_rate), never $0', async () => {
    setDefaultPricer(createPricer({ pricesFile: false, hosts: {} }));
    server.on('POST', '/api/chat', jsonFixture('chat'));

    await client.chat(REQUEST);

    const span = await oneSpan();
    expectUnpriced(span, 'self_hosted_no_rate');
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBeUndefined();
  });

  it('records a tool call, with the call and its arguments only when opted in', async () => {
    const request = {
      model: MODEL,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
    };
    server.on('POST', '/api/chat', jsonFixture('chat-tool-call'));
    const response = await client.chat(request);
    expect(response.message.tool_calls?.[0]?.function.name).toBe('get_current_weather');
    const plain = await oneSpan();
    // 122 × 50 + 33 × 200 nano-USD
    expect(plain.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000012700');
    expect(plain.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]).toBeUndefined();

    bed.harness.reset();
    bed.instrumentation.setConfig({ captureMessageContent: true });
    await client.chat(request);
    const captured = await oneSpan();
    expect(inputMessages(captured)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
    ]);
    expect(outputMessages(captured)).toEqual([
      {
        role: 'assistant',
        parts: [
          {
            type: 'tool_call',
            name: 'get_current_weather',
            arguments: { format: 'celsius', location: 'Paris, FR' },
          },
        ],
        finish_reason: 'stop',
      },
    ]);
  });

  it('structured output (format) is recorded as json output', async () => {
    server.on('POST', '/api/chat', jsonFixture('chat'));
    await client.chat({ ...REQUEST, format: { type: 'object', properties: { answer: { type: 'string' } } } });
    expect((await oneSpan()).attributes[ATTR_GEN_AI_OUTPUT_TYPE]).toBe('json');
  });

  it.each([
    [500, 'error-server'],
    [503, 'error-busy'],
    [404, 'error-not-found'],
  ])(
    'an HTTP %i (the SDK does not retry) ends one span with error.type and rethrows the SDK error unchanged',
    async (status, body) => {
      server.on('POST', '/api/chat', json(fixture(body), { status }));

      const error = await client.chat(REQUEST).catch((e: unknown) => e);

      expect(server.requests).toHaveLength(1);
      expect(error).toMatchObject({ name: 'ResponseError', status_code: status, error: fixture(body).error });
      const span = await oneSpan();
      expectErrorSpan(span, 'ResponseError');
      expectUnpriced(span, 'missing_usage');
    },
  );

  it('is a child of the active span, and a client created before instrument() is instrumented too', async () => {
    server.on('POST', '/api/chat', jsonFixture('chat'));
    await trace.getTracer('test').startActiveSpan('handler', async (handler) => {
      await client.chat(REQUEST);
      handler.end();
    });
    const spans = await settle(bed.harness, 2);
    const ours = spans.find((s) => s.instrumentationScope.name === PACKAGE_NAME)!;
    expect(ours.parentSpanContext?.spanId).toBe(
      spans.find((s) => s.name === 'handler')!.spanContext().spanId,
    );
  });

  it('the default client (the module default export) is instrumented', async () => {
    // The default instance talks to 127.0.0.1:11434: point its fetch at the mock.
    const defaultClient = sdk.default as unknown as { fetch: typeof fetch };
    const fetchBefore = defaultClient.fetch;
    (defaultClient as { fetch: typeof fetch }).fetch = server.fetch;
    try {
      server.on('POST', '/api/chat', jsonFixture('chat'));
      await sdk.default.chat(REQUEST);
      const span = await oneSpan();
      expect(span.attributes[ATTR_SERVER_ADDRESS]).toBe('127.0.0.1');
      expect(span.attributes[ATTR_SERVER_PORT]).toBe(11434);
    } finally {
      defaultClient.fetch = fetchBefore;
    }
  });

  it('instrument() on an already patched module does not double the spans', async () => {
    const second = instrument(sdk);
    server.on('POST', '/api/chat', jsonFixture('chat'));
    await client.chat(REQUEST);
    await oneSpan();
    second.disable();
  });
});

describe('streamed chat', () => {
  it('counts from the last (done) object, finish reason, time to first chunk', async () => {
    server.on('POST', '/api/chat', ndjsonFixture('chat-stream', { splitBytes: 37 }));

    const parts = await drain(await client.chat({ ...REQUEST, stream: true }));

    expect(parts).toHaveLength(10);
    const span = await oneSpan();
    expect(span.attributes).toMatchObject({
      [ATTR_AICOST_REQUEST_STREAM]: true,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 26,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 282,
      [ATTR_AICOST_COST_STATUS]: 'override',
      // 26 × 50 + 282 × 200 nano-USD
      [ATTR_AICOST_COST_TOTAL]: '0.000057700',
    });
    expect(span.attributes[ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
  });

  it('joins the streamed text into the output content when opted in', async () => {
    bed.instrumentation.setConfig({ captureMessageContent: true });
    server.on('POST', '/api/chat', ndjsonFixture('chat-stream'));
    await drain(await client.chat({ ...REQUEST, stream: true }));
    const span = await oneSpan();
    expect(outputMessages(span)).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: 'The sky is blue because of Rayleigh scattering.' }],
        finish_reason: 'stop',
      },
    ]);
    expect(JSON.parse(String(span.attributes['gen_ai.system_instructions']))).toEqual([
      { type: 'text', content: 'You are a concise assistant.' },
    ]);
  });

  it('abort() on the stream ends the span once as an error; the application gets the same AbortError', async () => {
    server.on('POST', '/api/chat', ndjsonFixture('chat-stream', { hangAfter: 3 }));

    const stream = await client.chat({ ...REQUEST, stream: true });
    const error = await (async () => {
      for await (const _ of stream) stream.abort();
    })().catch((e: unknown) => e);

    expect((error as Error).name).toBe('AbortError');
    const span = await oneSpan();
    expectErrorSpan(span, 'AbortError');
    // The counts come with the last object only: none seen, never $0.
    expectUnpriced(span, 'missing_usage');
  });

  it('client.abort() (every stream of the client) ends the span as an error too', async () => {
    server.on('POST', '/api/chat', ndjsonFixture('chat-stream', { hangAfter: 2 }));
    const stream = await client.chat({ ...REQUEST, stream: true });
    const error = await (async () => {
      for await (const _ of stream) client.abort();
    })().catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect((await oneSpan()).attributes[ATTR_ERROR_TYPE]).toBe('AbortError');
  });

  it('breaking out of the loop ends the span once, without an error; no counts came, so unpriced', async () => {
    server.on('POST', '/api/chat', ndjsonFixture('chat-stream', { hangAfter: 3 }));
    for await (const _ of await client.chat({ ...REQUEST, stream: true })) break;
    const span = await oneSpan();
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expectUnpriced(span, 'missing_usage');
  });

  it('a stream that breaks off is an error, rethrown unchanged', async () => {
    server.on('POST', '/api/chat', ndjsonFixture('chat-stream', { destroyAfter: 3 }));
    const error = await drain(await client.chat({ ...REQUEST, stream: true })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const span = await oneSpan();
    expectErrorSpan(span, (error as Error).constructor.name);
    expectUnpriced(span);
  });
});

describe('generate and embed', () => {
  it('generate(): one text_completion span, streamed or not', async () => {
    server.on('POST', '/api/generate', jsonFixture('generate'));
    const response = await client.generate({ model: MODEL, prompt: 'Why is the sky blue?' });
    expect(response.response).toBe('The sky is blue because of Rayleigh scattering.');
    const plain = await oneSpan(`text_completion ${MODEL}`);
    // 26 × 50 + 290 × 200 nano-USD
    expect(plain.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000059300');

    bed.harness.reset();
    server.on('POST', '/api/generate', ndjsonFixture('generate-stream'));
    await drain(await client.generate({ model: MODEL, prompt: 'Why is the sky blue?', stream: true }));
    const streamed = await oneSpan(`text_completion ${MODEL}`);
    // 26 × 50 + 259 × 200 nano-USD
    expect(streamed.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000053100');
  });

  it('embed(): one embeddings span priced on its input count', async () => {
    server.on('POST', '/api/embed', jsonFixture('embed'));
    const response = await client.embed({
      model: 'all-minilm',
      input: ['Why is the sky blue?', 'Why is the grass green?'],
    });
    expect(response.embeddings).toHaveLength(2);
    const span = await oneSpan('embeddings all-minilm');
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_OPERATION_NAME]: 'embeddings',
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 8,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 0,
      // 8 × 10 nano-USD
      [ATTR_AICOST_COST_TOTAL]: '0.000000080',
    });
  });
});

describe('behaviour unchanged', () => {
  const both = <T>(respond: () => void, scenario: () => Promise<T>) =>
    withAndWithoutInstrumentation(bed.instrumentation, server, respond, scenario);

  it('the same response object and the same streamed objects, class and abort()', async () => {
    const [instrumented, bare] = await both(
      () => server.on('POST', '/api/chat', jsonFixture('chat')),
      () => client.chat(REQUEST),
    );
    expect(instrumented).toEqual(bare);

    const [streamed, bareStream] = await both(
      () => server.on('POST', '/api/chat', ndjsonFixture('chat-stream')),
      async () => {
        const stream = await client.chat({ ...REQUEST, stream: true });
        return {
          className: stream.constructor.name,
          abort: typeof stream.abort,
          parts: await drain(stream),
          again: await drain(stream).catch((e: unknown) => String(e)),
        };
      },
    );
    expect(streamed).toEqual(bareStream);
    expect(bareStream.className).toBe('AbortableAsyncIterator');
  });

  it('the same error, rejected on the same tick', async () => {
    const [instrumented, bare] = await both(
      () => server.on('POST', '/api/chat', json(fixture('error-server'), { status: 500 })),
      async () => {
        const ticks: string[] = [];
        const pending = client.chat(REQUEST);
        const error = await pending.catch((e: unknown) => e);
        ticks.push('app');
        return {
          error: { name: (error as Error).name, message: (error as Error).message },
          isPromise: pending instanceof Promise,
          ticks,
        };
      },
    );
    expect(instrumented).toEqual(bare);
  });
});

describe('a request aicost cannot read', () => {
  it('gets what the bare SDK gives, with no span left open and one warning', async () => {
    // `options` is read by aicost to describe the call; the SDK sends own properties only.
    const request = requestThrowingOn({ model: MODEL, messages: REQUEST.messages }, 'options');
    const { instrumented, bare, openSpans, warnings } = await runWithUnreadableRequest(
      bed,
      server,
      () => server.on('POST', '/api/chat', jsonFixture('chat')),
      () => outcomeOf(() => client.chat(request)),
    );
    expect(instrumented).toEqual(bare);
    expect(openSpans).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('reading a request failed')]);
  });
});
