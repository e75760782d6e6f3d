import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createOtelHarness, pointsMatching } from '../../../../test/support/otel.js';
import { createGenAIRecorder, errorType } from '../../src/instrumentation/recorder.js';
import type { TokenUsage } from '../../src/types.js';

const otel = createOtelHarness();
afterAll(() => otel.shutdown());
beforeEach(() => otel.reset());

const recorder = createGenAIRecorder({
  tracer: trace.getTracer('@aicost/test-recorder'),
  meter: otel.meterProvider.getMeter('@aicost/test-recorder'),
  instrumentationName: '@aicost/test-recorder',
  captureContent: false,
});

const usage = (parts: Partial<TokenUsage>): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  requests: 1,
  ...parts,
});

describe('createGenAIRecorder', () => {
  it('makes one CLIENT span named "{operation} {model}" with the request attributes', async () => {
    const call = recorder.start({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini',
      serverAddress: 'api.openai.com',
      serverPort: 443,
      requestAttributes: { 'gen_ai.request.temperature': 0.2 },
    });
    call.end();
    const [span] = await otel.waitForSpans(1);
    expect(span!.name).toBe('chat gpt-4o-mini');
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'server.address': 'api.openai.com',
      'server.port': 443,
      'gen_ai.request.temperature': 0.2,
    });
    expect(span!.attributes['aicost.request.stream']).toBe(false);
  });

  it('prices the ledger exactly: gpt-4o-mini $0.15 input, $0.075 cached input, $0.60 output per million', async () => {
    const call = recorder.start({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4o-mini' });
    call.setResponse({
      responseModel: 'gpt-4o-mini-2024-07-18',
      responseId: 'chatcmpl-1',
      finishReasons: ['stop'],
    });
    call.setUsage(usage({ inputTokens: 1000, cacheReadTokens: 200, outputTokens: 500 }));
    call.end();
    const [span] = await otel.waitForSpans(1);
    // 800 x 0.15e-6 = 0.000120, 200 x 0.075e-6 = 0.000015, 500 x 0.6e-6 = 0.000300
    expect(span!.attributes).toMatchObject({
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.id': 'chatcmpl-1',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.cache_read.input_tokens': 200,
      'gen_ai.usage.output_tokens': 500,
      'aicost.usage.source': 'aicost',
      'aicost.cost.status': 'priced',
      'aicost.cost.input': '0.000120000',
      'aicost.cost.cache_read': '0.000015000',
      'aicost.cost.output': '0.000300000',
      'aicost.cost.total': '0.000435000',
      'aicost.cost.currency': 'USD',
    });
  });

  it('ends unpriced / missing_usage without any cost attribute when usage is absent', async () => {
    const call = recorder.start({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini',
      stream: true,
    });
    call.end();
    const [span] = await otel.waitForSpans(1);
    expect(span!.attributes['aicost.cost.status']).toBe('unpriced');
    expect(span!.attributes['aicost.cost.status_reason']).toBe('missing_usage');
    expect(
      Object.keys(span!.attributes).filter(
        (k) => k.startsWith('aicost.cost.') && !k.startsWith('aicost.cost.status'),
      ),
    ).toEqual([]);
  });

  it('ends unpriced with the given reason when the unit cannot be priced', async () => {
    const call = recorder.start({
      provider: 'openai',
      operation: 'audio_transcription',
      requestModel: 'whisper-1',
    });
    call.markUnpriced('unsupported_unit');
    call.end();
    const [span] = await otel.waitForSpans(1);
    expect(span!.attributes['aicost.cost.status_reason']).toBe('unsupported_unit');
    expect(span!.attributes['aicost.cost.total']).toBeUndefined();
  });

  it('a partial stream with usage: estimated / partial_stream, priced from the usage seen (a lower bound)', async () => {
    const call = recorder.start({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini',
      stream: true,
    });
    call.setUsage(usage({ inputTokens: 1000, outputTokens: 10 }));
    call.markPartial();
    call.fail(new Error('socket hang up'));
    const [span] = await otel.waitForSpans(1);
    // 1000 x 0.15e-6 = 0.000150, 10 x 0.6e-6 = 0.000006
    expect(span!.attributes).toMatchObject({
      'aicost.cost.status': 'estimated',
      'aicost.cost.status_reason': 'partial_stream',
      'aicost.cost.total': '0.000156000',
      'aicost.request.stream': true,
    });
    const cost = pointsMatching(await otel.metric('aicost.cost'), { 'aicost.cost.status': 'estimated' });
    expect(cost.map((p) => p.value)).toEqual([0.000156]);
  });

  it('a partial stream without usage stays unpriced / missing_usage; an unknown model keeps its reason', async () => {
    const noUsage = recorder.start({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4o-mini' });
    noUsage.markPartial();
    noUsage.end();
    const unknown = recorder.start({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'no-such-model-x',
    });
    unknown.setUsage(usage({ inputTokens: 5 }));
    unknown.markPartial();
    unknown.end();
    const spans = await otel.waitForSpans(2);
    expect(
      spans.map((s) => [s.attributes['aicost.cost.status'], s.attributes['aicost.cost.status_reason']]),
    ).toEqual([
      ['unpriced', 'missing_usage'],
      ['unpriced', 'unknown_model'],
    ]);
    expect(spans.every((s) => s.attributes['aicost.cost.total'] === undefined)).toBe(true);
  });

  it('ends the span once however often end() and fail() are called', async () => {
    const call = recorder.start({ provider: 'openai', operation: 'chat', requestModel: 'm' });
    call.fail(new TypeError('first'));
    call.end();
    call.fail(new Error('second'));
    await new Promise((r) => setTimeout(r, 10));
    const spans = otel.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'first' });
    expect(spans[0]!.attributes['error.type']).toBe('TypeError');
    expect(spans[0]!.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('records time to first chunk once, on the span and as a metric', async () => {
    const call = recorder.start({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'ttfc-model',
      stream: true,
    });
    await new Promise((r) => setTimeout(r, 20));
    call.firstChunk();
    await new Promise((r) => setTimeout(r, 20));
    call.firstChunk();
    call.end();
    const [span] = await otel.waitForSpans(1);
    const ttfc = span!.attributes['aicost.response.time_to_first_chunk'] as number;
    expect(ttfc).toBeGreaterThanOrEqual(0.015);
    expect(ttfc).toBeLessThan(0.035);
    const points = pointsMatching(await otel.metric('gen_ai.client.operation.time_to_first_chunk'), {
      'gen_ai.request.model': 'ttfc-model',
    });
    expect(points).toHaveLength(1);
  });

  it('records token, duration and cost metrics with the attribution from the parent context', async () => {
    const parent = propagation.setBaggage(
      context.active(),
      propagation.createBaggage({ 'aicost.feature': { value: 'search' } }),
    );
    const call = recorder.start(
      { provider: 'openai', operation: 'chat', requestModel: 'gpt-4o-mini' },
      parent,
    );
    call.setUsage(usage({ inputTokens: 1000, outputTokens: 500 }));
    call.end();
    const tokens = await otel.metric('gen_ai.client.token.usage');
    const input = pointsMatching<any>(tokens, {
      'gen_ai.token.type': 'input',
      'gen_ai.request.model': 'gpt-4o-mini',
    });
    expect(input[0]!.value.sum).toBe(1000);
    const cost = pointsMatching<number>(await otel.metric('aicost.cost'), { 'aicost.feature': 'search' });
    // 1000 x 0.15e-6 + 500 x 0.6e-6 = 0.00045 USD
    expect(cost[0]!.value).toBeCloseTo(0.00045, 12);
    expect(pointsMatching(await otel.metric('gen_ai.client.operation.duration'))).not.toHaveLength(0);
  });

  it('records content only when capture is on', async () => {
    const capturing = createGenAIRecorder({ tracer: trace.getTracer('t'), captureContent: true });
    const a = capturing.start({ provider: 'openai', operation: 'chat', requestModel: 'm' });
    a.recordContent({ inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }] });
    a.end();
    const b = recorder.start({ provider: 'openai', operation: 'chat', requestModel: 'm' });
    b.recordContent({ inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }] });
    b.end();
    const [first, second] = await otel.waitForSpans(2);
    expect(JSON.parse(first!.attributes['gen_ai.input.messages'] as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'hi' }] },
    ]);
    expect(second!.attributes['gen_ai.input.messages']).toBeUndefined();
  });
});

describe('errorType', () => {
  it('prefers the class name, else a telling name, else _OTHER', () => {
    class RateLimitError extends Error {}
    expect(errorType(new RateLimitError('x'))).toBe('RateLimitError');
    expect(errorType(new DOMException('aborted', 'AbortError'))).toBe('AbortError');
    const named = new Error('x');
    named.name = 'TimeoutError';
    expect(errorType(named)).toBe('TimeoutError');
    expect(errorType('string')).toBe('_OTHER');
  });
});
