/**
 * @google/genai 3.x against a loopback server that speaks the Gemini REST API.
 *
 * Expected costs are derived by hand from the catalogue prices
 * (@pydantic/genai-prices, provider "google") stated next to each test, not
 * from the code under test.
 */
import { withAttribution } from '@aicost/core';
import * as genai from '@google/genai';
import { ApiError, GoogleGenAI } from '@google/genai';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpError, json, type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { createOtelHarness, type OtelHarness, pointsMatching } from '../../../test/support/otel.js';
import { GoogleGenAIInstrumentation } from '../src/index.js';
import { geminiRoute, geminiSSE, loadFixture, onlySpan, withoutHttpDetails } from './helpers.js';

let otel: OtelHarness;
let server: MockServer;
let instrumentation: GoogleGenAIInstrumentation;
let ai: GoogleGenAI;

/** What the SDK returned and sent before the instrumentation was installed. */
const baseline: {
  response?: unknown;
  requestBody?: unknown;
  streamTexts?: Array<string | undefined>;
  error?: { name: string; message: string; status: number };
} = {};

const FLASH = 'gemini-2.5-flash';

beforeAll(async () => {
  otel = createOtelHarness();
  server = await startMockServer();
  ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: server.url } });

  // Behaviour without instrumentation, to compare against below.
  server.on(
    'POST',
    geminiRoute(FLASH, 'generateContent'),
    json(loadFixture('generate-content-cached-thinking')),
  );
  baseline.response = withoutHttpDetails(await ai.models.generateContent(basicRequest()));
  baseline.requestBody = server.requests.at(-1)?.body;
  server.on(
    'POST',
    geminiRoute(FLASH, 'streamGenerateContent'),
    geminiSSE(loadFixture('generate-content-stream')),
  );
  baseline.streamTexts = [];
  for await (const chunk of await ai.models.generateContentStream({
    model: FLASH,
    contents: 'Why is the sky blue?',
  })) {
    baseline.streamTexts.push(chunk.text);
  }
  server.on('POST', geminiRoute(FLASH, 'generateContent'), httpError(429, loadFixture('error-429')));
  const error = await ai.models.generateContent(basicRequest()).catch((e: unknown) => e);
  if (!(error instanceof ApiError)) throw new Error('baseline: expected an ApiError');
  baseline.error = { name: error.name, message: error.message, status: error.status };

  instrumentation = new GoogleGenAIInstrumentation({ enabled: false });
  instrumentation.setTracerProvider(otel.tracerProvider);
  instrumentation.setMeterProvider(otel.meterProvider);
  instrumentation.manuallyInstrument(genai);
  server.reset();
  otel.reset();
});

afterEach(() => {
  server.reset();
  otel.reset();
  instrumentation.setConfig({ enabled: false });
});

afterAll(async () => {
  await server.close();
  await otel.shutdown();
});

function basicRequest() {
  return {
    model: FLASH,
    contents: 'Why is the sky blue?',
    config: {
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      maxOutputTokens: 2048,
      stopSequences: ['\n\n\n'],
      seed: 7,
      candidateCount: 1,
    },
  };
}

