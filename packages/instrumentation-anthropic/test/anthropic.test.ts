/**
 * @anthropic-ai/sdk 1.x, real SDK against a loopback Anthropic API.
 *
 * Prices used below (genai-prices catalogue, `claude-haiku-4-5`): input $1,
 * output $5, cache read $0.10, cache write (5 min) $1.25, cache write (1 h) $2
 * per million tokens — i.e. 1,000 / 5,000 / 100 / 1,250 / 2,000 nano-USD per
 * token.
 */

import {
  ATTR_AICOST_COST_CACHE_READ,
  ATTR_AICOST_COST_CACHE_WRITE,
  ATTR_AICOST_COST_INPUT,
  ATTR_AICOST_COST_OUTPUT,
  ATTR_AICOST_COST_STATUS,
  ATTR_AICOST_COST_STATUS_REASON,
  ATTR_AICOST_COST_TOTAL,
  ATTR_AICOST_CUSTOMER,
  ATTR_AICOST_FEATURE,
  ATTR_AICOST_REQUEST_STREAM,
  ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_AICOST_USAGE_CACHE_CREATION_1H_INPUT_TOKENS,
  ATTR_AICOST_USAGE_CACHE_CREATION_5M_INPUT_TOKENS,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  withAttribution,
} from '@aicost/core';
import Anthropic, * as sdk from '@anthropic-ai/sdk';
import { jsonSchemaOutputFormat } from '@anthropic-ai/sdk/helpers/json-schema';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  outcomeOf,
  requestThrowingOn,
  runWithUnreadableRequest,
} from '../../../test/support/hostile-request.js';
import {
  genAIMetricsSnapshot,
  settledSpan,
  useTestBed,
  withAndWithoutInstrumentation,
} from '../../../test/support/instrumentation.js';
import { httpError, json, raw, sse } from '../../../test/support/mock-server.js';
import { expectErrorSpan } from '../../../test/support/span-assertions.js';
import { instrument, PACKAGE_NAME } from '../src/index.js';
import { fixture, genAISpans, messageFixture, settle, setUpInstrumentation, sseFixture } from './setup.js';

const MODEL = 'claude-haiku-4-5-20251001';
const REQUEST = {
  model: MODEL,
  max_tokens: 1024,
  temperature: 0.2,
  system: 'You are terse.',
  messages: [{ role: 'user' as const, content: 'Hello, Claude' }],
};
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Get the current weather in a given location',
  input_schema: {
    type: 'object' as const,
    properties: { location: { type: 'string' } },
    required: ['location'],
  },
};

const { bed, server } = useTestBed(() => setUpInstrumentation(sdk));
let client: Anthropic;

beforeAll(() => {
  client = new Anthropic({ apiKey: 'test-key', baseURL: server.url });
});

/** The one span a call must produce (fails on none, or on a second one). */
const oneSpan = () => settledSpan(bed.harness, PACKAGE_NAME, `chat ${MODEL}`);

/** Our spans only (the SDK's own spans, when it traces, are checked apart). */
function ourSpans() {
  return bed.harness.spans().filter((span) => span.instrumentationScope.name === PACKAGE_NAME);
}

