/**
 * InvokeModel and InvokeModelWithResponseStream, one body format per model
 * family, with the real @aws-sdk/client-bedrock-runtime against a loopback
 * Bedrock runtime API.
 *
 * Prices used below (genai-prices catalogue, provider `aws`, per million tokens):
 * - `anthropic.claude-3-haiku-20240307-v1:0`: input $0.25, output $1.25 (250 / 1,250 nano-USD per token);
 * - `meta.llama3-1-70b-instruct-v1:0`: input and output $0.72 (720);
 * - `amazon.nova-lite-v1:0` (and `us.amazon.nova-lite-v1:0`): input $0.06, cache read $0.015, output $0.24 (60 / 15 / 240);
 * - `amazon.titan-text-express-v1`: input $0.20, output $0.60 (200 / 600);
 * - `amazon.titan-embed-text-v1`: input $0.10 (100);
 * - `mistral.mistral-7b-instruct-v0:2`: input $0.15, output $0.20 (150 / 200);
 * - Cohere Command R is not in the catalogue's Bedrock list: unpriced, never $0.
 */

import {
  ATTR_AICOST_COST_CACHE_READ,
  ATTR_AICOST_COST_STATUS,
  ATTR_AICOST_COST_STATUS_REASON,
  ATTR_AICOST_COST_TOTAL,
  ATTR_AICOST_REQUEST_STREAM,
  ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from '@aicost/core';
import * as bedrock from '@aws-sdk/client-bedrock-runtime';
import {
  type BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  genAIMetricsSnapshot,
  settledSpan,
  useTestBed,
  withAndWithoutInstrumentation,
} from '../../../test/support/instrumentation.js';
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
  converseStreamFixture,
  fixture,
  invokeStreamFixture,
  invokeStreamOf,
  ROUTES,
  settle,
  setUpInstrumentation,
} from './setup.js';

const HAIKU_3 = 'anthropic.claude-3-haiku-20240307-v1:0';

const ANTHROPIC_BODY = {
  anthropic_version: 'bedrock-2023-05-31',
  max_tokens: 300,
  temperature: 0.3,
  top_k: 250,
  stop_sequences: ['\n\nHuman:'],
  system: 'You are terse.',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello there' }] }],
};

const { bed, server } = useTestBed(() => setUpInstrumentation(bedrock));
let client: BedrockRuntimeClient;

beforeAll(() => {
  client = bedrockClient(server);
});

afterAll(() => client.destroy());

const oneSpan = (name: string) => settledSpan(bed.harness, PACKAGE_NAME, name);

function invoke(modelId: string, body: unknown) {
  return client.send(
    new InvokeModelCommand({
      modelId,
      body: JSON.stringify(body),
      contentType: 'application/json',
      accept: 'application/json',
    }),
  );
}

interface FamilyCase {
  family: string;
  modelId: string;
  body: Record<string, unknown>;
  fixture: string;
  /** Token counts Bedrock sends as headers (the body carries none for some families). */
  headers?: Record<string, string>;
  operation: string;
  request: Record<string, unknown>;
  input: number;
  output: number;
  finishReasons: string[];
  /** Hand-computed from the prices in the file comment; undefined: unpriced. */
  cost: string | undefined;
}

