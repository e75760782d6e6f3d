/**
 * Converse and ConverseStream, with the real @aws-sdk/client-bedrock-runtime
 * against a loopback Bedrock runtime API (streams as real event-stream frames).
 *
 * Prices used below (genai-prices catalogue, provider `aws`, per million tokens):
 * - `anthropic.claude-3-haiku-20240307-v1:0`: input $0.25, output $1.25
 *   (250 / 1,250 nano-USD per token);
 * - `us.anthropic.claude-haiku-4-5-20251001-v1:0` (regional profile): input $1.10,
 *   cache write $1.375, cache read $0.11, output $5.50 (1,100 / 1,375 / 110 / 5,500);
 * - `global.anthropic.claude-haiku-4-5-20251001-v1:0` (global profile): input $1,
 *   cache write $1.25, cache read $0.10, output $5 (1,000 / 1,250 / 100 / 5,000);
 * - `us.anthropic.claude-3-7-sonnet-20250219-v1:0`: input $3, cache write $3.75,
 *   cache read $0.30, output $15 (3,000 / 3,750 / 300 / 15,000).
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
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
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
import * as bedrock from '@aws-sdk/client-bedrock-runtime';
import {
  type BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  ConverseStreamCommand,
  CountTokensCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settledSpan, useTestBed } from '../../../test/support/instrumentation.js';
import { eventStream } from '../../../test/support/mock-server.js';
import {
  expectErrorSpan,
  expectUnpriced,
  inputMessages,
  outputMessages,
} from '../../../test/support/span-assertions.js';
import { PACKAGE_NAME } from '../src/index.js';
import {
  awsError,
  awsJson,
  bedrockClient,
  CREDENTIALS,
  converseStreamFixture,
  fixture,
  ROUTES,
  settle,
  setUpInstrumentation,
} from './setup.js';

const HAIKU_3 = 'anthropic.claude-3-haiku-20240307-v1:0';
const HAIKU_45_US = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const HAIKU_45_GLOBAL = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const SONNET_37_US = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';

function request(modelId: string): ConverseCommandInput {
  return {
    modelId,
    system: [{ text: 'You are terse.' }],
    messages: [{ role: 'user', content: [{ text: 'Hello there' }] }],
    inferenceConfig: { maxTokens: 512, temperature: 0.5, topP: 0.9, stopSequences: ['\n\nHuman:'] },
    additionalModelRequestFields: { top_k: 200 },
  };
}

const { bed, server } = useTestBed(() => setUpInstrumentation(bedrock));
let client: BedrockRuntimeClient;

beforeAll(() => {
  client = bedrockClient(server);
});

afterAll(() => client.destroy());

/** The one span a call must produce (fails on none, or on a second one). */
const oneSpan = (name: string) => settledSpan(bed.harness, PACKAGE_NAME, name);

