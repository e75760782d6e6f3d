/**
 * One model call, one request row. Which spans are model calls is decided once, by
 * @aicost/core's identifyForeignCall (processors/foreign-calls.ts); the request table's filter
 * (aicost_model_call_span, 020_requests.sql) must take the same decision, on spans of every
 * shape and on the spans real emitters produce: the Vercel AI SDK (`ai` with @ai-sdk/otel, both
 * integrations, generateText and streamText), OpenLLMetry and OpenInference around the real
 * `openai` SDK, each against a loopback server, exported as the clickhouseexporter writes rows.
 */
import { createRequire } from 'node:module';
import { createOpenAI } from '@ai-sdk/openai';
import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPricer, exportPriceAliases, exportPriceRows } from '../../packages/core/src/pricing/index.js';
import { identifyForeignCall } from '../../packages/core/src/processors/foreign-calls.js';
import { COST_WITH_CACHE, chatCompletionWithCache } from '../foreign-spans/openai-fixture.js';
import {
  type AttributeValue,
  type EngineSession,
  exporterSpanOf,
  type FinishedSpan,
  insertSpans,
  loadPriceRows,
  openMigratedEngine,
} from '../support/chdb.js';
import { type MockServer, startMockServer } from '../support/mock-server.js';
import { createOtelHarness, type OtelHarness } from '../support/otel.js';

const require = createRequire(import.meta.url);

let engine: EngineSession;
let server: MockServer;
let otel: OtelHarness;

beforeAll(async () => {
  engine = await openMigratedEngine();
  const pricer = createPricer({ pricesFile: false });
  await loadPriceRows(engine, exportPriceRows({ pricer }), exportPriceAliases({ pricer }));
  server = await startMockServer();
  server.on('POST', '/v1/chat/completions', chatCompletionWithCache);
  otel = createOtelHarness();
}, 120_000);
afterAll(async () => {
  await otel?.shutdown();
  await server?.close();
  await engine?.close();
});

/** Runs `call`, inserts every span it produced as the exporter would, returns them. */
async function exported(call: () => Promise<unknown>): Promise<ReadableSpan[]> {
  otel.reset();
  await call();
  const spans = otel.spans() as ReadableSpan[];
  await insertSpans(
    engine,
    spans.map((span) => exporterSpanOf(span as unknown as FinishedSpan)),
  );
  return spans;
}

function requestRows(spans: readonly ReadableSpan[]) {
  const traces = [...new Set(spans.map((span) => span.spanContext().traceId))];
  return engine.query<{
    span_name: string;
    operation: string;
    cost_status: string;
    cost_total: string | null;
  }>(
    `SELECT span_name, operation, cost_status, cost_total FROM otel.aicost_requests
     WHERE trace_id IN (${traces.map((id) => `'${id}'`).join(', ')}) ORDER BY span_name`,
  );
}