const FAMILIES: FamilyCase[] = [
  {
    family: 'Anthropic Messages',
    modelId: HAIKU_3,
    body: ANTHROPIC_BODY,
    fixture: 'invoke-anthropic',
    operation: 'chat',
    request: {
      [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 300,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.3,
      [ATTR_GEN_AI_REQUEST_TOP_K]: 250,
      [ATTR_GEN_AI_REQUEST_STOP_SEQUENCES]: ['\n\nHuman:'],
    },
    input: 14,
    output: 10,
    finishReasons: ['end_turn'],
    // 14 × 250 + 10 × 1,250
    cost: '0.000016000',
  },
  {
    family: 'Meta Llama',
    modelId: 'meta.llama3-1-70b-instruct-v1:0',
    body: {
      prompt:
        '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\nWhat is the capital of France?<|eot_id|>',
      max_gen_len: 512,
      temperature: 0.5,
      top_p: 0.9,
    },
    fixture: 'invoke-llama',
    operation: 'text_completion',
    request: {
      [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 512,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.5,
      [ATTR_GEN_AI_REQUEST_TOP_P]: 0.9,
    },
    input: 21,
    output: 77,
    finishReasons: ['stop'],
    // (21 + 77) × 720
    cost: '0.000070560',
  },
  {
    family: 'Amazon Nova (cache read)',
    modelId: 'amazon.nova-lite-v1:0',
    body: {
      schemaVersion: 'messages-v1',
      system: [{ text: 'Describe images briefly.' }],
      messages: [{ role: 'user', content: [{ text: 'Describe a beach.' }] }],
      inferenceConfig: { max_new_tokens: 300, temperature: 0.7, top_p: 0.9, top_k: 20 },
    },
    fixture: 'invoke-nova',
    operation: 'chat',
    request: {
      [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 300,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.7,
      [ATTR_GEN_AI_REQUEST_TOP_P]: 0.9,
      [ATTR_GEN_AI_REQUEST_TOP_K]: 20,
    },
    // 120 uncached + 1,000 read from the cache
    input: 1120,
    output: 45,
    finishReasons: ['end_turn'],
    // 120 × 60 + 1,000 × 15 + 45 × 240
    cost: '0.000033000',
  },
  {
    family: 'Amazon Titan Text',
    modelId: 'amazon.titan-text-express-v1',
    body: {
      inputText: 'What is a large language model?',
      textGenerationConfig: { maxTokenCount: 512, temperature: 0, topP: 1, stopSequences: ['User:'] },
    },
    fixture: 'invoke-titan',
    operation: 'text_completion',
    request: {
      [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 512,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0,
      [ATTR_GEN_AI_REQUEST_TOP_P]: 1,
      [ATTR_GEN_AI_REQUEST_STOP_SEQUENCES]: ['User:'],
    },
    input: 6,
    output: 40,
    finishReasons: ['FINISH'],
    // 6 × 200 + 40 × 600
    cost: '0.000025200',
  },
  {
    family: 'Mistral (usage only in the token-count headers)',
    modelId: 'mistral.mistral-7b-instruct-v0:2',
    body: {
      prompt: '<s>[INST] What is the most famous landmark in Paris? [/INST]',
      max_tokens: 200,
      temperature: 0.5,
      top_p: 0.9,
      top_k: 50,
    },
    fixture: 'invoke-mistral',
    headers: { 'x-amzn-bedrock-input-token-count': '18', 'x-amzn-bedrock-output-token-count': '52' },
    operation: 'text_completion',
    request: {
      [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 200,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.5,
      [ATTR_GEN_AI_REQUEST_TOP_P]: 0.9,
      [ATTR_GEN_AI_REQUEST_TOP_K]: 50,
    },
    input: 18,
    output: 52,
    finishReasons: ['stop'],
    // 18 × 150 + 52 × 200
    cost: '0.000013100',
  },
  {
    family: 'Cohere Command R (headers; not in the price catalogue)',
    modelId: 'cohere.command-r-v1:0',
    body: { message: 'What is Amazon Bedrock?', max_tokens: 100, temperature: 0.3, p: 0.75, k: 0 },
    fixture: 'invoke-cohere',
    headers: { 'x-amzn-bedrock-input-token-count': '9', 'x-amzn-bedrock-output-token-count': '31' },
    operation: 'chat',
    request: {
      [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 100,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.3,
      [ATTR_GEN_AI_REQUEST_TOP_P]: 0.75,
      [ATTR_GEN_AI_REQUEST_TOP_K]: 0,
    },
    input: 9,
    output: 31,
    finishReasons: ['COMPLETE'],
    cost: undefined,
  },
];

describe('InvokeModel, per model family', () => {
  for (const c of FAMILIES) {
    it(`${c.family}: request parameters, usage and cost from the family's body`, async () => {
      server.on('POST', ROUTES.invoke, awsJson(fixture(c.fixture), c.headers));

      const response = await invoke(c.modelId, c.body);

      // The application reads the very bytes the server sent.
      expect(JSON.parse(response.body.transformToString())).toEqual(fixture(c.fixture));
      const span = await oneSpan(`${c.operation} ${c.modelId}`);
      expect(span.attributes[ATTR_AICOST_REQUEST_STREAM]).toBe(false);
      expect(span.attributes).toMatchObject({
        [ATTR_GEN_AI_PROVIDER_NAME]: 'aws.bedrock',
        [ATTR_GEN_AI_OPERATION_NAME]: c.operation,
        [ATTR_GEN_AI_REQUEST_MODEL]: c.modelId,
        ...c.request,
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: c.input,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: c.output,
        [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: c.finishReasons,
      });
      if (c.cost) {
        expect(span.attributes[ATTR_AICOST_COST_STATUS]).toBe('priced');
        expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe(c.cost);
      } else {
        expectUnpriced(span, 'unknown_model');
        expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBeUndefined();
      }
    });
  }

  it('Nova: the cache read is its own ledger line', async () => {
    server.on('POST', ROUTES.invoke, awsJson(fixture('invoke-nova')));

    await invoke('amazon.nova-lite-v1:0', FAMILIES[2]!.body);

    const span = await oneSpan('chat amazon.nova-lite-v1:0');
    expect(span.attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]).toBe(1000);
    // 1,000 × 15
    expect(span.attributes[ATTR_AICOST_COST_CACHE_READ]).toBe('0.000015000');
  });

  it('Anthropic: the response id, and content only when opted in', async () => {
    server.on('POST', ROUTES.invoke, awsJson(fixture('invoke-anthropic')));
    bed.instrumentation.setConfig({ captureMessageContent: true });

    await invoke(HAIKU_3, ANTHROPIC_BODY);

    const span = await oneSpan(`chat ${HAIKU_3}`);
    expect(span.attributes[ATTR_GEN_AI_RESPONSE_ID]).toBe('msg_bdrk_01Xv8k9JNuvPZAX2Cq3ZYT2h');
    expect(inputMessages(span)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Hello there' }] },
    ]);
    expect(JSON.parse(String(span.attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS]))).toEqual([
      { type: 'text', content: 'You are terse.' },
    ]);
    expect(outputMessages(span)).toEqual([
      {
        role: 'assistant',
        finish_reason: 'end_turn',
        parts: [{ type: 'text', content: 'Hello! How can I assist you today?' }],
      },
    ]);
  });

  it('Titan embeddings: operation embeddings, input tokens priced', async () => {
    server.on('POST', ROUTES.invoke, awsJson(fixture('invoke-titan-embed')));

    await invoke('amazon.titan-embed-text-v1', { inputText: 'Hello, embeddings' });

    const span = await oneSpan('embeddings amazon.titan-embed-text-v1');
    expect(span.attributes).toMatchObject({
      [ATTR_GEN_AI_OPERATION_NAME]: 'embeddings',
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 8,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 0,
      // 8 × 100
      [ATTR_AICOST_COST_TOTAL]: '0.000000800',
    });
  });

  it('a body that is not JSON: usage from the headers, no error', async () => {
    server.on(
      'POST',
      ROUTES.invoke,
      awsJson('ignored', {
        'x-amzn-bedrock-input-token-count': '7',
        'x-amzn-bedrock-output-token-count': '3',
      }),
    );
    const bytes = new TextEncoder().encode('plain text prompt');

    await client.send(new InvokeModelCommand({ modelId: HAIKU_3, body: bytes, contentType: 'text/plain' }));

    const span = await oneSpan(`chat ${HAIKU_3}`);
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    // 7 × 250 + 3 × 1,250
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000005500');
  });

  it('a 400 ValidationException: one span with error.type, the error rethrown unchanged', async () => {
    server.on(
      'POST',
      ROUTES.invoke,
      awsError(400, 'ValidationException', {
        message: 'Malformed input request: #: extraneous key [foo] is not permitted',
      }),
    );

    const error = (await invoke(HAIKU_3, { ...ANTHROPIC_BODY, foo: 1 }).catch(
      (e: unknown) => e,
    )) as bedrock.ValidationException;

    expect(error).toBeInstanceOf(bedrock.ValidationException);
    expect(error.message).toMatch(/extraneous key \[foo\]/);
    expect(server.requests).toHaveLength(1); // not retried
    const span = await oneSpan(`chat ${HAIKU_3}`);
    expectErrorSpan(span, 'ValidationException');
  });
});

describe('InvokeModelWithResponseStream', () => {
  it('Anthropic: usage from the invocation metrics of the last chunk, priced; time to first chunk; chunks unchanged', async () => {
    server.on(
      'POST',
      ROUTES.invokeStream,
      invokeStreamFixture('invoke-stream-anthropic', { splitBytes: 41 }),
    );

    const response = await client.send(
      new InvokeModelWithResponseStreamCommand({ modelId: HAIKU_3, body: JSON.stringify(ANTHROPIC_BODY) }),
    );
    expect(bed.harness.spans()).toHaveLength(0); // still streaming
    const events: unknown[] = [];
    for await (const event of response.body!) {
      events.push(JSON.parse(new TextDecoder().decode(event.chunk!.bytes)));
    }

    expect(events).toEqual(fixture<{ chunks: unknown[] }>('invoke-stream-anthropic').chunks);
    const span = await oneSpan(`chat ${HAIKU_3}`);
    expect(span.attributes).toMatchObject({
      [ATTR_AICOST_REQUEST_STREAM]: true,
      [ATTR_GEN_AI_RESPONSE_ID]: 'msg_bdrk_01PfuDrp8GJ8Ggb2uTGe4Ja3',
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['end_turn'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 14,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 12,
      // 14 × 250 + 12 × 1,250
      [ATTR_AICOST_COST_TOTAL]: '0.000018500',
    });
    expect(span.attributes[ATTR_AICOST_RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
  });

  it.each([
    {
      family: 'Meta Llama',
      modelId: 'meta.llama3-1-70b-instruct-v1:0',
      fixture: 'invoke-stream-llama',
      body: { prompt: 'What is the capital of France?', max_gen_len: 64 },
      operation: 'text_completion',
      input: 21,
      output: 7,
      finishReasons: ['stop'],
      text: 'The capital of France is Paris.',
      // (21 + 7) × 720
      cost: '0.000020160',
    },
    {
      family: 'Amazon Nova (cache read in the metrics)',
      modelId: 'us.amazon.nova-lite-v1:0',
      fixture: 'invoke-stream-nova',
      body: { messages: [{ role: 'user', content: [{ text: 'Describe a beach.' }] }] },
      operation: 'chat',
      // 120 uncached + 1,000 read
      input: 1120,
      output: 9,
      finishReasons: ['end_turn'],
      text: 'Waves roll onto warm sand.',
      // 120 × 60 + 1,000 × 15 + 9 × 240
      cost: '0.000024360',
    },
  ])(
    '$family: usage from the invocation metrics, finish reason and text from the family events',
    async (c) => {
      server.on('POST', ROUTES.invokeStream, invokeStreamFixture(c.fixture));
      bed.instrumentation.setConfig({ captureMessageContent: true });

      const response = await client.send(
        new InvokeModelWithResponseStreamCommand({ modelId: c.modelId, body: JSON.stringify(c.body) }),
      );
      for await (const _ of response.body!) {
        // drain
      }

      const span = await oneSpan(`${c.operation} ${c.modelId}`);
      expect(span.attributes).toMatchObject({
        [ATTR_AICOST_REQUEST_STREAM]: true,
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: c.input,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: c.output,
        [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: c.finishReasons,
        [ATTR_AICOST_COST_TOTAL]: c.cost,
      });
      expect(outputMessages(span)).toEqual([
        { role: 'assistant', finish_reason: c.finishReasons[0], parts: [{ type: 'text', content: c.text }] },
      ]);
    },
  );

  it('without the invocation metrics, the Anthropic events own usage stands in', async () => {
    const chunks = fixture<{ chunks: Array<Record<string, unknown>> }>('invoke-stream-anthropic').chunks;
    delete chunks.at(-1)!['amazon-bedrock-invocationMetrics'];
    server.on('POST', ROUTES.invokeStream, invokeStreamOf(chunks));
    bed.instrumentation.setConfig({ captureMessageContent: true });

    const response = await client.send(
      new InvokeModelWithResponseStreamCommand({ modelId: HAIKU_3, body: JSON.stringify(ANTHROPIC_BODY) }),
    );
    for await (const _ of response.body!) {
      // drain
    }

    const span = await oneSpan(`chat ${HAIKU_3}`);
    // input from message_start, output from message_delta (which replaces message_start's 1)
    expect(span.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(14);
    expect(span.attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBe(12);
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000018500');
    expect(outputMessages(span)).toEqual([
      {
        role: 'assistant',
        finish_reason: 'end_turn',
        parts: [{ type: 'text', content: 'Hello! How can I help?' }],
      },
    ]);
  });

  it('abandoned mid-way: the span ends once, without an error, estimated from the usage seen so far', async () => {
    server.on('POST', ROUTES.invokeStream, invokeStreamFixture('invoke-stream-anthropic', { delayMs: 5 }));

    const response = await client.send(
      new InvokeModelWithResponseStreamCommand({ modelId: HAIKU_3, body: JSON.stringify(ANTHROPIC_BODY) }),
    );
    let seen = 0;
    for await (const _ of response.body!) {
      if (++seen === 3) break;
    }

    const span = await oneSpan(`chat ${HAIKU_3}`);
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    // message_start said 14 in, 1 out: 14 × 250 + 1 × 1,250
    expect(span.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBe(14);
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000004750');
    // The stream did not reach its end: a lower bound, not the bill.
    expect(span.attributes[ATTR_AICOST_COST_STATUS]).toBe('estimated');
    expect(span.attributes[ATTR_AICOST_COST_STATUS_REASON]).toBe('partial_stream');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(bed.harness.spans()).toHaveLength(1);
  });

  it('aborting the request mid-stream ends the span once, as an abort, estimated from the usage seen so far', async () => {
    server.on('POST', ROUTES.invokeStream, invokeStreamFixture('invoke-stream-anthropic', { hangAfter: 3 }));
    const controller = new AbortController();

    const response = await client.send(
      new InvokeModelWithResponseStreamCommand({ modelId: HAIKU_3, body: JSON.stringify(ANTHROPIC_BODY) }),
      { abortSignal: controller.signal },
    );
    const error = await (async () => {
      let seen = 0;
      for await (const _ of response.body!) {
        if (++seen === 3) controller.abort();
      }
    })().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    const span = await oneSpan(`chat ${HAIKU_3}`);
    expectErrorSpan(span, 'AbortError');
    // message_start said 14 in, 1 out: 14 × 250 + 1 × 1,250 nano-USD, a lower bound.
    expect(span.attributes[ATTR_AICOST_COST_STATUS]).toBe('estimated');
    expect(span.attributes[ATTR_AICOST_COST_STATUS_REASON]).toBe('partial_stream');
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000004750');
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(bed.harness.spans()).toHaveLength(1);
  });

  it('a stream that breaks off is an error, rethrown unchanged', async () => {
    server.on(
      'POST',
      ROUTES.invokeStream,
      invokeStreamFixture('invoke-stream-anthropic', { destroyAfter: 3 }),
    );

    const response = await client.send(
      new InvokeModelWithResponseStreamCommand({ modelId: HAIKU_3, body: JSON.stringify(ANTHROPIC_BODY) }),
    );
    const error = await (async () => {
      for await (const _ of response.body!) {
        // drain
      }
    })().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    const span = await oneSpan(`chat ${HAIKU_3}`);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes[ATTR_ERROR_TYPE]).toBeDefined();
    // message_start (14 in, 1 out) arrived before the break: a lower bound.
    expect(span.attributes[ATTR_AICOST_COST_STATUS]).toBe('estimated');
    expect(span.attributes[ATTR_AICOST_COST_STATUS_REASON]).toBe('partial_stream');
    expect(span.attributes[ATTR_AICOST_COST_TOTAL]).toBe('0.000004750');
  });
});

describe('behaviour with and without instrumentation', () => {
  /** Runs `scenario` with the instrumentation on, then off, against the same responses. */
  function both<T>(respond: () => void, scenario: () => Promise<T>): Promise<[T, T]> {
    return withAndWithoutInstrumentation(bed.instrumentation, server, respond, scenario);
  }

  /** What the application can observe of a response, minus the per-run request id. */
  function observable(output: Record<string, unknown>) {
    const { $metadata, ...rest } = output as { $metadata: Record<string, unknown> };
    return { ...rest, $metadata: { ...$metadata, requestId: undefined } };
  }

  it('same Converse output and request body on the wire', async () => {
    const [a, b] = await both(
      () => server.on('POST', ROUTES.converse, awsJson(fixture('converse-tool-use'))),
      async () => {
        const output = await client.send(
          new ConverseCommand({ modelId: HAIKU_3, messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }),
        );
        return { output: observable(output as any), body: server.requests.at(-1)!.body };
      },
    );
    expect(a).toEqual(b);
  });

  it('same ConverseStream events, and same InvokeModel bytes and content type', async () => {
    const [a, b] = await both(
      () => {
        server.on(
          'POST',
          ROUTES.converseStream,
          converseStreamFixture('converse-stream-tool-use', { splitBytes: 17 }),
        );
        server.on('POST', ROUTES.invoke, awsJson(fixture('invoke-llama')));
      },
      async () => {
        const streamed = await client.send(
          new ConverseStreamCommand({
            modelId: HAIKU_3,
            messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
          }),
        );
        const events = [];
        for await (const event of streamed.stream!) events.push(event);
        const invoked = await invoke('meta.llama3-1-70b-instruct-v1:0', { prompt: 'Hi' });
        return { events, bytes: invoked.body.transformToString(), contentType: invoked.contentType };
      },
    );
    expect(a).toEqual(b);
  });

  it('same error', async () => {
    const [a, b] = await both(
      () =>
        server.on('POST', ROUTES.converse, awsError(429, 'ThrottlingException', fixture('error-throttling'))),
      async () => {
        const error = (await bedrockClient(server, { maxAttempts: 1 })
          .send(
            new ConverseCommand({
              modelId: HAIKU_3,
              messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
            }),
          )
          .catch((e: unknown) => e)) as bedrock.ThrottlingException;
        return {
          type: error.constructor.name,
          name: error.name,
          message: error.message,
          fault: error.$fault,
          status: error.$metadata.httpStatusCode,
          attempts: error.$metadata.attempts,
        };
      },
    );
    expect(a).toEqual(b);
    expect(a.type).toBe('ThrottlingException');
  });
});

describe('metrics', () => {
  function snapshot() {
    return genAIMetricsSnapshot(bed.harness, HAIKU_3);
  }

  it('records token usage, duration, time to first chunk and cost', async () => {
    const before = await snapshot();
    server.on('POST', ROUTES.invoke, awsJson(fixture('invoke-anthropic')));
    await invoke(HAIKU_3, ANTHROPIC_BODY);
    server.on('POST', ROUTES.invokeStream, invokeStreamFixture('invoke-stream-anthropic'));
    const response = await client.send(
      new InvokeModelWithResponseStreamCommand({ modelId: HAIKU_3, body: JSON.stringify(ANTHROPIC_BODY) }),
    );
    for await (const _ of response.body!) {
      // drain
    }
    await settle(bed.harness, 2);
    const after = await snapshot();

    expect(after.input.sum - before.input.sum).toBe(14 + 14);
    expect(after.output.sum - before.output.sum).toBe(10 + 12);
    expect(after.duration.count - before.duration.count).toBe(2);
    expect(after.ttfc.count - before.ttfc.count).toBe(1); // the streamed call only
    // 0.000016 + 0.0000185 USD
    expect(after.cost.sum - before.cost.sum).toBeCloseTo(0.0000345, 12);
  });
});

describe('the promise send() returns', () => {
  /** Records what the SDK's own `send` (smithy's, under our wrapper) returns. */
  function spyOnSdkSend() {
    const parent = Object.getPrototypeOf(bedrock.BedrockRuntimeClient.prototype) as {
      send: (...args: unknown[]) => unknown;
    };
    const original = parent.send;
    const returned: unknown[] = [];
    parent.send = function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args);
      returned.push(result);
      return result;
    };
    return { returned, restore: () => (parent.send = original) };
  }

  it('is the SDK promise itself (no extra microtask), and the span has ended when it resolves', async () => {
    server.on('POST', ROUTES.invoke, awsJson(fixture('invoke-anthropic')));
    const spy = spyOnSdkSend();
    try {
      const promise = client.send(
        new InvokeModelCommand({ modelId: HAIKU_3, body: JSON.stringify(ANTHROPIC_BODY) }),
      );
      expect(spy.returned).toHaveLength(1);
      expect(promise).toBe(spy.returned[0]);
      await promise;
      // Observed from inside the SDK's chain, before the application's continuation.
      expect(bed.harness.spans()).toHaveLength(1);
    } finally {
      spy.restore();
    }
    const span = await oneSpan(`chat ${HAIKU_3}`);
    expect(span.attributes[ATTR_AICOST_COST_STATUS]).toBe('priced');
  });

  it('is the SDK promise itself when it rejects: the application handles the rejection, the span records it', async () => {
    server.on(
      'POST',
      ROUTES.invoke,
      awsError(400, 'ValidationException', { message: 'Malformed input request' }),
    );
    const spy = spyOnSdkSend();
    let error: unknown;
    try {
      const promise = client.send(new InvokeModelCommand({ modelId: HAIKU_3, body: '{}' }));
      expect(promise).toBe(spy.returned[0]);
      error = await (promise as Promise<unknown>).catch((e: unknown) => e);
    } finally {
      spy.restore();
    }
    expect(error).toBeInstanceOf(bedrock.ValidationException);
    const span = await oneSpan(`chat ${HAIKU_3}`);
    expectErrorSpan(span, 'ValidationException');
  });
});