describe('generateContent', () => {
  it('records one CLIENT span with request, response, ledger and cost, and returns what the SDK returns', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      json(loadFixture('generate-content-cached-thinking')),
    );

    const response = await ai.models.generateContent(basicRequest());

    expect(withoutHttpDetails(response)).toEqual(baseline.response);
    expect(response).toBeInstanceOf(genai.GenerateContentResponse);
    expect(response.text).toContain('Rayleigh');
    expect(server.requests.at(-1)?.body).toEqual(baseline.requestBody);

    const span = onlySpan(otel.spans());
    expect(span.name).toBe('generate_content gemini-2.5-flash');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': FLASH,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.top_k': 40,
      'gen_ai.request.max_tokens': 2048,
      'gen_ai.request.stop_sequences': ['\n\n\n'],
      'gen_ai.request.seed': 7,
      'gen_ai.request.choice.count': 1,
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'aicost.request.stream': false,
      'gen_ai.response.model': FLASH,
      'gen_ai.response.id': 'mLkpaY2vB9KhkdUP2cKm0Q4',
      'gen_ai.response.finish_reasons': ['stop'],
    });
  });

  it('counts thinking tokens as output and cached-content tokens once, priced to the nano-dollar', async () => {
    // usageMetadata: promptTokenCount 12000 (of which cachedContentTokenCount 8000),
    // candidatesTokenCount 300, thoughtsTokenCount 700 (not included in candidates).
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      json(loadFixture('generate-content-cached-thinking')),
    );

    await ai.models.generateContent(basicRequest());

    const span = onlySpan(otel.spans());
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 12000,
      'gen_ai.usage.cache_read.input_tokens': 8000,
      'gen_ai.usage.output_tokens': 1000,
      'gen_ai.usage.reasoning.output_tokens': 700,
    });
    // gemini-2.5-flash: input $0.30/M, cache read $0.03/M, output $2.50/M.
    //   uncached input 4,000 x 0.30/M = 0.001200000
    //   cache read     8,000 x 0.03/M = 0.000240000
    //   output         1,000 x 2.50/M = 0.002500000  (300 answer + 700 thinking)
    expect(span.attributes).toMatchObject({
      'aicost.cost.status': 'priced',
      'aicost.cost.currency': 'USD',
      'aicost.cost.input': '0.001200000',
      'aicost.cost.cache_read': '0.000240000',
      'aicost.cost.output': '0.002500000',
      'aicost.cost.total': '0.003940000',
    });
  });

  it('prices a prompt above 200k tokens at the long-context tier', async () => {
    const model = 'gemini-2.5-pro';
    server.on(
      'POST',
      geminiRoute(model, 'generateContent'),
      json(loadFixture('generate-content-long-context')),
    );

    await ai.models.generateContent({ model, contents: 'Summarise this contract: ...' });

    const span = onlySpan(otel.spans());
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 250000,
      'gen_ai.usage.output_tokens': 3000,
      'gen_ai.usage.reasoning.output_tokens': 2000,
    });
    // gemini-2.5-pro: input $1.25/M and output $10/M up to 200k prompt tokens;
    // above that the whole request is billed at input $2.50/M and output $15/M.
    //   input  250,000 x 2.50/M = 0.625000000
    //   output   3,000 x 15/M   = 0.045000000  (1,000 answer + 2,000 thinking)
    // (At the base tier it would have been 0.3125 + 0.03 = 0.342500000.)
    expect(span.attributes).toMatchObject({
      'aicost.cost.status': 'priced',
      'aicost.cost.input': '0.625000000',
      'aicost.cost.output': '0.045000000',
      'aicost.cost.total': '0.670000000',
    });
  });

  it('accepts models/ and Vertex resource names and records the bare model id', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      json(loadFixture('generate-content-cached-thinking')),
    );

    await ai.models.generateContent({ ...basicRequest(), model: `models/${FLASH}` });

    expect(onlySpan(otel.spans()).attributes['gen_ai.request.model']).toBe(FLASH);
  });

  it('records no prompt or completion content unless asked to', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      json(loadFixture('generate-content-cached-thinking')),
    );

    await ai.models.generateContent({ ...basicRequest(), config: { systemInstruction: 'Be brief.' } });

    const keys = Object.keys(onlySpan(otel.spans()).attributes);
    expect(keys).not.toContain('gen_ai.input.messages');
    expect(keys).not.toContain('gen_ai.output.messages');
    expect(keys).not.toContain('gen_ai.system_instructions');
  });

  it('records content in the semconv message shape when content capture is on', async () => {
    instrumentation.setConfig({ enabled: false, captureMessageContent: true });
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      json(loadFixture('generate-content-cached-thinking')),
    );

    await ai.models.generateContent({ ...basicRequest(), config: { systemInstruction: 'Be brief.' } });

    const span = onlySpan(otel.spans());
    expect(JSON.parse(String(span.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Why is the sky blue?' }] },
    ]);
    expect(JSON.parse(String(span.attributes['gen_ai.system_instructions']))).toEqual([
      { type: 'text', content: 'Be brief.' },
    ]);
    const output = JSON.parse(String(span.attributes['gen_ai.output.messages']));
    expect(output).toHaveLength(1);
    expect(output[0]).toMatchObject({ role: 'assistant', finish_reason: 'stop' });
    expect(output[0].parts[0].content).toContain('Rayleigh scattering');
  });
});