describe('messages.create', () => {
  it('records one chat span with the ledger and the exact cost', async () => {
    server.on('POST', '/v1/messages', messageFixture('message-basic'));

    const message = await client.messages.create(REQUEST);

    expect(message.content).toEqual(fixture('message-basic').content);
    const span = await oneSpan();
    expect(span!.name).toBe(`chat ${MODEL}`);
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.attributes).toMatchObject({
      [ATTR_GEN_AI_PROVIDER_NAME]: 'anthropic',
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_REQUEST_MODEL]: MODEL,
      [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 1024,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.2,
      [ATTR_SERVER_ADDRESS]: '127.0.0.1',
      [ATTR_SERVER_PORT]: server.port,
      [ATTR_AICOST_REQUEST_STREAM]: false,
      [ATTR_GEN_AI_RESPONSE_MODEL]: MODEL,
      [ATTR_GEN_AI_RESPONSE_ID]: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['end_turn'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 2095,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 503,
      [ATTR_AICOST_COST_STATUS]: 'priced',
      // 2095 × 1,000 + 503 × 5,000 nano-USD
      [ATTR_AICOST_COST_TOTAL]: '0.004610000',
    });
    expect(span!.status.code).not.toBe(SpanStatusCode.ERROR);
    // Content is opt-in.
    for (const key of [
      ATTR_GEN_AI_INPUT_MESSAGES,
      ATTR_GEN_AI_OUTPUT_MESSAGES,
      ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
    ]) {
      expect(span!.attributes[key]).toBeUndefined();
    }
  });

  it('records tool use as the finish reason, with the tool call content only when opted in', async () => {
    server.on('POST', '/v1/messages', messageFixture('message-tool-use'));
    bed.instrumentation.setConfig({ captureMessageContent: true });

    const message = await client.messages.create({ ...REQUEST, tools: [WEATHER_TOOL] });

    expect(message.stop_reason).toBe('tool_use');
    const span = await oneSpan();
    expect(span!.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual(['tool_use']);
    // 384 × 1,000 + 68 × 5,000
    expect(span!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000724000');
    expect(JSON.parse(String(span!.attributes[ATTR_GEN_AI_INPUT_MESSAGES]))).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Hello, Claude' }] },
    ]);
    expect(JSON.parse(String(span!.attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS]))).toEqual([
      { type: 'text', content: 'You are terse.' },
    ]);
    expect(JSON.parse(String(span!.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]))).toEqual([
      {
        role: 'assistant',
        finish_reason: 'tool_call',
        parts: [
          { type: 'text', content: "I'll check the current weather in San Francisco for you." },
          {
            type: 'tool_call',
            id: 'toolu_01A09q90qw90lq917835lq9',
            name: 'get_weather',
            arguments: { location: 'San Francisco, CA', unit: 'celsius' },
          },
        ],
      },
    ]);
  });

  it('prices cache writes (5 min and 1 h) and cache reads without counting them twice', async () => {
    server.on('POST', '/v1/messages', messageFixture('message-cache-write-read'));

    await client.messages.create(REQUEST);

    const span = await oneSpan();
    expect(span!.attributes).toMatchObject({
      // Anthropic's input_tokens (50) excludes the cache: the semconv input is 50 + 8,000 + 1,500.
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 9550,
      [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 8000,
      [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 1500,
      [ATTR_AICOST_USAGE_CACHE_CREATION_5M_INPUT_TOKENS]: 1000,
      [ATTR_AICOST_USAGE_CACHE_CREATION_1H_INPUT_TOKENS]: 500,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 120,
      // 50 × 1,000
      [ATTR_AICOST_COST_INPUT]: '0.000050000',
      // 8,000 × 100
      [ATTR_AICOST_COST_CACHE_READ]: '0.000800000',
      // 1,000 × 1,250 + 500 × 2,000
      [ATTR_AICOST_COST_CACHE_WRITE]: '0.002250000',
      // 120 × 5,000
      [ATTR_AICOST_COST_OUTPUT]: '0.000600000',
      [ATTR_AICOST_COST_TOTAL]: '0.003700000',
    });
  });

  it('retries a 429 inside one span and prices the response that finally came', async () => {
    server.on(
      'POST',
      '/v1/messages',
      httpError(429, fixture('error-rate-limit')),
      messageFixture('message-basic'),
    );

    await client.messages.create(REQUEST);

    expect(server.requests).toHaveLength(2);
    const spans = [await oneSpan()];
    expect(spans[0]!.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    expect(spans[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.004610000');
  });

  it('ends one span with error.type after the retries give up, and rethrows the SDK error unchanged', async () => {
    server.on('POST', '/v1/messages', httpError(500, fixture('error-api')));

    const error = await client.messages.create(REQUEST).catch((e: unknown) => e);

    expect(server.requests).toHaveLength(3); // maxRetries 2
    expect(error).toBeInstanceOf(sdk.InternalServerError);
    expect((error as sdk.APIError).status).toBe(500);
    expect((error as sdk.APIError).error).toEqual(fixture('error-api'));
    const spans = [await oneSpan()];
    expect(spans[0]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans[0]!.attributes[ATTR_ERROR_TYPE]).toBe('InternalServerError');
    expect(spans[0]!.attributes[ATTR_AICOST_COST_STATUS]).toBe('unpriced');
    expect(spans[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBeUndefined();
  });

  it('withResponse() gives the data and the response, and ends the span once', async () => {
    server.on('POST', '/v1/messages', messageFixture('message-basic'));

    const promise = client.messages.create(REQUEST);
    const { data, response, request_id } = await promise.withResponse();
    const again = await promise; // a second observer of the same call

    expect(data).toEqual(fixture('message-basic'));
    expect(again).toBe(data);
    expect(request_id).toBe('req_message-basic');
    expect(response.status).toBe(200);
    const spans = [await oneSpan()];
    expect(spans[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.004610000');
  });

  it('asResponse() leaves the body unread for the application and still prices the call', async () => {
    server.on('POST', '/v1/messages', messageFixture('message-basic'));

    const response = await client.messages.create(REQUEST).asResponse();

    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual(fixture('message-basic'));
    const spans = [await oneSpan()];
    expect(spans[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.004610000');
  });

  it('a Message the application asks for is read once, by the SDK: the response is cloned only when nobody asks', async () => {
    // The clone (a tee of the body stream and a second JSON parse) is what prices
    // fire-and-forget and asResponse() calls; on the common path it would be pure overhead.
    server.on('POST', '/v1/messages', messageFixture('message-basic'));
    const clone = vi.spyOn(Response.prototype, 'clone');
    try {
      await client.messages.create(REQUEST);
      await client.messages.create(REQUEST).then((message) => message.id);
      await client.messages.create(REQUEST).withResponse();
      await settle(bed.harness, 3);
      expect(clone).not.toHaveBeenCalled();

      void client.messages.create(REQUEST); // never awaited
      await settle(bed.harness, 4);
      expect(clone).toHaveBeenCalledTimes(1);
    } finally {
      clone.mockRestore();
    }
    const spans = ourSpans();
    expect(spans).toHaveLength(4);
    for (const span of spans) expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.004610000');
  });

  it('records invalid JSON as an error, with asResponse() and with await', async () => {
    const broken = '{"id": "msg_01", "type": "mess';
    server.on('POST', '/v1/messages', raw(broken));

    const response = await client.messages.create(REQUEST).asResponse();
    expect(await response.text()).toBe(broken);
    await expect(client.messages.create(REQUEST)).rejects.toThrow(SyntaxError);

    const spans = await settle(bed.harness, 2);
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expectErrorSpan(span, 'SyntaxError');
    }
  });

  it('messages.parse() (structured output) parses once, for the application, and is priced', async () => {
    const answer = {
      ...fixture<Record<string, unknown>>('message-basic'),
      content: [{ type: 'text', text: '{"answer":4}' }],
    };
    server.on('POST', '/v1/messages', json(answer));

    const parsed = await client.messages.parse({
      ...REQUEST,
      output_config: {
        format: jsonSchemaOutputFormat({
          type: 'object',
          properties: { answer: { type: 'number' } },
          required: ['answer'],
          additionalProperties: false,
        }),
      },
    });

    expect(parsed.parsed_output).toEqual({ answer: 4 });
    const span = await oneSpan();
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.004610000');
  });

  it('finalizes a request nobody awaits', async () => {
    server.on('POST', '/v1/messages', messageFixture('message-basic'));

    void client.messages.create(REQUEST);

    const spans = [await oneSpan()];
    expect(spans[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.004610000');
  });

  it('instruments beta.messages.create too', async () => {
    server.on('POST', '/v1/messages', messageFixture('message-basic'));

    await client.beta.messages.create({ ...REQUEST, betas: ['token-efficient-tools-2025-02-19'] });

    const spans = [await oneSpan()];
    expect(spans[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.004610000');
  });

  it('instrument() on an already patched module does not double the spans', async () => {
    const second = instrument(sdk);
    server.on('POST', '/v1/messages', messageFixture('message-basic'));

    await client.messages.create(REQUEST);

    await oneSpan();
    second.disable();
  });

  it('is a child of the active span', async () => {
    server.on('POST', '/v1/messages', messageFixture('message-basic'));
    const parent = bed.harness.tracerProvider.getTracer('test').startSpan('handle request');

    await context.with(trace.setSpan(context.active(), parent), () => client.messages.create(REQUEST));
    parent.end();

    const spans = await settle(bed.harness, 2);
    const call = spans.find((s) => s.name === `chat ${MODEL}`)!;
    expect(call.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(call.spanContext().traceId).toBe(parent.spanContext().traceId);
  });
});

describe('attribution and provider', () => {
  it('carries the feature and customer of the calling context, for plain and streamed calls', async () => {
    server.on('POST', '/v1/messages', messageFixture('message-basic'));
    await withAttribution({ feature: 'support-answers', customer: 'acme' }, () =>
      client.messages.create(REQUEST),
    );
    server.on('POST', '/v1/messages', sseFixture('stream-basic'));
    const stream = withAttribution({ feature: 'drafts', customer: 'globex' }, () =>
      client.messages.stream(REQUEST),
    );
    await stream.finalMessage(); // read outside the attribution scope: the call's context counts

    const spans = await settle(bed.harness, 2);
    const attribution = spans.map((s) => [
      s.attributes[ATTR_AICOST_FEATURE],
      s.attributes[ATTR_AICOST_CUSTOMER],
    ]);
    expect(attribution).toEqual([
      ['support-answers', 'acme'],
      ['drafts', 'globex'],
    ]);
  });

  it('names the platform a client declares (Bedrock and Vertex clients set _genAIProviderName)', async () => {
    class PlatformClient extends Anthropic {
      _genAIProviderName = 'aws.bedrock'; // @internal in the SDK's types
    }
    server.on('POST', '/v1/messages', messageFixture('message-basic'));

    await new PlatformClient({ apiKey: 'test-key', baseURL: server.url }).messages.create(REQUEST);

    const span = await oneSpan();
    expect(span.attributes[ATTR_GEN_AI_PROVIDER_NAME]).toBe('aws.bedrock');
  });
});

describe('streamed messages', () => {
  it('create({ stream: true }): usage from message_start and message_delta, time to first chunk', async () => {
    server.on('POST', '/v1/messages', sseFixture('stream-basic', { splitBytes: 37 }));

    const stream = await client.messages.create({ ...REQUEST, stream: true });
    expect(ourSpans()).toHaveLength(0); // still streaming
    const events = [];
    for await (const event of stream) events.push(event);

    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const span = await oneSpan();
    expect(span!.attributes).toMatchObject({
      [ATTR_AICOST_REQUEST_STREAM]: true,
      [ATTR_GEN_AI_RESPONSE_ID]: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY',
      [ATTR_GEN_AI_RESPONSE_MODEL]: MODEL,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['end_turn'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 25,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 15, // message_delta's count replaces message_start's placeholder
      // 25 × 1,000 + 15 × 5,000
      [ATTR_AICOST_COST_TOTAL]: '0.000100000',
    });
    const ttfc = span!.attributes[ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK] as number;
    expect(ttfc).toBeGreaterThan(0);
    const durationSeconds = span!.duration[0] + span!.duration[1] / 1e9;
    expect(ttfc).toBeLessThanOrEqual(durationSeconds);
  });

  it('messages.stream(): text events, finalMessage() and one span', async () => {
    server.on('POST', '/v1/messages', sseFixture('stream-basic', { splitBytes: 50 }));

    const stream = client.messages.stream(REQUEST);
    const texts: string[] = [];
    stream.on('text', (delta) => texts.push(delta));
    const final = await stream.finalMessage();

    expect(texts).toEqual(['Hello', '!']);
    expect(final.content).toHaveLength(1);
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Hello!' });
    expect(final.usage.output_tokens).toBe(15);
    const spans = [await oneSpan()];
    expect(spans[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000100000');
    expect(spans[0]!.attributes[ATTR_AICOST_REQUEST_STREAM]).toBe(true);
  });

  it('streamed tool use: input_json_delta content when opted in, tool_use finish reason', async () => {
    server.on('POST', '/v1/messages', sseFixture('stream-tool-use'));
    bed.instrumentation.setConfig({ captureMessageContent: true });

    const final = await client.messages.stream({ ...REQUEST, tools: [WEATHER_TOOL] }).finalMessage();

    expect(final.stop_reason).toBe('tool_use');
    const span = await oneSpan();
    expect(span!.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual(['tool_use']);
    // 472 × 1,000 + 89 × 5,000
    expect(span!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000917000');
    const output = JSON.parse(String(span!.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]));
    expect(output[0].parts).toEqual([
      { type: 'text', content: "Okay, let's check the weather for San Francisco, CA:" },
      {
        type: 'tool_call',
        id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        name: 'get_weather',
        arguments: { location: 'San Francisco, CA', unit: 'fahrenheit' },
      },
    ]);
  });

  it('streamed cache write and read: priced to the nano-dollar, no double count', async () => {
    server.on('POST', '/v1/messages', sseFixture('stream-cache-write-read'));

    const stream = await client.messages.create({ ...REQUEST, stream: true });
    for await (const _ of stream) {
      // drain
    }

    const span = await oneSpan();
    expect(span!.attributes).toMatchObject({
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 9550,
      [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 8000,
      [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 1500,
      [ATTR_AICOST_USAGE_CACHE_CREATION_5M_INPUT_TOKENS]: 1000,
      [ATTR_AICOST_USAGE_CACHE_CREATION_1H_INPUT_TOKENS]: 500,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 120,
      [ATTR_AICOST_COST_TOTAL]: '0.003700000',
    });
  });

  it('controller.abort() mid-stream ends the span once, as an abort, with the usage seen so far', async () => {
    server.on('POST', '/v1/messages', sseFixture('stream-basic', { hangAfter: 4 }));

    const stream = await client.messages.create({ ...REQUEST, stream: true });
    const seen: string[] = [];
    for await (const event of stream) {
      seen.push(event.type);
      if (event.type === 'content_block_delta') stream.controller.abort();
    }

    expect(seen).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    const spans = [await oneSpan()];
    expect(spans[0]!.attributes[ATTR_ERROR_TYPE]).toBe('APIUserAbortError');
    expect(spans[0]!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(25);
    // message_start's 25 in, 1 out (25 × 1,000 + 1 × 5,000 nano-USD): a lower bound, not the bill.
    expect(spans[0]!.attributes[ATTR_AICOST_COST_STATUS]).toBe('estimated');
    expect(spans[0]!.attributes[ATTR_AICOST_COST_STATUS_REASON]).toBe('partial_stream');
    expect(spans[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000030000');
  });

  it('MessageStream.abort() ends the span once', async () => {
    server.on('POST', '/v1/messages', sseFixture('stream-basic', { hangAfter: 4 }));

    const stream = client.messages.stream(REQUEST);
    stream.on('text', () => stream.abort());
    const error = await stream.done().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(sdk.APIUserAbortError);
    const spans = [await oneSpan()];
    expect(spans[0]!.attributes[ATTR_ERROR_TYPE]).toBe('APIUserAbortError');
    expect(spans[0]!.attributes[ATTR_AICOST_COST_STATUS]).toBe('estimated');
    expect(spans[0]!.attributes[ATTR_AICOST_COST_STATUS_REASON]).toBe('partial_stream');
  });

  it('breaking out of the loop ends the span once, without an error', async () => {
    server.on('POST', '/v1/messages', sseFixture('stream-basic'));

    const stream = await client.messages.create({ ...REQUEST, stream: true });
    for await (const event of stream) {
      if (event.type === 'content_block_start') break;
    }

    const spans = [await oneSpan()];
    expect(spans[0]!.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    expect(spans[0]!.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(spans[0]!.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(25);
    // message_start's 25 in, 1 out: a lower bound (25 × 1,000 + 1 × 5,000 nano-USD), not `priced`.
    expect(spans[0]!.attributes[ATTR_AICOST_COST_STATUS]).toBe('estimated');
    expect(spans[0]!.attributes[ATTR_AICOST_COST_STATUS_REASON]).toBe('partial_stream');
    expect(spans[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000030000');
  });

  it('a stream that breaks off is an error, rethrown unchanged', async () => {
    server.on('POST', '/v1/messages', sseFixture('stream-basic', { destroyAfter: 3 }));

    const stream = await client.messages.create({ ...REQUEST, stream: true });
    const error = await (async () => {
      for await (const _ of stream) {
        // drain
      }
    })().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    const spans = [await oneSpan()];
    expect(spans[0]!.status.code).toBe(SpanStatusCode.ERROR);
    // Named after the error the application got, not taken for an abort (the SDK aborts its controller too).
    expect(spans[0]!.attributes[ATTR_ERROR_TYPE]).toBe((error as Error).constructor.name);
    expect(spans[0]!.attributes[ATTR_ERROR_TYPE]).not.toBe('APIUserAbortError');
    expect(spans[0]!.attributes[ATTR_AICOST_COST_STATUS]).toBe('estimated');
    expect(spans[0]!.attributes[ATTR_AICOST_COST_STATUS_REASON]).toBe('partial_stream');
    expect(spans[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000030000');
  });

  it('an error event mid-stream (overloaded) fails the span with the error the application gets', async () => {
    server.on('POST', '/v1/messages', sseFixture('stream-overloaded-error'));

    const stream = await client.messages.create({ ...REQUEST, stream: true });
    const error = await (async () => {
      for await (const _ of stream) {
        // drain
      }
    })().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(sdk.APIError);
    expect((error as sdk.APIError).type).toBe('overloaded_error');
    const span = await oneSpan();
    expectErrorSpan(span, (error as Error).constructor.name);
    // Input tokens were billed before the failure: recorded from message_start, a lower bound.
    expect(span.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(25);
    expect(span.attributes[ATTR_AICOST_COST_STATUS]).toBe('estimated');
    expect(span.attributes[ATTR_AICOST_COST_STATUS_REASON]).toBe('partial_stream');
  });

  it('tolerates events it does not know and usage it does not expect', async () => {
    const { events } = fixture<{ events: Array<{ event: string; data: any }> }>('stream-basic');
    events.splice(2, 0, {
      event: 'future_event',
      data: { type: 'future_event', detail: { nested: [1, 2] } },
    });
    events.find((e) => e.event === 'message_delta')!.data.usage.cache_read_input_tokens = null; // "not applicable"
    server.on('POST', '/v1/messages', sse(events));

    const seen = [];
    for await (const event of await client.messages.create({ ...REQUEST, stream: true }))
      seen.push(event.type);

    expect(seen).toContain('future_event');
    const span = await oneSpan();
    expect(span.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(25);
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000100000');
  });

  it('tee() and a second iteration behave as without instrumentation', async () => {
    server.on('POST', '/v1/messages', sseFixture('stream-basic'));

    const stream = await client.messages.create({ ...REQUEST, stream: true });
    const [left, right] = stream.tee();
    const leftTypes = [];
    for await (const e of left) leftTypes.push(e.type);
    const rightTypes = [];
    for await (const e of right) rightTypes.push(e.type);
    const second = await (async () => {
      for await (const _ of stream) {
        // already consumed
      }
    })().catch((e: unknown) => e);

    expect(leftTypes).toEqual(rightTypes);
    expect(leftTypes).toHaveLength(7);
    expect(String(second)).toMatch(/consumed/);
    const spans = [await oneSpan()];
    expect(spans[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000100000');
  });

  it('asResponse() on a stream leaves the events to the application; the call is unpriced (no usage seen)', async () => {
    server.on('POST', '/v1/messages', sseFixture('stream-basic'));

    const response = await client.messages.create({ ...REQUEST, stream: true }).asResponse();
    const text = await response.text();

    expect(text).toContain('event: message_start');
    const spans = [await oneSpan()];
    expect(spans[0]!.attributes[ATTR_AICOST_COST_STATUS]).toBe('unpriced');
    expect(spans[0]!.attributes[ATTR_AICOST_COST_STATUS_REASON]).toBe('missing_usage');
    expect(spans[0]!.attributes[ATTR_AICOST_COST_TOTAL]).toBeUndefined();
  });

  it('beta.messages.stream() gives one span', async () => {
    server.on('POST', '/v1/messages', sseFixture('stream-basic'));

    await client.beta.messages.stream(REQUEST).finalMessage();

    const span = await oneSpan();
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000100000');
  });
});

describe("the SDK's own tracing", () => {
  const scenarios = {
    'create()': (c: Anthropic) => c.messages.create(REQUEST),
    'create({ stream: true })': async (c: Anthropic) => {
      for await (const _ of await c.messages.create({ ...REQUEST, stream: true })) {
        // drain
      }
    },
    'stream()': (c: Anthropic) => c.messages.stream(REQUEST).finalMessage(),
  };
  const respond = (name: string) =>
    name === 'create()' ? messageFixture('message-cache-write-read') : sseFixture('stream-cache-write-read');

  it('really traces when a tracer provider is registered (so the tests below can fail)', async () => {
    bed.instrumentation.disable();
    server.on('POST', '/v1/messages', messageFixture('message-cache-write-read'));

    await client.messages.create(REQUEST);

    const spans = genAISpans(await settle(bed.harness, 1));
    expect(spans.map((s) => s.name)).toEqual(['anthropic.messages.create']);
    expect(spans[0]!.instrumentationScope.name).toBe('com.anthropic.sdk.typescript');
  });

  for (const [sdkTracing, openTelemetry] of [
    ['on', { traces: true }],
    ['off', false],
  ] as const) {
    for (const [name, run] of Object.entries(scenarios)) {
      it(`SDK tracing ${sdkTracing}, ${name}: exactly one GenAI span, ours, with the right tokens and cost`, async () => {
        const traced = new Anthropic({ apiKey: 'test-key', baseURL: server.url, openTelemetry });
        server.on('POST', '/v1/messages', respond(name));

        await run(traced);

        const spans = genAISpans(await settle(bed.harness, 1));
        expect(spans).toHaveLength(1);
        expect(spans[0]!.instrumentationScope.name).toBe(PACKAGE_NAME);
        expect(spans[0]!.attributes).toMatchObject({
          [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 9550,
          [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 8000,
          [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 120,
          [ATTR_AICOST_COST_TOTAL]: '0.003700000',
        });
        // The SDK's trace-context propagation is unchanged: on, it now carries our span; off, nothing.
        const traceparent = server.requests[0]!.headers.traceparent;
        if (sdkTracing === 'on') {
          const { traceId, spanId } = spans[0]!.spanContext();
          expect(traceparent).toBe(`00-${traceId}-${spanId}-01`);
        } else {
          expect(traceparent).toBeUndefined();
        }
      });
    }
  }

  it('messages.countTokens() is free: no span of ours (the SDK span, if any, carries no operation or usage)', async () => {
    server.on('POST', '/v1/messages/count_tokens', json(fixture('count-tokens')));

    const counted = await client.messages.countTokens({ model: MODEL, messages: REQUEST.messages });

    expect(counted.input_tokens).toBe(2095);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ourSpans()).toHaveLength(0);
    for (const span of bed.harness.spans()) {
      expect(span.attributes[ATTR_GEN_AI_OPERATION_NAME]).toBeUndefined();
      expect(span.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBeUndefined();
    }
  });
});

describe('behaviour with and without instrumentation', () => {
  /** Runs `scenario` with the instrumentation on, then off, against the same responses. */
  function both<T>(respond: () => void, scenario: () => Promise<T>): Promise<[T, T]> {
    return withAndWithoutInstrumentation(bed.instrumentation, server, respond, scenario);
  }

  it('same Message, request id and request body', async () => {
    const [a, b] = await both(
      () => server.on('POST', '/v1/messages', messageFixture('message-basic')),
      async () => {
        const message = await client.messages.create(REQUEST);
        return { message, requestId: message._request_id, body: server.requests.at(-1)!.body };
      },
    );
    expect(a).toEqual(b);
    expect(a.requestId).toBe('req_message-basic');
  });

  it('same stream events', async () => {
    const [a, b] = await both(
      () => server.on('POST', '/v1/messages', sseFixture('stream-tool-use', { splitBytes: 23 })),
      async () => {
        const events = [];
        for await (const event of await client.messages.create({ ...REQUEST, stream: true }))
          events.push(event);
        return events;
      },
    );
    expect(a).toEqual(b);
  });

  it('same MessageStream events and final message', async () => {
    const [a, b] = await both(
      () => server.on('POST', '/v1/messages', sseFixture('stream-tool-use')),
      async () => {
        const stream = client.messages.stream({ ...REQUEST, tools: [WEATHER_TOOL] });
        const seen: unknown[] = [];
        stream.on('text', (delta, snapshot) => seen.push(['text', delta, snapshot]));
        stream.on('inputJson', (delta, snapshot) => seen.push(['inputJson', delta, snapshot]));
        stream.on('contentBlock', (block) => seen.push(['contentBlock', block]));
        const final = await stream.finalMessage();
        return { seen, final, requestId: stream.request_id };
      },
    );
    expect(a).toEqual(b);
  });

  it('same error', async () => {
    const [a, b] = await both(
      () => server.on('POST', '/v1/messages', httpError(429, fixture('error-rate-limit'))),
      async () => {
        const error = (await client.messages
          .create(REQUEST, { maxRetries: 0 })
          .catch((e: unknown) => e)) as sdk.APIError;
        return {
          type: error.constructor.name,
          status: error.status,
          message: error.message,
          body: error.error,
        };
      },
    );
    expect(a).toEqual(b);
    expect(a.type).toBe('RateLimitError');
  });
});

describe('metrics', () => {
  function snapshot() {
    return genAIMetricsSnapshot(bed.harness, MODEL);
  }

  it('records token usage, duration, time to first chunk and cost', async () => {
    const before = await snapshot();
    server.on('POST', '/v1/messages', messageFixture('message-basic'));
    await client.messages.create(REQUEST);
    server.on('POST', '/v1/messages', sseFixture('stream-basic'));
    await client.messages.stream(REQUEST).finalMessage();
    await settle(bed.harness, 2);
    const after = await snapshot();

    expect(after.input.sum - before.input.sum).toBe(2095 + 25);
    expect(after.output.sum - before.output.sum).toBe(503 + 15);
    expect(after.duration.count - before.duration.count).toBe(2);
    expect(after.ttfc.count - before.ttfc.count).toBe(1); // the streamed call only
    // (2095 + 25) × 1,000 + (503 + 15) × 5,000 nano-USD = 0.00471 USD
    expect(after.cost.sum - before.cost.sum).toBeCloseTo(0.00471, 9);
  });
});

describe('a request aicost cannot read', () => {
  it('gets what the bare SDK gives, with no span left open and one warning', async () => {
    // `temperature` is read by aicost to describe the call; the SDK sends own properties only.
    const request = requestThrowingOn(
      { model: MODEL, max_tokens: 1024, messages: REQUEST.messages },
      'temperature',
    );
    const { instrumented, bare, openSpans, warnings } = await runWithUnreadableRequest(
      bed,
      server,
      () => server.on('POST', '/v1/messages', messageFixture('message-basic')),
      () => outcomeOf(() => client.messages.create(request)),
    );
    expect(instrumented).toEqual(bare);
    expect(openSpans).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('reading a request failed')]);
  });
});
