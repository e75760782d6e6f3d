import { type Span as ApiSpan, type Attributes, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withAttribution } from '../src/attribution/index.js';
import { aicostSpanProcessors, CostSpanProcessor } from '../src/processors/index.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({
  spanProcessors: [...aicostSpanProcessors(), new SimpleSpanProcessor({ exporter })],
});

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(async () => {
  await provider.shutdown();
  context.disable();
});
beforeEach(() => exporter.reset());

/** Prices worked out by hand from OpenAI's list prices for gpt-4o-mini: $0.15 / $0.075 cached / $0.60 per M. */
const GPT_4O_MINI_1000_IN_100_OUT = '0.000210000';
/** 1,200 input of which 1,024 cached, 30 output: 176 x 0.15 + 1,024 x 0.075 + 30 x 0.6, per million. */
const GPT_4O_MINI_CACHED = '0.000121200';

function emit(scope: string, name: string, attributes: Attributes, parent?: ApiSpan): ReadableSpan {
  const parentContext = parent ? trace.setSpan(context.active(), parent) : context.active();
  const span = provider.getTracer(scope).startSpan(name, { attributes }, parentContext);
  span.end();
  const finished = exporter.getFinishedSpans().at(-1);
  if (finished === undefined) throw new Error('span not exported');
  return finished;
}

const semconvChat = {
  'gen_ai.provider.name': 'openai',
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.usage.input_tokens': 1000,
  'gen_ai.usage.output_tokens': 100,
};