describe('generateContentStream', () => {
  it('yields the same chunks, ends the span once after the last one, and takes usage from the last chunk', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'streamGenerateContent'),
      geminiSSE(loadFixture('generate-content-stream')),
    );

    const stream = await ai.models.generateContentStream({ model: FLASH, contents: 'Why is the sky blue?' });
    const texts: Array<string | undefined> = [];
    for await (const chunk of stream) {
      texts.push(chunk.text);
      // While the stream is open, the call is not over.
      expect(otel.spans()).toHaveLength(0);
    }

    expect(texts).toEqual(baseline.streamTexts);
    const span = onlySpan(await otel.waitForSpans(1));
    expect(span.name).toBe('generate_content gemini-2.5-flash');
    // Last chunk: promptTokenCount 9, candidatesTokenCount 11, thoughtsTokenCount 40.
    expect(span.attributes).toMatchObject({
      'aicost.request.stream': true,
      'gen_ai.response.model': FLASH,
      'gen_ai.response.id': '2L4paaTzO8ahkdUPq_iJ6Qs',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 9,
      'gen_ai.usage.output_tokens': 51,
      'gen_ai.usage.reasoning.output_tokens': 40,
      // 9 x 0.30/M = 0.000002700; 51 x 2.50/M = 0.000127500
      'aicost.cost.total': '0.000130200',
    });
    const ttfc = span.attributes['aicost.response.time_to_first_chunk'];
    expect(typeof ttfc).toBe('number');
    const durationSeconds = span.duration[0] + span.duration[1] / 1e9;
    expect(ttfc as number).toBeGreaterThan(0);
    expect(ttfc as number).toBeLessThanOrEqual(durationSeconds);
  });

  it('ends the span once when the application breaks out of the loop', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'streamGenerateContent'),
      geminiSSE(loadFixture('generate-content-stream')),
    );

    const stream = await ai.models.generateContentStream({ model: FLASH, contents: 'Why is the sky blue?' });
    for await (const chunk of stream) {
      expect(chunk.text).toBe('Rayleigh');
      break;
    }

    const span = onlySpan(await otel.waitForSpans(1));
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    // Only the first chunk was read: its cumulative usage is all that is known.
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(9);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(0);
    // A lower bound, not the bill: 9 input tokens × $0.30/M.
    expect(span.attributes['aicost.cost.status']).toBe('estimated');
    expect(span.attributes['aicost.cost.status_reason']).toBe('partial_stream');
    expect(span.attributes['aicost.cost.total']).toBe('0.000002700');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(otel.spans()).toHaveLength(1);
  });

  it('fails the span once when the request is aborted mid-stream, and the SDK reports the abort as before', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'streamGenerateContent'),
      geminiSSE(loadFixture('generate-content-stream'), { hangAfter: 1 }),
    );
    const controller = new AbortController();

    const stream = await ai.models.generateContentStream({
      model: FLASH,
      contents: 'Why is the sky blue?',
      config: { abortSignal: controller.signal },
    });
    const received: Array<string | undefined> = [];
    const outcome = await (async () => {
      for await (const chunk of stream) {
        received.push(chunk.text);
        controller.abort();
      }
    })().then(
      () => 'completed',
      (error: unknown) => error,
    );

    expect(received).toEqual(['Rayleigh']);
    expect(outcome).toBeInstanceOf(Error);
    const span = onlySpan(await otel.waitForSpans(1));
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBeTruthy();
    // The first chunk's cumulative usage (9 input tokens × $0.30/M) is a lower bound.
    expect(span.attributes['aicost.cost.status']).toBe('estimated');
    expect(span.attributes['aicost.cost.status_reason']).toBe('partial_stream');
    expect(span.attributes['aicost.cost.total']).toBe('0.000002700');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(otel.spans()).toHaveLength(1);
  });
  it('fails the span once when the connection drops mid-stream, and the application sees the error', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'streamGenerateContent'),
      geminiSSE(loadFixture('generate-content-stream'), { destroyAfter: 1 }),
    );

    const stream = await ai.models.generateContentStream({ model: FLASH, contents: 'Why is the sky blue?' });
    const received: Array<string | undefined> = [];
    const outcome = await (async () => {
      for await (const chunk of stream) received.push(chunk.text);
    })().then(
      () => 'completed',
      (error: unknown) => error,
    );

    expect(received).toEqual(['Rayleigh']);
    expect(outcome).toBeInstanceOf(Error);
    const span = onlySpan(await otel.waitForSpans(1));
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['aicost.cost.status']).toBe('estimated');
    expect(span.attributes['aicost.cost.status_reason']).toBe('partial_stream');
    expect(span.attributes['aicost.cost.total']).toBe('0.000002700');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(otel.spans()).toHaveLength(1);
  });
});

