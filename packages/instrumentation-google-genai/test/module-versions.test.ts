/**
 * How the instrumentation reaches the SDK: the previous major of
 * @google/genai (2.x, installed as the npm alias `google-genai-v2`) patched by
 * hand, and the CommonJS build of 3.x patched by the module-loader hook.
 */
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { json, type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { createOtelHarness, type OtelHarness } from '../../../test/support/otel.js';
import { GoogleGenAIInstrumentation, instrument } from '../src/index.js';
import { geminiRoute, geminiSSE, loadFixture, onlySpan } from './helpers.js';

let otel: OtelHarness;
let server: MockServer;
const FLASH = 'gemini-2.5-flash';
const require = createRequire(import.meta.url);

beforeAll(async () => {
  otel = createOtelHarness();
  server = await startMockServer();
});

afterEach(() => {
  server.reset();
  otel.reset();
});

afterAll(async () => {
  await server.close();
  await otel.shutdown();
});

describe('@google/genai 2.x (previous major)', () => {
  it('is patched by instrument() and priced like 3.x, streams included; disable() unpatches it', async () => {
    const v2 = await import('google-genai-v2');
    const instrumentation = instrument(v2);
    const ai = new v2.GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: server.url } });
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

    await ai.models.generateContent({ model: FLASH, contents: 'Why is the sky blue?' });
    const texts: Array<string | undefined> = [];
    for await (const chunk of await ai.models.generateContentStream({ model: FLASH, contents: 'hi' })) {
      texts.push(chunk.text);
    }

    expect(texts).toHaveLength(3);
    const spans = await otel.waitForSpans(2);
    expect(spans.map((span) => span.attributes['aicost.cost.total'])).toEqual(['0.003940000', '0.000130200']);
    expect(spans.map((span) => span.attributes['aicost.request.stream'])).toEqual([false, true]);

    instrumentation.disable();
    otel.reset();
    await ai.models.generateContent({ model: FLASH, contents: 'Why is the sky blue?' });
    expect(otel.spans()).toHaveLength(0);
  });
});

describe('module-loader hook', () => {
  it('patches the CommonJS build of @google/genai when it is required after enable(), and unpatches on disable()', async () => {
    const instrumentation = new GoogleGenAIInstrumentation();
    const cjs = require('@google/genai') as typeof import('@google/genai');
    const ai = new cjs.GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: server.url } });
    server.on(
      'POST',
      geminiRoute(FLASH, 'generateContent'),
      json(loadFixture('generate-content-cached-thinking')),
    );

    await ai.models.generateContent({ model: FLASH, contents: 'Why is the sky blue?' });
    expect(onlySpan(otel.spans()).attributes['gen_ai.provider.name']).toBe('gcp.gemini');

    instrumentation.disable();
    otel.reset();
    const response = await ai.models.generateContent({ model: FLASH, contents: 'Why is the sky blue?' });
    expect(response.text).toContain('Rayleigh');
    expect(otel.spans()).toHaveLength(0);
  });
});
