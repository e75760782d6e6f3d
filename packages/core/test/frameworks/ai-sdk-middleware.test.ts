/**
 * aicostModelMiddleware(): one priced span per doGenerate/doStream of an AI SDK model, and the
 * application sees exactly what the model returned (same result, same stream parts, same
 * errors). The real AI SDK and Mastra run in test/frameworks/mastra.test.ts.
 */
import { diag } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOtelHarness } from '../../../../test/support/otel.js';
import { withAttribution } from '../../src/attribution/index.js';
import {
  AI_SDK_MIDDLEWARE_SCOPE,
  aicostModelMiddleware,
  usageFromAISDK,
} from '../../src/frameworks/index.js';

const otel = createOtelHarness();
afterAll(() => otel.shutdown());
beforeEach(() => otel.reset());

const MODEL = { provider: 'openai.chat', modelId: 'gpt-4o-mini' };
/** v4 usage: 1,200 input of which 1,024 cache reads, 30 output. */
const USAGE_V4 = {
  inputTokens: { total: 1200, noCache: 176, cacheRead: 1024, cacheWrite: undefined },
  outputTokens: { total: 30, text: 30, reasoning: undefined },
};
/** 176 x $0.15 + 1,024 x $0.075 + 30 x $0.60, per million (gpt-4o-mini list price). */
const COST_V4 = '0.000121200';

describe('aicostModelMiddleware: doGenerate', () => {
  it('returns the model result itself and records one priced, attributed chat span', async () => {
    const result = {
      content: [{ type: 'text', text: 'Paris.' }],
      usage: USAGE_V4,
      finishReason: { unified: 'stop', raw: 'stop' },
      response: { id: 'chatcmpl-1', modelId: 'gpt-4o-mini-2024-07-18' },
    };
    const returned = await withAttribution({ feature: 'faq', customer: 'acme' }, () =>
      aicostModelMiddleware().wrapGenerate({ doGenerate: async () => result, model: MODEL }),
    );
    expect(returned).toBe(result);
    const [span] = otel.spans();
    expect(otel.spans()).toHaveLength(1);
    expect(span?.name).toBe('chat gpt-4o-mini');
    expect(span?.instrumentationScope.name).toBe(AI_SDK_MIDDLEWARE_SCOPE);
    expect(span?.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.id': 'chatcmpl-1',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.cache_read.input_tokens': 1024,
      'aicost.cost.status': 'priced',
      'aicost.cost.total': COST_V4,
      'aicost.feature': 'faq',
      'aicost.customer': 'acme',
    });
  });

  it('rethrows the model error unchanged and ends the span as an error', async () => {
    const error = new TypeError('boom');
    await expect(
      aicostModelMiddleware().wrapGenerate({
        doGenerate: async () => {
          throw error;
        },
        model: MODEL,
      }),
    ).rejects.toBe(error);
    expect(otel.spans()[0]?.attributes['error.type']).toBe('TypeError');
  });

  it('a model whose description throws: the call runs unobserved, the failure is logged once', async () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const broken = {
      get provider(): string {
        throw new Error('no provider');
      },
      modelId: 'x',
    };
    const result = { usage: USAGE_V4 };
    const middleware = aicostModelMiddleware();
    expect(await middleware.wrapGenerate({ doGenerate: async () => result, model: broken })).toBe(result);
    expect(await middleware.wrapGenerate({ doGenerate: async () => result, model: broken })).toBe(result);
    expect(otel.spans()).toHaveLength(0);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});

function streamOf(parts: unknown[], options: { close?: boolean } = {}): ReadableStream<unknown> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      if (options.close !== false) controller.close();
    },
  });
}

async function readAll(stream: ReadableStream<unknown>): Promise<unknown[]> {
  const parts: unknown[] = [];
  for await (const part of stream as unknown as AsyncIterable<unknown>) parts.push(part);
  return parts;
}