describe('Converse', () => {
  it('records one chat span with request parameters, the ledger and the exact cost', async () => {
    server.on('POST', ROUTES.converse, awsJson(fixture('converse-basic')));

    const response = await client.send(new ConverseCommand(request(HAIKU_3)));

    expect(response.output).toEqual(fixture('converse-basic').output);
    expect(server.requests[0]!.path).toBe(`/model/${encodeURIComponent(HAIKU_3)}/converse`);
    const span = await oneSpan(`chat ${HAIKU_3}`);
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span.attributes[ATTR_AICOST_REQUEST_STREAM]).toBe(false);
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_PROVIDER_NAME]: 'aws.bedrock',
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_REQUEST_MODEL]: HAIKU_3,
      [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 512,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.5,
      [ATTR_GEN_AI_REQUEST_TOP_P]: 0.9,
      [ATTR_GEN_AI_REQUEST_TOP_K]: 200,
      [ATTR_GEN_AI_REQUEST_STOP_SEQUENCES]: ['\n\nHuman:'],
      [ATTR_SERVER_ADDRESS]: '127.0.0.1',
      [ATTR_SERVER_PORT]: server.port,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['end_turn'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 30,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 628,
      [ATTR_AICOST_COST_STATUS]: 'priced',
      // 30 × 250 + 628 × 1,250 nano-USD
      [ATTR_AICOST_COST_TOTAL]: '0.000792500',
    });
    // Content is opt-in.
    for (const key of [
      ATTR_GEN_AI_INPUT_MESSAGES,
      ATTR_GEN_AI_OUTPUT_MESSAGES,
      ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
    ]) {
      expect(span.attributes[key]).toBeUndefined();
    }
  });

  it('prices cache reads and writes to the nano-dollar; inputTokens excludes them, the semconv input includes them', async () => {
    server.on('POST', ROUTES.converse, awsJson(fixture('converse-cache-write-read')));

    await client.send(new ConverseCommand(request(HAIKU_45_US)));

    const span = await oneSpan(`chat ${HAIKU_45_US}`);
    expect(span.attributes).toMatchObject({
      // 50 uncached + 8,000 read + 1,500 written
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 9550,
      [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 8000,
      [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 1500,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 120,
      // 50 × 1,100
      [ATTR_AICOST_COST_INPUT]: '0.000055000',
      // 8,000 × 110
      [ATTR_AICOST_COST_CACHE_READ]: '0.000880000',
      // 1,500 × 1,375
      [ATTR_AICOST_COST_CACHE_WRITE]: '0.002062500',
      // 120 × 5,500
      [ATTR_AICOST_COST_OUTPUT]: '0.000660000',
      [ATTR_AICOST_COST_TOTAL]: '0.003657500',
    });
  });

  it('prices by the inference profile the request named (global is cheaper than regional)', async () => {
    server.on('POST', ROUTES.converse, awsJson(fixture('converse-cache-write-read')));

    await client.send(new ConverseCommand(request(HAIKU_45_GLOBAL)));

    const span = await oneSpan(`chat ${HAIKU_45_GLOBAL}`);
    // 50 × 1,000 + 8,000 × 100 + 1,500 × 1,250 + 120 × 5,000
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.003325000');
  });

  it('an ARN is priced by the model it names, recorded as the response model', async () => {
    const arn = `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU_3}`;
    server.on('POST', ROUTES.converse, awsJson(fixture('converse-basic')));

    await client.send(new ConverseCommand(request(arn)));

    const span = await oneSpan(`chat ${arn}`);
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_REQUEST_MODEL]: arn,
      [ATTR_GEN_AI_RESPONSE_MODEL]: HAIKU_3,
      [ATTR_AICOST_COST_TOTAL]: '0.000792500',
    });
  });

  it('an application inference profile (opaque id) is unpriced, never $0', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6';
    server.on('POST', ROUTES.converse, awsJson(fixture('converse-basic')));

    await client.send(new ConverseCommand(request(arn)));

    const span = await oneSpan(`chat ${arn}`);
    expect(span.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(30);
    expectUnpriced(span, 'unknown_model');
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBeUndefined();
  });

  it('records tool use and, only when opted in, the content in the semconv shape', async () => {
    server.on('POST', ROUTES.converse, awsJson(fixture('converse-tool-use')));
    bed.instrumentation.setConfig({ captureMessageContent: true });

    const response = await client.send(new ConverseCommand(request(HAIKU_3)));

    expect(response.stopReason).toBe('tool_use');
    const span = await oneSpan(`chat ${HAIKU_3}`);
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual(['tool_use']);
    // 375 × 250 + 56 × 1,250
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000163750');
    expect(inputMessages(span)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Hello there' }] },
    ]);
    expect(JSON.parse(String(span.attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS]))).toEqual([
      { type: 'text', content: 'You are terse.' },
    ]);
    expect(outputMessages(span)).toEqual([
      {
        role: 'assistant',
        finish_reason: 'tool_call',
        parts: [
          { type: 'text', content: "I'll look up the top song on WZPZ." },
          {
            type: 'tool_call',
            id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
            name: 'top_song',
            arguments: { sign: 'WZPZ' },
          },
        ],
      },
    ]);
  });

  it('works through the aggregated client (bedrock.converse()) and the callback form of send()', async () => {
    server.on('POST', ROUTES.converse, awsJson(fixture('converse-basic')));
    const aggregated = new bedrock.BedrockRuntime({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: CREDENTIALS,
      requestHandler: new NodeHttpHandler(),
    });

    const viaMethod = await aggregated.converse(request(HAIKU_3));
    const viaCallback = await new Promise((resolve, reject) =>
      client.send(new ConverseCommand(request(HAIKU_3)), (error: unknown, output: unknown) =>
        error ? reject(error) : resolve(output),
      ),
    );

    expect(viaMethod.output).toEqual(fixture('converse-basic').output);
    expect((viaCallback as typeof viaMethod).output).toEqual(fixture('converse-basic').output);
    const spans = await settle(bed.harness, 2);
    expect(spans.map((s) => s.attributes[ATTR_AICOST_COST_TOTAL])).toEqual(['0.000792500', '0.000792500']);
    aggregated.destroy();
  });

  it('leaves commands that run no model alone (CountTokens is free)', async () => {
    server.on('POST', /\/count-tokens$/, awsJson({ inputTokens: 12 }));

    const counted = await client.send(
      new CountTokensCommand({
        modelId: HAIKU_3,
        input: { converse: { messages: [{ role: 'user', content: [{ text: 'Hello there' }] }] } },
      }),
    );

    expect(counted.inputTokens).toBe(12);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(bed.harness.spans()).toHaveLength(0);
  });

  it('is a child of the active span and carries the attribution of the calling context', async () => {
    server.on('POST', ROUTES.converse, awsJson(fixture('converse-basic')));
    const parent = bed.harness.tracerProvider.getTracer('test').startSpan('handle request');

    await context.with(trace.setSpan(context.active(), parent), () =>
      withAttribution({ feature: 'support-answers', customer: 'acme' }, () =>
        client.send(new ConverseCommand(request(HAIKU_3))),
      ),
    );
    parent.end();

    const spans = await settle(bed.harness, 2);
    const call = spans.find((s) => s.name === `chat ${HAIKU_3}`)!;
    expect(call.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(call.attributes[ATTR_AICOST_FEATURE]).toBe('support-answers');
    expect(call.attributes[ATTR_AICOST_CUSTOMER]).toBe('acme');
  });

  it('no span while disabled', async () => {
    server.on('POST', ROUTES.converse, awsJson(fixture('converse-basic')));
    bed.instrumentation.disable();

    await client.send(new ConverseCommand(request(HAIKU_3)));

    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(bed.harness.spans()).toHaveLength(0);
  });
});