describe('errors', () => {
  it('records a 429 as one failed span and rethrows the SDK error unchanged', async () => {
    server.on('POST', geminiRoute(FLASH, 'generateContent'), httpError(429, loadFixture('error-429')));

    const error = await ai.models.generateContent(basicRequest()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect({ name: apiError.name, message: apiError.message, status: apiError.status }).toEqual(
      baseline.error,
    );
    const span = onlySpan(otel.spans());
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ApiError');
    expect(span.events.some((event) => event.name === 'exception')).toBe(true);
    // No usage came back: no cost, and never a cost of 0.
    expect(span.attributes['aicost.cost.status']).toBe('unpriced');
    expect(span.attributes['aicost.cost.status_reason']).toBe('missing_usage');
    expect(span.attributes).not.toHaveProperty('aicost.cost.total');
  });

  it('keeps SDK retries inside one span: 500, 500, then success', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      httpError(500, loadFixture('error-500')),
      httpError(500, loadFixture('error-500')),
      json(loadFixture('generate-content-cached-thinking')),
    );
    const retrying = new GoogleGenAI({
      apiKey: 'test-key',
      httpOptions: {
        baseUrl: server.url,
        retryOptions: { attempts: 3, initialDelay: 0.001, maxDelay: 0.001 },
      },
    });

    const response = await retrying.models.generateContent(basicRequest());

    expect(response.text).toContain('Rayleigh');
    expect(server.requests).toHaveLength(3);
    const span = onlySpan(otel.spans());
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span.attributes['aicost.cost.total']).toBe('0.003940000');
  });

  it('records a 500 that exhausts retries as one failed span', async () => {
    server.on('POST', geminiRoute(FLASH, 'generateContent'), httpError(500, loadFixture('error-500')));

    const error = await ai.models.generateContent(basicRequest()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(500);
    const span = onlySpan(otel.spans());
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ApiError');
  });
});

describe('Vertex AI', () => {
  it('names the provider gcp.vertex_ai and prices the call', async () => {
    const vertex = new GoogleGenAI({
      vertexai: true,
      apiKey: 'vertex-express-key',
      httpOptions: { baseUrl: server.url },
    });
    server.on(
      'POST',
      /^\/v1beta1\/publishers\/google\/models\/gemini-2\.5-flash:generateContent/,
      json(loadFixture('vertex-generate-content')),
    );

    const response = await vertex.models.generateContent({
      model: FLASH,
      contents: 'Translate: hello world',
    });

    expect(response.text).toBe('Bonjour le monde.');
    const span = onlySpan(otel.spans());
    expect(span.name).toBe('generate_content gemini-2.5-flash');
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'gcp.vertex_ai',
      'gen_ai.response.finish_reasons': ['max_tokens'],
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.output_tokens': 5,
      // 20 x 0.30/M = 0.000006000; 5 x 2.50/M = 0.000012500
      'aicost.cost.total': '0.000018500',
    });
  });
  it('reads Vertex AI embedding token counts; a model the catalogue lacks stays unpriced, never $0', async () => {
    const vertex = new GoogleGenAI({
      vertexai: true,
      apiKey: 'vertex-express-key',
      httpOptions: { baseUrl: server.url },
    });
    server.on(
      'POST',
      /^\/v1beta1\/publishers\/google\/models\/text-embedding-005:predict/,
      json(loadFixture('vertex-embed-predict')),
    );

    const response = await vertex.models.embedContent({
      model: 'text-embedding-005',
      contents: ['What is your name?', 'Favourite colour?'],
    });

    expect(response.embeddings?.map((embedding) => embedding.statistics?.tokenCount)).toEqual([6, 4]);
    const span = onlySpan(otel.spans());
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'gcp.vertex_ai',
      'gen_ai.usage.input_tokens': 10,
      'aicost.cost.status': 'unpriced',
      'aicost.cost.status_reason': 'unknown_model',
    });
    expect(span.attributes).not.toHaveProperty('aicost.cost.total');
  });
});