describe('aicostModelMiddleware: doStream', () => {
  const PARTS = [
    { type: 'stream-start', warnings: [] },
    { type: 'response-metadata', id: 'chatcmpl-2', modelId: 'gpt-4o-mini-2024-07-18' },
    { type: 'text-delta', id: '0', delta: 'Par' },
    { type: 'text-delta', id: '0', delta: 'is.' },
    { type: 'finish', usage: USAGE_V4, finishReason: { unified: 'stop', raw: 'stop' } },
  ];

  it('passes every part on unchanged and prices the call when the stream ends', async () => {
    const request = { headers: { a: 'b' } };
    const result = await aicostModelMiddleware().wrapStream({
      doStream: async () => ({ stream: streamOf(PARTS), request }),
      model: MODEL,
    });
    expect(result.request).toBe(request);
    const parts = await readAll(result.stream);
    expect(parts).toEqual(PARTS);
    for (const [index, part] of parts.entries()) expect(part).toBe(PARTS[index]);
    const [span] = otel.spans();
    expect(span?.attributes).toMatchObject({
      'aicost.request.stream': true,
      'gen_ai.response.id': 'chatcmpl-2',
      'aicost.cost.total': COST_V4,
    });
  });

  it('a stream the application cancels before its finish part: ended once, without usage not priced', async () => {
    const result = await aicostModelMiddleware().wrapStream({
      doStream: async () => ({ stream: streamOf(PARTS.slice(0, 3), { close: false }) }),
      model: MODEL,
    });
    const reader = result.stream.getReader();
    await reader.read();
    await reader.cancel();
    const spans = otel.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes).toMatchObject({
      'aicost.cost.status': 'unpriced',
      'aicost.cost.status_reason': 'missing_usage',
    });
  });

  it('an error part ends the span as an error, the part reaching the application', async () => {
    const failure = new Error('upstream');
    const result = await aicostModelMiddleware().wrapStream({
      doStream: async () => ({ stream: streamOf([PARTS[0], { type: 'error', error: failure }]) }),
      model: MODEL,
    });
    expect(await readAll(result.stream)).toEqual([PARTS[0], { type: 'error', error: failure }]);
    expect(otel.spans()[0]?.attributes['error.type']).toBe('Error');
  });
});

describe('usageFromAISDK', () => {
  it('reads the v4/v3 shape (totals include cache and reasoning parts) and the v2 shape', () => {
    expect(
      usageFromAISDK({
        inputTokens: { total: 100, noCache: 40, cacheRead: 50, cacheWrite: 10 },
        outputTokens: { total: 20, text: 5, reasoning: 15 },
      }),
    ).toMatchObject({
      inputTokens: 100,
      cacheReadTokens: 50,
      cacheWriteTokens: 10,
      outputTokens: 20,
      reasoningTokens: 15,
    });
    expect(
      usageFromAISDK({ inputTokens: 100, outputTokens: 20, cachedInputTokens: 50, reasoningTokens: 15 }),
    ).toMatchObject({ inputTokens: 100, cacheReadTokens: 50, outputTokens: 20, reasoningTokens: 15 });
  });

  it('no usage is undefined (missing, never $0); a bad count is invalid usage naming the field', () => {
    expect(usageFromAISDK(undefined)).toBeUndefined();
    expect(
      usageFromAISDK({ inputTokens: { total: undefined }, outputTokens: { total: undefined } }),
    ).toBeUndefined();
    expect(usageFromAISDK({ inputTokens: { total: -1 }, outputTokens: { total: 3 } })).toMatchObject({
      invalidUsage: true,
      field: 'inputTokens.total',
    });
    // A part larger than its whole is double counting.
    expect(
      usageFromAISDK({ inputTokens: { total: 10, cacheRead: 20 }, outputTokens: { total: 3 } }),
    ).toMatchObject({
      invalidUsage: true,
    });
  });
});