function vercelModel() {
  return createOpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1` }).chat('gpt-4o-mini');
}

describe('real emitters: one request row per model call', () => {
  for (const [integration, make] of [
    ['OpenTelemetry', () => new OpenTelemetry()],
    ['LegacyOpenTelemetry', () => new LegacyOpenTelemetry()],
  ] as const) {
    it(`Vercel AI SDK generateText (${integration}): one row, the priced call`, async () => {
      const spans = await exported(() =>
        generateText({
          model: vercelModel(),
          prompt: 'What is the capital of France?',
          telemetry: { integrations: [make()] },
        }),
      );
      expect(spans.length).toBeGreaterThan(1);
      const rows = requestRows(spans);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ cost_status: 'priced', cost_total: COST_WITH_CACHE });
    });

    it(`Vercel AI SDK streamText (${integration}): one row, the priced call`, async () => {
      const spans = await exported(async () => {
        const result = streamText({
          model: vercelModel(),
          prompt: 'What is the capital of France?',
          telemetry: { integrations: [make()] },
        });
        expect(await result.text).toBe('The capital of France is Paris.');
        await result.usage;
        await new Promise((resolve) => setTimeout(resolve, 50));
      });
      expect(spans.length).toBeGreaterThan(1);
      const rows = requestRows(spans);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ cost_status: 'priced', cost_total: COST_WITH_CACHE });
    });
  }

  type OpenAIModule = { OpenAI: new (options: Record<string, unknown>) => any };
  function freshOpenAI(): OpenAIModule {
    for (const key of Object.keys(require.cache)) if (key.includes('/openai/')) delete require.cache[key];
    return require('openai') as OpenAIModule;
  }
  async function chat(openai: OpenAIModule) {
    const client = new openai.OpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 0 });
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
  }

  it('OpenLLMetry and OpenInference around the openai SDK: one row each', async () => {
    for (const [name, load] of [
      [
        '@traceloop/instrumentation-openai',
        () => require('@traceloop/instrumentation-openai').OpenAIInstrumentation,
      ],
      [
        '@arizeai/openinference-instrumentation-openai',
        () => require('@arizeai/openinference-instrumentation-openai').OpenAIInstrumentation,
      ],
    ] as const) {
      const Instrumentation = load();
      const instrumentation = new Instrumentation();
      instrumentation.setTracerProvider(otel.tracerProvider);
      const openai = freshOpenAI();
      instrumentation.manuallyInstrument(openai.OpenAI);
      const spans = await exported(() => chat(openai));
      instrumentation.disable();
      expect(spans.map((span) => span.instrumentationScope.name)).toContain(name);
      const rows = requestRows(spans);
      expect(rows, name).toHaveLength(1);
      // The cost the processor gave the call in JavaScript (OpenLLMetry reports no cache split).
      const costed = spans.filter((span) => span.attributes['aicost.cost.total'] !== undefined);
      expect(costed, name).toHaveLength(1);
      expect(rows[0], name).toMatchObject({
        cost_status: 'priced',
        cost_total: costed[0]!.attributes['aicost.cost.total'],
      });
    }
  });
});

describe('the request filter takes @aicost/core decision on every span shape', () => {
  const USAGE = {
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.usage.input_tokens': 100,
    'gen_ai.usage.output_tokens': 10,
  };
  const OPENINFERENCE = {
    'llm.provider': 'openai',
    'llm.model_name': 'gpt-4o-mini',
    'llm.token_count.prompt': 100,
    'llm.token_count.completion': 10,
  };
  const shapes: Record<string, Record<string, AttributeValue>> = {};
  for (const operation of [
    'chat',
    'text_completion',
    'generate_content',
    'embeddings',
    'image_generation',
    'audio_transcription',
    'audio_speech',
    'completion',
    'embedding',
    'invoke_agent',
    'create_agent',
    'agent_step',
    'execute_tool',
    'invoke_workflow',
    'retrieval',
  ]) {
    shapes[`gen_ai.operation.name=${operation}`] = { ...USAGE, 'gen_ai.operation.name': operation };
    shapes[`llm.request.type=${operation}`] = { ...USAGE, 'llm.request.type': operation };
  }
  shapes['no operation'] = { ...USAGE };
  for (const kind of ['LLM', 'EMBEDDING', 'AGENT', 'CHAIN', 'TOOL', 'RETRIEVER', 'RERANKER', 'GUARDRAIL']) {
    shapes[`openinference.span.kind=${kind}`] = {
      ...USAGE,
      ...OPENINFERENCE,
      'openinference.span.kind': kind,
    };
  }
  for (const operationId of [
    'ai.generateText',
    'ai.generateText.doGenerate',
    'ai.streamText',
    'ai.streamText.doStream',
    'ai.embed',
    'ai.embed.doEmbed',
    'ai.toolCall',
    'ai.generateObject',
    'ai.generateObject.doGenerate',
  ]) {
    shapes[`ai.operationId=${operationId}`] = {
      ...USAGE,
      'gen_ai.system': 'openai.chat',
      'ai.operationId': operationId,
      'ai.model.provider': 'openai.chat',
      'ai.model.id': 'gpt-4o-mini',
      'ai.usage.inputTokens': 100,
      'ai.usage.outputTokens': 10,
    };
  }

  it('keeps a span as a request exactly when identifyForeignCall calls it a model call', async () => {
    const names = Object.keys(shapes);
    const traceId = 'f'.repeat(32);
    await insertSpans(
      engine,
      names.map((name, index) => ({
        start: new Date('2026-11-02T10:00:00Z'),
        traceId,
        spanId: (index + 1).toString(16).padStart(16, '0'),
        name,
        scopeName: 'some-emitter',
        resource: { 'service.name': 'shapes' },
        attributes: shapes[name],
      })),
    );
    const kept = new Set(
      engine
        .query<{ span_name: string }>(
          `SELECT span_name FROM otel.aicost_requests WHERE trace_id = '${traceId}'`,
        )
        .map((row) => row.span_name),
    );
    const decisions = names.map((name) => {
      const js = identifyForeignCall({
        attributes: shapes[name],
        instrumentationScope: { name: 'some-emitter' },
      } as unknown as ReadableSpan);
      return { name, js: js !== undefined, sql: kept.has(name) };
    });
    expect(decisions.filter((d) => d.js !== d.sql)).toEqual([]);
    // Both outcomes are exercised.
    expect(decisions.filter((d) => d.js).length).toBeGreaterThan(10);
    expect(decisions.filter((d) => !d.js).length).toBeGreaterThan(10);
  });
});