describe('embedContent', () => {
  it('records an embeddings span priced from the reported prompt tokens', async () => {
    const model = 'gemini-embedding-001';
    server.on('POST', geminiRoute(model, 'batchEmbedContents'), json(loadFixture('batch-embed-contents')));

    const response = await ai.models.embedContent({
      model,
      contents: ['What is your name?', 'Favourite colour?'],
    });

    expect(response.embeddings).toHaveLength(2);
    const span = onlySpan(otel.spans());
    expect(span.name).toBe('embeddings gemini-embedding-001');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 0,
      // gemini-embedding-001: input $0.15/M; 12 x 0.15/M = 0.000001800
      'aicost.cost.total': '0.000001800',
    });
  });
});

describe('what is not a billed call, or is one call', () => {
  it('records one span per chat message: chats go through the instrumented request once', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      json(loadFixture('generate-content-cached-thinking')),
    );

    const chat = ai.chats.create({ model: FLASH });
    await chat.sendMessage({ message: 'Why is the sky blue?' });

    expect(onlySpan(otel.spans()).name).toBe('generate_content gemini-2.5-flash');
  });

  it('records one span per model call when automatic function calling loops', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      json(loadFixture('generate-content-function-call')),
      json(loadFixture('generate-content-cached-thinking')),
    );
    const calls: unknown[] = [];
    const weatherTool: genai.CallableTool = {
      tool: async () => ({
        functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: { type: 'object' } }],
      }),
      callTool: async (functionCalls) => {
        calls.push(...functionCalls);
        // The tool runs between the two model calls, inside neither span.
        expect(otel.spans()).toHaveLength(1);
        return [{ functionResponse: { name: 'get_weather', response: { forecast: 'sunny' } } }];
      },
    };

    const response = await ai.models.generateContent({
      model: FLASH,
      contents: 'Weather in Paris?',
      config: { tools: [weatherTool] },
    });

    expect(calls).toHaveLength(1);
    expect(response.text).toContain('Rayleigh');
    const spans = otel.spans();
    expect(spans.map((span) => span.attributes['gen_ai.usage.input_tokens'])).toEqual([60, 12000]);
    expect(new Set(spans.map((span) => span.parentSpanContext?.spanId)).size).toBe(1);
  });

  it('records no span for countTokens, which costs nothing', async () => {
    server.on('POST', geminiRoute(FLASH, 'countTokens'), json({ totalTokens: 9 }));

    const counted = await ai.models.countTokens({ model: FLASH, contents: 'Why is the sky blue?' });

    expect(counted.totalTokens).toBe(9);
    expect(otel.spans()).toHaveLength(0);
  });
});

describe('robustness', () => {
  it('lets the call through unchanged when the instrumentation itself fails', async () => {
    const brokenTracer = {
      startSpan(): never {
        throw new Error('tracer failure');
      },
    };
    instrumentation.setTracerProvider({ getTracer: () => brokenTracer as never });
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      json(loadFixture('generate-content-cached-thinking')),
    );
    server.on(
      'POST',
      geminiRoute(FLASH, 'streamGenerateContent'),
      geminiSSE(loadFixture('generate-content-stream')),
    );
    try {
      const response = await ai.models.generateContent(basicRequest());
      const texts: Array<string | undefined> = [];
      for await (const chunk of await ai.models.generateContentStream({ model: FLASH, contents: 'hi' })) {
        texts.push(chunk.text);
      }

      expect(withoutHttpDetails(response)).toEqual(baseline.response);
      expect(texts).toEqual(baseline.streamTexts);
      expect(otel.spans()).toHaveLength(0);
    } finally {
      instrumentation.setTracerProvider(otel.tracerProvider);
    }
  });
});

