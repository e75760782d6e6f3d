/**
 * The shared test helpers that assert or wait on behalf of the packages' tests: a helper that
 * cannot fail would let those tests pass on anything.
 */
import {
  ATTR_AICOST_COST_STATUS,
  ATTR_AICOST_COST_STATUS_REASON,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
} from '@aicost/core';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { drain } from './instrumentation.js';
import { createMockServer, json } from './mock-server.js';
import { createOtelHarness } from './otel.js';
import {
  expectClientSpanWithoutContent,
  expectErrorSpan,
  expectUnpriced,
  outputMessages,
} from './span-assertions.js';

describe('createMockServer', () => {
  it('has no URL until it listens, then answers like a started one', async () => {
    const server = createMockServer();
    expect(() => server.url).toThrow('not listening yet');
    await server.listen();
    server.on('GET', '/v1/up', json({ up: true }));
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(await (await fetch(`${server.url}/v1/up`)).json()).toEqual({ up: true });
    expect(await (await server.fetch('https://api.example.com/v1/up')).json()).toEqual({ up: true });
    await server.close();
  });
});

describe('drain', () => {
  it('reads a stream to its end, in order', async () => {
    async function* three() {
      yield* [1, 2, 3];
    }
    expect(await drain(three())).toEqual([1, 2, 3]);
  });
});

describe('span assertions', () => {
  it('pass on the span they describe and fail on any other', async () => {
    const otel = createOtelHarness();
    const tracer = trace.getTracer('t');
    tracer.startSpan('ok', { kind: SpanKind.CLIENT, attributes: { 'gen_ai.request.model': 'm' } }).end();
    const failed = tracer.startSpan('failed', {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_ERROR_TYPE]: 'AbortError',
        [ATTR_AICOST_COST_STATUS]: 'unpriced',
        [ATTR_AICOST_COST_STATUS_REASON]: 'missing_usage',
        [ATTR_GEN_AI_OUTPUT_MESSAGES]: '[{"role":"assistant"}]',
      },
    });
    failed.setStatus({ code: SpanStatusCode.ERROR });
    failed.end();
    const [okSpan, failedSpan] = await otel.waitForSpans(2);

    expectClientSpanWithoutContent(okSpan!, { 'gen_ai.request.model': 'm' });
    expect(() => expectClientSpanWithoutContent(okSpan!, { 'gen_ai.request.model': 'other' })).toThrow();
    expect(() => expectClientSpanWithoutContent(failedSpan!, {})).toThrow();
    expectErrorSpan(failedSpan!, 'AbortError');
    expect(() => expectErrorSpan(failedSpan!, 'TypeError')).toThrow();
    expect(() => expectErrorSpan(okSpan!, 'AbortError')).toThrow();
    expectUnpriced(failedSpan!, 'missing_usage');
    expect(() => expectUnpriced(failedSpan!, 'unknown_model')).toThrow();
    expect(() => expectUnpriced(okSpan!)).toThrow();
    expect(outputMessages(failedSpan!)).toEqual([{ role: 'assistant' }]);
    await otel.shutdown();
  });
});
