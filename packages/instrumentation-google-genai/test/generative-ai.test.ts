/**
 * The deprecated @google/generative-ai 0.24 (still in many deployed apps)
 * against a loopback server that speaks the Gemini REST API.
 */
import * as generativeAi from '@google/generative-ai';
import { GoogleGenerativeAI, GoogleGenerativeAIFetchError } from '@google/generative-ai';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { captureWarnings, outcomeOf, requestThrowingOn } from '../../../test/support/hostile-request.js';
import { httpError, json, type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { createOtelHarness, type OtelHarness } from '../../../test/support/otel.js';
import { GoogleGenAIInstrumentation } from '../src/index.js';
import { geminiRoute, geminiSSE, loadFixture, onlySpan } from './helpers.js';

let otel: OtelHarness;
let server: MockServer;
let instrumentation: GoogleGenAIInstrumentation;

const FLASH = 'gemini-2.5-flash';
const baseline: { text?: string; streamTexts?: string[]; aggregated?: unknown; error?: unknown } = {};

function model(generationConfig?: generativeAi.GenerationConfig) {
  return new GoogleGenerativeAI('test-key').getGenerativeModel(
    { model: FLASH, ...(generationConfig ? { generationConfig } : {}) },
    { baseUrl: server.url },
  );
}

async function drain(result: generativeAi.GenerateContentStreamResult): Promise<string[]> {
  const texts: string[] = [];
  for await (const chunk of result.stream) texts.push(chunk.text());
  return texts;
}

beforeAll(async () => {
  otel = createOtelHarness();
  server = await startMockServer();

  // Behaviour without instrumentation, to compare against below.
  server.on(
    'POST',
    geminiRoute(FLASH, 'generateContent'),
    json(loadFixture('generate-content-cached-thinking')),
  );
  baseline.text = (await model().generateContent('Why is the sky blue?')).response.text();
  server.on(
    'POST',
    geminiRoute(FLASH, 'streamGenerateContent'),
    geminiSSE(loadFixture('generate-content-stream')),
  );
  const streamed = await model().generateContentStream('Why is the sky blue?');
  baseline.streamTexts = await drain(streamed);
  baseline.aggregated = await streamed.response;
  server.on('POST', geminiRoute(FLASH, 'generateContent'), httpError(429, loadFixture('error-429')));
  baseline.error = await model()
    .generateContent('Why is the sky blue?')
    .catch((e: unknown) => e);

  instrumentation = new GoogleGenAIInstrumentation({ enabled: false });
  instrumentation.setTracerProvider(otel.tracerProvider);
  instrumentation.setMeterProvider(otel.meterProvider);
  instrumentation.manuallyInstrument(generativeAi);
  server.reset();
  otel.reset();
});

afterEach(() => {
  server.reset();
  otel.reset();
});

afterAll(async () => {
  await server.close();
  await otel.shutdown();
});

describe('@google/generative-ai generateContent', () => {
  it('records a priced span and returns what the SDK returns', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      json(loadFixture('generate-content-cached-thinking')),
    );

    const result = await model({ temperature: 0.4, maxOutputTokens: 512 }).generateContent(
      'Why is the sky blue?',
    );

    expect(result.response.text()).toBe(baseline.text);
    const span = onlySpan(otel.spans());
    expect(span.name).toBe('generate_content gemini-2.5-flash');
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': FLASH,
      'gen_ai.request.temperature': 0.4,
      'gen_ai.request.max_tokens': 512,
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'gen_ai.response.model': FLASH,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12000,
      'gen_ai.usage.cache_read.input_tokens': 8000,
      'gen_ai.usage.output_tokens': 1000,
      // Same usage and prices as the @google/genai test: 0.0012 + 0.00024 + 0.0025
      'aicost.cost.total': '0.003940000',
    });
  });

  it('records one span per chat message', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      json(loadFixture('generate-content-cached-thinking')),
    );

    const chat = model().startChat();
    await chat.sendMessage('Why is the sky blue?');
    await chat.sendMessage('And at sunset?');

    const spans = otel.spans();
    expect(spans).toHaveLength(2);
    expect(spans.every((span) => span.name === 'generate_content gemini-2.5-flash')).toBe(true);
    expect((await chat.getHistory()).length).toBe(4);
  });

  it('records a 429 as one failed span and rethrows the SDK error unchanged', async () => {
    server.on('POST', geminiRoute(FLASH, 'generateContent'), httpError(429, loadFixture('error-429')));

    const error = await model()
      .generateContent('Why is the sky blue?')
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GoogleGenerativeAIFetchError);
    expect((error as Error).message).toBe((baseline.error as Error).message);
    expect((error as GoogleGenerativeAIFetchError).status).toBe(429);
    const span = onlySpan(otel.spans());
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('GoogleGenerativeAIFetchError');
    expect(span.attributes).not.toHaveProperty('aicost.cost.total');
  });
});