describe('attribution', () => {
  it("puts the caller's feature and customer on the span and the feature on the cost metric", async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      json(loadFixture('generate-content-cached-thinking')),
    );

    await withAttribution({ feature: 'faq-bot', customer: 'acme' }, () =>
      ai.models.generateContent(basicRequest()),
    );

    const span = onlySpan(otel.spans());
    expect(span.attributes).toMatchObject({ 'aicost.feature': 'faq-bot', 'aicost.customer': 'acme' });
    const cost = pointsMatching<number>(await otel.metric('aicost.cost'), { 'aicost.feature': 'faq-bot' });
    expect(cost.reduce((sum, point) => sum + point.value, 0)).toBeCloseTo(0.00394, 9);
  });
});

describe('metrics', () => {
  it('records token usage, duration, time to first chunk and cost', async () => {
    const before = await otel.metric('aicost.cost');
    const costBefore = pointsMatching<number>(before, { 'gen_ai.provider.name': 'gcp.gemini' }).reduce(
      (sum, point) => sum + point.value,
      0,
    );
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      json(loadFixture('generate-content-cached-thinking')),
    );
    server.on(
      'POST',
      geminiRoute(FLASH, 'streamGenerateContent'),
      geminiSSE(loadFixture('generate-content-stream')),
    );

    await ai.models.generateContent(basicRequest());
    for await (const _chunk of await ai.models.generateContentStream({ model: FLASH, contents: 'hi' })) {
      // drain
    }
    await otel.waitForSpans(2);

    const tokens = await otel.metric('gen_ai.client.token.usage');
    const input = pointsMatching<any>(tokens, {
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': FLASH,
      'gen_ai.token.type': 'input',
    });
    expect(input.reduce((sum, point) => sum + point.value.sum, 0)).toBeGreaterThanOrEqual(12000 + 9);
    const duration = await otel.metric('gen_ai.client.operation.duration');
    expect(
      pointsMatching<any>(duration, { 'gen_ai.operation.name': 'generate_content' }).length,
    ).toBeGreaterThan(0);
    const ttfc = await otel.metric('gen_ai.client.operation.time_to_first_chunk');
    expect(pointsMatching<any>(ttfc, { 'gen_ai.provider.name': 'gcp.gemini' }).length).toBeGreaterThan(0);

    const cost = pointsMatching<number>(await otel.metric('aicost.cost'), {
      'gen_ai.provider.name': 'gcp.gemini',
    });
    const costAfter = cost.reduce((sum, point) => sum + point.value, 0);
    // 0.003940000 + 0.000130200 USD
    expect(costAfter - costBefore).toBeCloseTo(0.0040702, 9);
  });
});

describe('the promise the SDK gets back from a patched internal method', () => {
  it('is the very promise the SDK method returned: observed on the side, no extra microtask', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      json(loadFixture('generate-content-cached-thinking')),
    );
    const proto = genai.Models.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    instrumentation.disable();
    const sdkMethod = proto.generateContentInternal!;
    const fromSdk: unknown[] = [];
    proto.generateContentInternal = function (this: unknown, ...args: unknown[]) {
      const promise = sdkMethod.apply(this, args);
      fromSdk.push(promise);
      return promise;
    };
    instrumentation.enable();
    const patched = proto.generateContentInternal;
    const fromWrapper: unknown[] = [];
    proto.generateContentInternal = function (this: unknown, ...args: unknown[]) {
      const promise = patched.apply(this, args);
      fromWrapper.push(promise);
      return promise;
    };
    try {
      await ai.models.generateContent(basicRequest());
    } finally {
      instrumentation.disable();
      proto.generateContentInternal = sdkMethod;
      instrumentation.enable();
    }
    expect(fromWrapper).toHaveLength(1);
    expect(fromWrapper[0]).toBe(fromSdk[0]);
    expect(onlySpan(await otel.waitForSpans(1)).attributes['aicost.cost.status']).toBe('priced');
  });
});
