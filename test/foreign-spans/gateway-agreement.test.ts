/**
 * One rule for every path: the same call through the same gateway URL costs the
 * same whether aicost's own OpenAI instrumentation made the span or the cost
 * processor priced the Vercel AI SDK's span. The gateway's host (a private
 * address) appears only in base URLs; the mock's `fetch` sends every request to
 * the loopback server.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { OpenTelemetry } from '@ai-sdk/otel';
import { diag } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { generateText } from 'ai';
import * as openai from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { OpenAIInstrumentation } from '../../packages/instrumentation-openai/src/index.js';
import { json, type MockServer, startMockServer } from '../support/mock-server.js';
import { createOtelHarness, type OtelHarness } from '../support/otel.js';
import { CHAT_COMPLETION_WITH_CACHE, COST_WITH_CACHE } from './openai-fixture.js';

const GATEWAY = 'http://10.0.0.5/v1';

let server: MockServer;
let otel: OtelHarness;
let instrumentation: OpenAIInstrumentation;

beforeAll(async () => {
  server = await startMockServer();
  // The gateway answers with the model it was asked for.
  server.on('POST', '/v1/chat/completions', (request) =>
    json({ ...CHAT_COMPLETION_WITH_CACHE, model: request.body.model }),
  );
  otel = createOtelHarness();
  instrumentation = new OpenAIInstrumentation();
  instrumentation.setTracerProvider(otel.tracerProvider);
  for (const definition of instrumentation.getModuleDefinitions()) definition.patch?.(openai, '0.0.0');
});
afterAll(async () => {
  for (const definition of instrumentation.getModuleDefinitions()) definition.unpatch?.(openai, '0.0.0');
  await otel.shutdown();
  await server.close();
});
beforeEach(() => otel.reset());

function costed(): ReadableSpan[] {
  return otel.spans().filter((span) => span.attributes['aicost.cost.status'] !== undefined) as ReadableSpan[];
}

async function throughOpenAISDK(model: string): Promise<ReadableSpan> {
  otel.reset();
  const client = new openai.OpenAI({ apiKey: 'k', baseURL: GATEWAY, fetch: server.fetch, maxRetries: 0 });
  await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'Capital of France?' }],
  });
  await otel.waitForSpans(1);
  const [span] = costed();
  expect(span?.instrumentationScope.name).toBe('@aicost/instrumentation-openai');
  return span!;
}

async function throughVercelAI(model: string): Promise<ReadableSpan> {
  otel.reset();
  const provider = createOpenAI({ apiKey: 'k', baseURL: GATEWAY, fetch: server.fetch });
  await generateText({
    model: provider.chat(model),
    prompt: 'Capital of France?',
    telemetry: { integrations: [new OpenTelemetry()] },
  });
  const spans = costed();
  expect(spans).toHaveLength(1);
  expect(spans[0]!.attributes['aicost.usage.source']).toBe('vercel-ai');
  return spans[0]!;
}

const PRICE_KEYS = [
  'aicost.cost.status',
  'aicost.cost.status_reason',
  'aicost.cost.total',
  'aicost.price.provider_id',
  'aicost.price.model_id',
  'aicost.price.match',
];

function price(span: ReadableSpan): Record<string, unknown> {
  return Object.fromEntries(PRICE_KEYS.map((key) => [key, span.attributes[key]]));
}

describe('the openai SDK and the Vercel AI SDK through the same gateway URL', () => {
  it('agree on gpt-4o-mini: OpenAI list price, matched by model id', async () => {
    const sdk = price(await throughOpenAISDK('gpt-4o-mini'));
    const vercel = price(await throughVercelAI('gpt-4o-mini'));
    expect(sdk).toEqual(vercel);
    expect(sdk).toMatchObject({
      'aicost.cost.status': 'priced',
      'aicost.cost.total': COST_WITH_CACHE,
      'aicost.price.provider_id': 'openai',
      'aicost.price.match': 'model_id',
    });
  });

  it('agree on an open-weight model: self-hosted, unpriced without a rate', async () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const sdk = price(await throughOpenAISDK('llama-3.1-70b-instruct'));
    const vercel = price(await throughVercelAI('llama-3.1-70b-instruct'));
    expect(sdk).toEqual(vercel);
    expect(sdk).toMatchObject({
      'aicost.cost.status': 'unpriced',
      'aicost.cost.status_reason': 'self_hosted_no_rate',
      'aicost.price.match': 'open_weight',
    });
    vi.restoreAllMocks();
  });
});