describe('@google/generative-ai generateContentStream', () => {
  it('yields the same chunks and aggregated response, and ends the span once with the final usage', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'streamGenerateContent'),
      geminiSSE(loadFixture('generate-content-stream')),
    );

    const result = await model().generateContentStream('Why is the sky blue?');
    const texts = await drain(result);
    const aggregated = await result.response;

    expect(texts).toEqual(baseline.streamTexts);
    expect(JSON.stringify(aggregated)).toBe(JSON.stringify(baseline.aggregated));
    const span = onlySpan(await otel.waitForSpans(1));
    expect(span.attributes).toMatchObject({
      'aicost.request.stream': true,
      'gen_ai.response.model': FLASH,
      'gen_ai.response.id': '2L4paaTzO8ahkdUPq_iJ6Qs',
      'gen_ai.usage.input_tokens': 9,
      'gen_ai.usage.output_tokens': 51,
      'gen_ai.usage.reasoning.output_tokens': 40,
      'aicost.cost.total': '0.000130200',
    });
    expect(span.attributes['aicost.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('ends the span once with the full usage when the application stops iterating early', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'streamGenerateContent'),
      geminiSSE(loadFixture('generate-content-stream')),
    );

    const result = await model().generateContentStream('Why is the sky blue?');
    for await (const chunk of result.stream) {
      expect(chunk.text()).toBe('Rayleigh');
      break;
    }

    // The SDK still reads the whole body for `response`; so does the bill.
    const span = onlySpan(await otel.waitForSpans(1));
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(51);
    expect(span.attributes['aicost.cost.status']).toBe('priced');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(otel.spans()).toHaveLength(1);
  });

  it('ends the span when only the aggregated response is awaited', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'streamGenerateContent'),
      geminiSSE(loadFixture('generate-content-stream')),
    );

    const result = await model().generateContentStream('Why is the sky blue?');
    const response = await result.response;

    expect(response.text()).toBe('Rayleigh scattering makes short wavelengths dominate the sky.');
    const span = onlySpan(await otel.waitForSpans(1));
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(9);
    expect(span.attributes['aicost.cost.total']).toBe('0.000130200');
  });
});

describe('@google/generative-ai aborts and content', () => {
  it('fails the span once when the request is aborted mid-stream', async () => {
    server.on(
      'POST',
      geminiRoute(FLASH, 'streamGenerateContent'),
      geminiSSE(loadFixture('generate-content-stream'), { hangAfter: 1 }),
    );
    const controller = new AbortController();

    const result = await model().generateContentStream('Why is the sky blue?', { signal: controller.signal });
    const settled = result.response.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    const iterator = result.stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.text()).toBe('Rayleigh');
    controller.abort();

    // The SDK rejects `response` with its own error for a body cut by the abort.
    const error = await settled;
    expect(error).toBeInstanceOf(generativeAi.GoogleGenerativeAIError);
    const span = onlySpan(await otel.waitForSpans(1));
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe((error as Error).constructor.name);
    // The chunk the application read (9 input tokens × $0.30/M) is a lower bound.
    expect(span.attributes['aicost.cost.status']).toBe('estimated');
    expect(span.attributes['aicost.cost.status_reason']).toBe('partial_stream');
    expect(span.attributes['aicost.cost.total']).toBe('0.000002700');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(otel.spans()).toHaveLength(1);
  });

  it('records the chat history, system instruction and answer when content capture is on', async () => {
    instrumentation.setConfig({ enabled: false, captureMessageContent: true });
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      json(loadFixture('generate-content-cached-thinking')),
    );
    try {
      const chat = new GoogleGenerativeAI('test-key')
        .getGenerativeModel({ model: FLASH, systemInstruction: 'Be brief.' }, { baseUrl: server.url })
        .startChat({
          history: [
            { role: 'user', parts: [{ text: 'Hello' }] },
            { role: 'model', parts: [{ text: 'Hi!' }] },
          ],
        });
      await chat.sendMessage('Why is the sky blue?');
    } finally {
      instrumentation.setConfig({ enabled: false });
    }

    const span = onlySpan(otel.spans());
    expect(JSON.parse(String(span.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Hello' }] },
      { role: 'assistant', parts: [{ type: 'text', content: 'Hi!' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Why is the sky blue?' }] },
    ]);
    expect(JSON.parse(String(span.attributes['gen_ai.system_instructions']))).toEqual([
      { type: 'text', content: 'Be brief.' },
    ]);
    expect(String(span.attributes['gen_ai.output.messages'])).toContain('Rayleigh scattering');
  });
});

describe('@google/generative-ai embeddings', () => {
  it('records batchEmbedContents as an embeddings span', async () => {
    const embeddingModel = 'gemini-embedding-001';
    server.on(
      'POST',
      geminiRoute(embeddingModel, 'batchEmbedContents'),
      json(loadFixture('batch-embed-contents')),
    );

    const response = await new GoogleGenerativeAI('test-key')
      .getGenerativeModel({ model: embeddingModel }, { baseUrl: server.url })
      .batchEmbedContents({
        requests: [
          { content: { role: 'user', parts: [{ text: 'What is your name?' }] } },
          { content: { role: 'user', parts: [{ text: 'Favourite colour?' }] } },
        ],
      });

    expect(response.embeddings).toHaveLength(2);
    const span = onlySpan(otel.spans());
    expect(span.name).toBe('embeddings gemini-embedding-001');
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(12);
    expect(span.attributes['aicost.cost.total']).toBe('0.000001800');
  });
});

describe('a request aicost cannot read', () => {
  it('gets what the bare SDK gives, with no span left open and one warning', async () => {
    const warnings = captureWarnings();
    try {
      server.on(
        'POST',
        geminiRoute(FLASH, 'generateContent'),
        json(loadFixture('generate-content-cached-thinking')),
      );
      // `generationConfig` is read by aicost to describe the call; the SDK sends own properties only.
      const request = requestThrowingOn(
        { contents: [{ role: 'user', parts: [{ text: 'Why is the sky blue?' }] }] },
        'generationConfig',
      );
      const text = () => outcomeOf(async () => (await model().generateContent(request)).response.text());
      const instrumented = await text();
      instrumentation.disable();
      const bare = await text().finally(() => instrumentation.enable());
      expect(instrumented).toEqual(bare);
      expect(otel.openSpans()).toEqual([]);
      expect(warnings.messages()).toEqual([expect.stringContaining('reading a request failed')]);
    } finally {
      warnings.restore();
    }
  });
});