describe('server address', () => {
  /** An HTTP/1.1 handler that sends every request to the mock server, whatever host the SDK resolved. */
  class LoopbackHandler extends NodeHttpHandler {
    override handle(request: any, options?: any) {
      request.hostname = '127.0.0.1';
      request.port = server.port;
      request.protocol = 'http:';
      return super.handle(request, options);
    }
  }

  it('is the regional Bedrock runtime host when only a region is configured', async () => {
    server.on('POST', ROUTES.converse, awsJson(fixture('converse-basic')));
    const regional = new bedrock.BedrockRuntimeClient({
      region: 'eu-west-1',
      credentials: CREDENTIALS,
      requestHandler: new LoopbackHandler(),
    });

    await regional.send(new ConverseCommand(request(HAIKU_3)));

    const span = await oneSpan(`chat ${HAIKU_3}`);
    expect(span.attributes[ATTR_SERVER_ADDRESS]).toBe('bedrock-runtime.eu-west-1.amazonaws.com');
    expect(span.attributes[ATTR_SERVER_PORT]).toBe(443);
    expect(server.requests[0]!.headers.host).toBe('bedrock-runtime.eu-west-1.amazonaws.com');
    regional.destroy();
  });

  it('comes from the request the SDK built when the region is a provider function', async () => {
    server.on('POST', ROUTES.converse, awsJson(fixture('converse-basic')));
    const regional = new bedrock.BedrockRuntimeClient({
      region: async () => 'ap-northeast-1',
      credentials: CREDENTIALS,
      requestHandler: new LoopbackHandler(),
    });

    await regional.send(new ConverseCommand(request(HAIKU_3)));

    const span = await oneSpan(`chat ${HAIKU_3}`);
    expect(span.attributes[ATTR_SERVER_ADDRESS]).toBe('bedrock-runtime.ap-northeast-1.amazonaws.com');
    expect(span.attributes[ATTR_SERVER_PORT]).toBe(443);
    regional.destroy();
  });
});