describe('CostSpanProcessor: spans from other instrumentations', () => {
  it('prices an OpenTelemetry semconv span before export and says where the usage came from', () => {
    const span = emit('@opentelemetry/instrumentation-openai', 'chat gpt-4o-mini', semconvChat);
    expect(span.attributes).toMatchObject({
      'aicost.cost.status': 'priced',
      'aicost.cost.total': GPT_4O_MINI_1000_IN_100_OUT,
      'aicost.cost.currency': 'USD',
      'aicost.usage.source': 'opentelemetry',
    });
  });

  it('prices OpenLLMetry spans, old names (gen_ai.system, prompt_tokens) included', () => {
    const span = emit('@traceloop/instrumentation-openai', 'openai.chat', {
      'gen_ai.system': 'OpenAI',
      'llm.request.type': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.usage.prompt_tokens': 1000,
      'gen_ai.usage.completion_tokens': 100,
    });
    expect(span.attributes).toMatchObject({
      'aicost.cost.total': GPT_4O_MINI_1000_IN_100_OUT,
      'aicost.usage.source': 'openllmetry',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 1000,
    });
  });

  it('prices OpenInference spans, reading the cache split from llm.token_count.*', () => {
    const span = emit('@arizeai/openinference-instrumentation-openai', 'OpenAI Chat Completions', {
      'openinference.span.kind': 'LLM',
      'llm.system': 'openai',
      'llm.model_name': 'gpt-4o-mini-2024-07-18',
      'llm.token_count.prompt': 1200,
      'llm.token_count.completion': 30,
      'llm.token_count.prompt_details.cache_read': 1024,
    });
    expect(span.attributes).toMatchObject({
      'aicost.cost.total': GPT_4O_MINI_CACHED,
      'aicost.usage.source': 'openinference',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.cache_read.input_tokens': 1024,
    });
  });

  it('prices the Vercel AI SDK provider call and not the wrapping ai.generateText span', () => {
    const usage = {
      'ai.model.provider': 'openai.chat',
      'ai.model.id': 'gpt-4o-mini',
      'ai.usage.inputTokens': 1200,
      'ai.usage.outputTokens': 30,
      'ai.usage.inputTokenDetails.cacheReadTokens': 1024,
      'ai.usage.inputTokenDetails.noCacheTokens': 176,
    };
    const outer = provider.getTracer('ai').startSpan('ai.generateText', {
      attributes: { ...usage, 'ai.operationId': 'ai.generateText' },
    });
    const inner = emit(
      'ai',
      'ai.generateText.doGenerate',
      {
        ...usage,
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.system': 'openai.chat',
      },
      outer,
    );
    outer.end();
    const wrapper = exporter.getFinishedSpans().find((s) => s.name === 'ai.generateText');
    expect(inner.attributes).toMatchObject({
      'aicost.cost.total': GPT_4O_MINI_CACHED,
      'aicost.usage.source': 'vercel-ai',
    });
    expect(wrapper?.attributes['aicost.cost.status']).toBeUndefined();
  });

  it('prices the AI SDK OpenTelemetry integration chat span, not invoke_agent or steps', () => {
    const agent = emit('gen_ai', 'invoke_agent gpt-4o-mini', {
      ...semconvChat,
      'gen_ai.operation.name': 'invoke_agent',
    });
    const step = emit('gen_ai', 'step 1', { 'gen_ai.operation.name': 'agent_step' });
    const chat = emit('gen_ai', 'chat gpt-4o-mini', semconvChat);
    expect(agent.attributes['aicost.cost.status']).toBeUndefined();
    expect(step.attributes['aicost.cost.status']).toBeUndefined();
    expect(chat.attributes).toMatchObject({
      'aicost.cost.total': GPT_4O_MINI_1000_IN_100_OUT,
      'aicost.usage.source': 'vercel-ai',
    });
  });

  it('prices spans of provider SDKs that trace themselves, as source sdk', () => {
    const anthropic = emit('com.anthropic.sdk.typescript', 'chat claude-3-5-haiku-20241022', {
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'claude-3-5-haiku-20241022',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
    });
    // claude-3-5-haiku list price: $0.80 input, $4 output per million tokens.
    expect(anthropic.attributes).toMatchObject({
      'aicost.usage.source': 'sdk',
      'aicost.cost.total': '0.001200000',
    });
    const mistral = emit('mistralai_sdk_tracer', 'chat mistral-small-latest', {
      ...semconvChat,
      'gen_ai.provider.name': 'mistral_ai',
      'gen_ai.request.model': 'mistral-small-latest',
    });
    expect(mistral.attributes['aicost.usage.source']).toBe('sdk');
  });

  it("prices the Anthropic SDK's own span with its attribute names: cache writes at their rates, input once", () => {
    // As @anthropic-ai/sdk 1.14 writes them on `anthropic.messages.create`: 50 uncached input tokens,
    // 8,000 cache reads, 1,500 cache writes (1,000 for 5 minutes, 500 for 1 hour), 120 output tokens.
    const span = emit('com.anthropic.sdk.typescript', 'anthropic.messages.create', {
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'claude-haiku-4-5-20251001',
      'gen_ai.request.max_tokens': 128,
      'gen_ai.response.model': 'claude-haiku-4-5-20251001',
      'gen_ai.usage.input_tokens': 9550,
      'gen_ai.usage.cache_read.input_tokens': 8000,
      'gen_ai.usage.cache_write.input_tokens': 1500,
      'anthropic.usage.cache_creation.ephemeral_5m_input_tokens': 1000,
      'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': 500,
      'anthropic.response.service_tier': 'standard',
      'gen_ai.usage.output_tokens': 120,
      'anthropic.message.stop_reason': 'end_turn',
    });
    // claude-haiku-4-5 list prices per million: $1 input, $0.10 cache read, $1.25 cache write (5 min),
    // $2 (1 h), $5 output.
    expect(span.attributes).toMatchObject({
      'aicost.usage.source': 'sdk',
      'aicost.cost.input': '0.000050000', // 50 × 1,000 nano-USD
      'aicost.cost.cache_read': '0.000800000', // 8,000 × 100
      'aicost.cost.cache_write': '0.002250000', // 1,000 × 1,250 + 500 × 2,000
      'aicost.cost.output': '0.000600000', // 120 × 5,000
      'aicost.cost.total': '0.003700000',
      // Added under the semconv name; the SDK's own attributes are kept as they were.
      'gen_ai.usage.cache_creation.input_tokens': 1500,
      'gen_ai.usage.input_tokens': 9550,
      'gen_ai.usage.cache_write.input_tokens': 1500,
    });
  });

  it('sets aicost.request.stream from gen_ai.request.stream when the span has only the latter', () => {
    const streamed = emit('com.anthropic.sdk.typescript', 'anthropic.messages.create', {
      ...semconvChat,
      'gen_ai.request.stream': true,
    });
    expect(streamed.attributes['aicost.request.stream']).toBe(true);
    expect(streamed.attributes['gen_ai.request.stream']).toBe(true);

    const explicit = emit('@opentelemetry/instrumentation-openai', 'chat gpt-4o-mini', {
      ...semconvChat,
      'gen_ai.request.stream': true,
      'aicost.request.stream': false,
    });
    expect(explicit.attributes['aicost.request.stream']).toBe(false); // never replaced

    // Without gen_ai.request.stream nothing says whether the call streamed: no guess.
    const unknown = emit('@opentelemetry/instrumentation-openai', 'chat gpt-4o-mini', semconvChat);
    expect(unknown.attributes['aicost.cost.status']).toBe('priced');
    expect(unknown.attributes['aicost.request.stream']).toBeUndefined();
  });

  it('marks an unknown model unpriced with no cost attribute, never $0', () => {
    const span = emit('@opentelemetry/instrumentation-openai', 'chat mystery', {
      ...semconvChat,
      'gen_ai.request.model': 'mystery-model-9000',
    });
    expect(span.attributes['aicost.cost.status']).toBe('unpriced');
    expect(span.attributes['aicost.cost.status_reason']).toBe('unknown_model');
    expect(span.attributes['aicost.cost.total']).toBeUndefined();
  });

  it('never prices a span twice', () => {
    const span = emit('@opentelemetry/instrumentation-openai', 'chat gpt-4o-mini', {
      ...semconvChat,
      'aicost.cost.status': 'override',
      'aicost.cost.total': '1.000000000',
    });
    expect(span.attributes['aicost.cost.total']).toBe('1.000000000');
    expect(span.attributes['aicost.usage.source']).toBeUndefined();
  });

  it('leaves a foreign GenAI span alone when an aicost span covers the same call (either nesting)', () => {
    const aicostOuter = provider.getTracer('@aicost/instrumentation-anthropic').startSpan('chat claude', {
      attributes: { 'gen_ai.provider.name': 'anthropic', 'gen_ai.operation.name': 'chat' },
    });
    const sdkInner = emit('@anthropic-ai/sdk', 'chat claude', semconvChat, aicostOuter);
    aicostOuter.end();
    expect(sdkInner.attributes['aicost.cost.status']).toBeUndefined();

    const foreignOuter = provider.getTracer('@traceloop/instrumentation-openai').startSpan('chat', {
      attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat' },
    });
    emit(
      '@aicost/instrumentation-openai',
      'chat gpt-4o-mini',
      { 'gen_ai.provider.name': 'openai' },
      foreignOuter,
    );
    foreignOuter.setAttributes(semconvChat);
    foreignOuter.end();
    const outer = exporter
      .getFinishedSpans()
      .find((s) => s.instrumentationScope.name.startsWith('@traceloop/'));
    expect(outer?.attributes['aicost.cost.status']).toBeUndefined();
  });

  it('leaves spans without token usage alone', () => {
    const span = emit('@opentelemetry/instrumentation-http', 'GET', { 'http.request.method': 'GET' });
    expect(Object.keys(span.attributes).some((key) => key.startsWith('aicost.'))).toBe(false);
  });

  it('carries attribution onto the priced span', () => {
    const span = withAttribution({ feature: 'search' }, () =>
      emit('@opentelemetry/instrumentation-openai', 'chat gpt-4o-mini', semconvChat),
    );
    expect(span.attributes).toMatchObject({ 'aicost.feature': 'search', 'aicost.cost.status': 'priced' });
  });
});

describe('CostSpanProcessor without onEnding (older SDKs)', () => {
  it('writes the cost in onEnd, before a later export processor sees the span', () => {
    const cost = new CostSpanProcessor({ recordCostMetrics: false });
    // A processor chain as an SDK without the onEnding hook would run it.
    const legacyCost: SpanProcessor = {
      onStart: (span, ctx) => cost.onStart(span, ctx),
      onEnd: (span) => cost.onEnd(span),
      forceFlush: () => cost.forceFlush(),
      shutdown: () => cost.shutdown(),
    };
    const legacyExporter = new InMemorySpanExporter();
    const legacyProvider = new TracerProvider({
      spanProcessors: [legacyCost, new SimpleSpanProcessor({ exporter: legacyExporter })],
    });
    legacyProvider
      .getTracer('@opentelemetry/instrumentation-openai')
      .startSpan('chat', { attributes: semconvChat })
      .end();
    expect(legacyExporter.getFinishedSpans()[0]?.attributes['aicost.cost.total']).toBe(
      GPT_4O_MINI_1000_IN_100_OUT,
    );
  });
});
