/**
 * Vertex AI's `usageMetadata.trafficType` is the tier that served the call:
 * real SDK against the loopback mock.
 */
import * as genai from '@google/genai';
import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { createOtelHarness, type OtelHarness } from '../../../test/support/otel.js';
import { GoogleGenAIInstrumentation } from '../src/index.js';
import { loadFixture, onlySpan } from './helpers.js';

let otel: OtelHarness;
let server: MockServer;
let instrumentation: GoogleGenAIInstrumentation;
let vertex: GoogleGenAI;

beforeAll(async () => {
  otel = createOtelHarness();
  server = await startMockServer();
  instrumentation = new GoogleGenAIInstrumentation();
  instrumentation.setTracerProvider(otel.tracerProvider);
  for (const definition of instrumentation.getModuleDefinitions()) definition.patch?.(genai, '0.0.0');
  vertex = new GoogleGenAI({
    vertexai: true,
    apiKey: 'vertex-express-key',
    httpOptions: { baseUrl: server.url },
  });
});
afterAll(async () => {
  for (const definition of instrumentation.getModuleDefinitions()) definition.unpatch?.(genai, '0.0.0');
  await otel.shutdown();
  await server.close();
});

async function servedBy(trafficType: string) {
  otel.reset();
  server.reset();
  const response = loadFixture<any>('vertex-generate-content');
  server.on(
    'POST',
    /^\/v1beta1\/publishers\/google\/models\/gemini-2\.5-flash:generateContent/,
    json({ ...response, usageMetadata: { ...response.usageMetadata, trafficType } }),
  );
  const result = await vertex.models.generateContent({
    model: 'gemini-2.5-flash',
    contents: 'Translate: hello world',
  });
  expect(result.text).toBe('Bonjour le monde.');
  return onlySpan(otel.spans()).attributes;
}

describe('Vertex AI trafficType', () => {
  it('ON_DEMAND is the standard price', async () => {
    expect(await servedBy('ON_DEMAND')).toMatchObject({
      'aicost.service_tier': 'ON_DEMAND',
      'aicost.cost.status': 'priced',
      // 20 x 0.30/M + 5 x 2.50/M
      'aicost.cost.total': '0.000018500',
    });
  });

  it('PROVISIONED_THROUGHPUT is committed capacity: no on-demand cost', async () => {
    const attributes = await servedBy('PROVISIONED_THROUGHPUT');
    expect(attributes).toMatchObject({
      'aicost.service_tier': 'PROVISIONED_THROUGHPUT',
      'aicost.cost.status': 'committed',
    });
    expect(attributes['aicost.cost.total']).toBeUndefined();
  });

  it('ON_DEMAND_PRIORITY has no verified rate: unpriced / unknown_service_tier', async () => {
    const attributes = await servedBy('ON_DEMAND_PRIORITY');
    expect(attributes).toMatchObject({
      'aicost.cost.status': 'unpriced',
      'aicost.cost.status_reason': 'unknown_service_tier',
    });
    expect(attributes['aicost.cost.total']).toBeUndefined();
  });
});
