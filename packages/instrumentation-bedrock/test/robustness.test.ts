/**
 * The instrumentation never breaks the program it observes: a failing tracer,
 * usage that makes no sense and chunks that are not JSON leave the calls, their
 * results and their streams as they would be without it.
 */

import {
  ATTR_AICOST_COST_STATUS,
  ATTR_AICOST_COST_STATUS_REASON,
  ATTR_AICOST_COST_TOTAL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
} from '@aicost/core';
import * as bedrock from '@aws-sdk/client-bedrock-runtime';
import {
  type BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import type { Tracer, TracerProvider } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  captureWarnings,
  type Outcome,
  outcomeOf,
  requestThrowingOn,
} from '../../../test/support/hostile-request.js';
import { withAndWithoutInstrumentation } from '../../../test/support/instrumentation.js';
import { eventStream, startMockServer } from '../../../test/support/mock-server.js';
import {
  awsJson,
  bedrockClient,
  converseStreamFixture,
  fixture,
  type MockServer,
  ROUTES,
  settle,
  setUpInstrumentation,
  type TestBed,
} from './setup.js';

const HAIKU_3 = 'anthropic.claude-3-haiku-20240307-v1:0';
const REQUEST = {
  modelId: HAIKU_3,
  messages: [{ role: 'user' as const, content: [{ text: 'Hello there' }] }],
};

let bed: TestBed;
let server: MockServer;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  bed = setUpInstrumentation(bedrock);
  server = await startMockServer();
  client = bedrockClient(server);
});

afterEach(() => {
  server.reset();
  bed.harness.reset();
  bed.instrumentation.setTracerProvider(bed.harness.tracerProvider);
});

afterAll(async () => {
  client.destroy();
  await server.close();
  await bed.harness.shutdown();
});

it('a tracer that throws leaves plain calls and streams working', async () => {
  const broken: Tracer = {
    startSpan() {
      throw new Error('tracer is broken');
    },
    startActiveSpan() {
      throw new Error('tracer is broken');
    },
  };
  bed.instrumentation.setTracerProvider({ getTracer: () => broken } as TracerProvider);
  server.on('POST', ROUTES.converse, awsJson(fixture('converse-basic')));
  server.on('POST', ROUTES.converseStream, converseStreamFixture('converse-stream-cache'));

  const response = await client.send(new ConverseCommand(REQUEST));
  const streamed = await client.send(new ConverseStreamCommand(REQUEST));
  const events = [];
  for await (const event of streamed.stream!) events.push(event);

  expect(response.output).toEqual(fixture('converse-basic').output);
  expect(events).toHaveLength(fixture('converse-stream-cache').events.length);
  expect(bed.harness.spans()).toHaveLength(0);
});

it('usage that makes no sense: the call ends unpriced (invalid_usage), the application gets the output', async () => {
  const nonsense = { ...fixture('converse-basic'), usage: { inputTokens: -5, outputTokens: 'many' } };
  server.on('POST', ROUTES.converse, awsJson(nonsense));

  const response = await client.send(new ConverseCommand(REQUEST));

  expect(response.usage).toEqual(nonsense.usage);
  const [span] = await settle(bed.harness, 1);
  expect(span!.status.code).not.toBe(SpanStatusCode.ERROR);
  expect(span!.attributes[ATTR_AICOST_COST_STATUS]).toBe('unpriced');
  expect(span!.attributes[ATTR_AICOST_COST_STATUS_REASON]).toBe('invalid_usage');
  expect(span!.attributes[ATTR_AICOST_COST_TOTAL]).toBeUndefined();
});

it('stream chunks that are not JSON, and events nobody knows, are passed on and ignored', async () => {
  const chunks = fixture<{ chunks: unknown[] }>('invoke-stream-anthropic').chunks;
  const chunk = (text: string) => ({
    eventType: 'chunk',
    payload: { bytes: Buffer.from(text).toString('base64') },
  });
  server.on(
    'POST',
    ROUTES.invokeStream,
    eventStream([chunk('not json {'), ...chunks.map((event) => chunk(JSON.stringify(event)))]),
  );
  server.on(
    'POST',
    ROUTES.converseStream,
    eventStream([
      { eventType: 'messageStart', payload: { role: 'assistant' } },
      { eventType: 'someFutureEvent', payload: { anything: true } },
      ...fixture<{ events: Array<{ eventType: string; payload: unknown }> }>(
        'converse-stream-cache',
      ).events.slice(1),
    ]),
  );

  const invoked = await client.send(
    new InvokeModelWithResponseStreamCommand({ modelId: HAIKU_3, body: JSON.stringify({ messages: [] }) }),
  );
  const texts: string[] = [];
  for await (const event of invoked.body!) texts.push(new TextDecoder().decode(event.chunk?.bytes));
  const streamed = await client.send(new ConverseStreamCommand(REQUEST));
  for await (const _ of streamed.stream!) {
    // drain
  }

  expect(texts[0]).toBe('not json {');
  expect(texts).toHaveLength(chunks.length + 1);
  const spans = await settle(bed.harness, 2);
  expect(spans.map((s) => s.status.code)).not.toContain(SpanStatusCode.ERROR);
  // 14 from the invocation metrics; 3,525 from the ConverseStream metadata (25 + 3,000 + 500)
  expect(spans.map((s) => s.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS])).toEqual([14, 3525]);
});

it.each([
  [
    'a command whose input cannot be read',
    () => [new ConverseCommand(requestThrowingOn(REQUEST, 'inferenceConfig'))],
  ],
  [
    'send options that cannot be read',
    () => [new ConverseCommand(REQUEST), requestThrowingOn({}, 'abortSignal')],
  ],
])('%s: the application gets what the bare SDK gives, no span left open, one warning', async (_, args) => {
  const warnings = captureWarnings();
  try {
    const [instrumented, bare] = await withAndWithoutInstrumentation(
      bed.instrumentation,
      server,
      () => server.on('POST', ROUTES.converse, awsJson(fixture('converse-basic'))),
      () => outcomeOf(() => (client.send as (...a: unknown[]) => unknown)(...args())),
    );
    const observable = (outcome: Outcome) =>
      'returned' in outcome ? { output: (outcome.returned as { output?: unknown }).output } : outcome;
    expect(observable(instrumented)).toEqual(observable(bare));
    await settle(bed.harness, 0);
    expect(bed.harness.openSpans()).toEqual([]);
    expect(warnings.messages()).toHaveLength(1);
  } finally {
    warnings.restore();
  }
});