describe('errors and retries', () => {
  it('retries a 429 ThrottlingException inside one span and prices the response that finally came', async () => {
    server.on(
      'POST',
      ROUTES.converse,
      awsError(429, 'ThrottlingException', fixture('error-throttling')),
      awsJson(fixture('converse-basic')),
    );

    const response = await client.send(new ConverseCommand(request(HAIKU_3)));

    expect(response.$metadata.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
    const span = await oneSpan(`chat ${HAIKU_3}`);
    expect(span.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000792500');
  });

  it('throttled until the SDK gives up: one span with error.type, the SDK error rethrown unchanged', async () => {
    server.on('POST', ROUTES.converse, awsError(429, 'ThrottlingException', fixture('error-throttling')));
    const twoAttempts = bedrockClient(server, { maxAttempts: 2 });

    const error = (await twoAttempts
      .send(new ConverseCommand(request(HAIKU_3)))
      .catch((e: unknown) => e)) as bedrock.ThrottlingException;

    expect(error).toBeInstanceOf(bedrock.ThrottlingException);
    expect(error.message).toBe(fixture('error-throttling').message);
    expect(error.$metadata.httpStatusCode).toBe(429);
    expect(error.$metadata.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
    const span = await oneSpan(`chat ${HAIKU_3}`);
    expectErrorSpan(span, 'ThrottlingException');
    // Converse streams report usage only in their final metadata event: none seen, never $0.
    expectUnpriced(span, 'missing_usage');
    expect(span.attributes[ATTR_AICOST_COST_STATUS_REASON]).toBe('missing_usage');
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBeUndefined();
    twoAttempts.destroy();
  });

  it('a 500 after the SDK retries: one span, InternalServerException, rethrown unchanged', async () => {
    server.on('POST', ROUTES.converse, awsError(500, 'InternalServerException', fixture('error-internal')));

    const error = (await client
      .send(new ConverseCommand(request(HAIKU_3)))
      .catch((e: unknown) => e)) as bedrock.InternalServerException;

    expect(error).toBeInstanceOf(bedrock.InternalServerException);
    expect(error.$metadata.attempts).toBe(3); // the SDK's default maxAttempts
    expect(server.requests).toHaveLength(3);
    const span = await oneSpan(`chat ${HAIKU_3}`);
    expectErrorSpan(span, 'InternalServerException');
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
  });
});

describe('ConverseStream', () => {
  it('usage and cache tokens from the metadata event, priced; time to first chunk; events unchanged', async () => {
    server.on(
      'POST',
      ROUTES.converseStream,
      converseStreamFixture('converse-stream-cache', { splitBytes: 29 }),
    );

    const response = await client.send(new ConverseStreamCommand(request(SONNET_37_US)));
    expect(bed.harness.spans()).toHaveLength(0); // still streaming
    const events: unknown[] = [];
    for await (const event of response.stream!) events.push(event);

    expect(events).toEqual(
      fixture<{ events: Array<{ eventType: string; payload: unknown }> }>('converse-stream-cache').events.map(
        (e) => ({
          [e.eventType]: e.payload,
        }),
      ),
    );
    const span = await oneSpan(`chat ${SONNET_37_US}`);
    expect(span.attributes).toMatchObject({
      [ATTR_AICOST_REQUEST_STREAM]: true,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['end_turn'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 3525, // 25 + 3,000 read + 500 written
      [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 3000,
      [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 500,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 85,
      // 25 × 3,000
      [ATTR_AICOST_COST_INPUT]: '0.000075000',
      // 3,000 × 300
      [ATTR_AICOST_COST_CACHE_READ]: '0.000900000',
      // 500 × 3,750
      [ATTR_AICOST_COST_CACHE_WRITE]: '0.001875000',
      // 85 × 15,000
      [ATTR_AICOST_COST_OUTPUT]: '0.001275000',
      [ATTR_AICOST_COST_TOTAL]: '0.004125000',
    });
    const ttfc = span.attributes[ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK] as number;
    expect(ttfc).toBeGreaterThan(0);
    const durationSeconds = span.duration[0] + span.duration[1] / 1e9;
    expect(ttfc).toBeLessThanOrEqual(durationSeconds);
  });

  it('streamed tool use: arguments assembled from the deltas when content is opted in', async () => {
    server.on('POST', ROUTES.converseStream, converseStreamFixture('converse-stream-tool-use'));
    bed.instrumentation.setConfig({ captureMessageContent: true });

    const response = await client.send(new ConverseStreamCommand(request(HAIKU_3)));
    for await (const _ of response.stream!) {
      // drain
    }

    const span = await oneSpan(`chat ${HAIKU_3}`);
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]).toEqual(['tool_use']);
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000163750');
    expect(outputMessages(span)).toEqual([
      {
        role: 'assistant',
        finish_reason: 'tool_call',
        parts: [
          { type: 'text', content: 'Let me check.' },
          {
            type: 'tool_call',
            id: 'tooluse_2SZgd4bLRUaAlDCaXJcYRQ',
            name: 'top_song',
            arguments: { sign: 'WZPZ' },
          },
        ],
      },
    ]);
  });

  it('breaking out of the loop mid-way ends the span once, without an error; no usage seen: unpriced', async () => {
    server.on('POST', ROUTES.converseStream, converseStreamFixture('converse-stream-cache', { delayMs: 5 }));

    const response = await client.send(new ConverseStreamCommand(request(SONNET_37_US)));
    let seen = 0;
    for await (const _ of response.stream!) {
      if (++seen === 2) break;
    }

    const span = await oneSpan(`chat ${SONNET_37_US}`);
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    expect(span.attributes[ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
    expectUnpriced(span, 'missing_usage');
    // Nothing more happens once the rest of the stream arrives.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(bed.harness.spans()).toHaveLength(1);
  });

  it('an exception event mid-stream fails the span with the error the application gets', async () => {
    const events = fixture<{ events: Array<{ eventType: string; payload: unknown }> }>(
      'converse-stream-cache',
    ).events;
    server.on(
      'POST',
      ROUTES.converseStream,
      eventStream([
        ...events.slice(0, 2),
        {
          eventType: 'throttlingException',
          messageType: 'exception',
          payload: { message: 'Too many tokens, please wait before trying again.' },
        },
      ]),
    );

    const response = await client.send(new ConverseStreamCommand(request(SONNET_37_US)));
    const error = await (async () => {
      for await (const _ of response.stream!) {
        // drain
      }
    })().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(bedrock.ThrottlingException);
    const span = await oneSpan(`chat ${SONNET_37_US}`);
    expectErrorSpan(span, 'ThrottlingException');
    // Converse streams report usage only in their final metadata event: none seen, never $0.
    expectUnpriced(span, 'missing_usage');
  });

  it('aborting the request mid-stream ends the span once, as an abort', async () => {
    server.on(
      'POST',
      ROUTES.converseStream,
      converseStreamFixture('converse-stream-cache', { hangAfter: 2 }),
    );
    const controller = new AbortController();

    const response = await client.send(new ConverseStreamCommand(request(SONNET_37_US)), {
      abortSignal: controller.signal,
    });
    const error = await (async () => {
      let seen = 0;
      for await (const _ of response.stream!) {
        if (++seen === 2) controller.abort();
      }
    })().catch((e: unknown) => e);

    const span = await oneSpan(`chat ${SONNET_37_US}`);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    // The application sees the socket torn down; the span names the cause, as the SDK does for a plain request.
    expect(error).toBeInstanceOf(Error);
    expect(span.attributes[ATTR_ERROR_TYPE]).toBe('AbortError');
    expectUnpriced(span, 'missing_usage');
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(bed.harness.spans()).toHaveLength(1);
  });
});
