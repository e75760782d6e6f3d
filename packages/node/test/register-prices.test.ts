import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGenAIRecorder, getDefaultPricer } from '@aicost/core';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { register } from '../src/index.js';

// The overrides file holds a price for every `house-*` model and one for a model only it knows;
// register() gets a different price for `house-model-1` in code.
const directory = mkdtempSync(join(tmpdir(), 'aicost-register-prices-'));
const pricesFile = join(directory, 'prices.json');
writeFileSync(
  pricesFile,
  JSON.stringify({
    version: 'file-v1',
    prices: [
      { provider: 'openai', model: 'house-*', input_mtok: 10, output_mtok: 10 },
      { provider: 'openai', model: 'file-only-model', input_mtok: 1, output_mtok: 1 },
    ],
  }),
);
process.env.AICOST_PRICES_FILE = pricesFile;

const exporter = new InMemorySpanExporter();
const handle = register({
  traceExporter: exporter,
  metricReaders: [],
  exitHooks: false,
  prices: {
    version: 'code-v1',
    prices: [{ provider: 'openai', model: 'house-model-*', input_mtok: '2', output_mtok: '4' }],
  },
});

afterAll(async () => {
  await handle.shutdown();
  delete process.env.AICOST_PRICES_FILE;
  rmSync(directory, { recursive: true, force: true });
});

const usage = {
  inputTokens: 1000,
  outputTokens: 100,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  requests: 1,
};

/** A call as an aicost instrumentation records it: the recorder prices with the default price book. */
function aicostCall(model: string): void {
  const recorder = createGenAIRecorder({
    tracer: trace.getTracer('@aicost/instrumentation-openai'),
    captureContent: false,
  });
  const call = recorder.start({ provider: 'openai', operation: 'chat', requestModel: model });
  call.setResponse({ responseModel: model });
  call.setUsage(usage);
  call.end();
}

/** The same call as another instrumentation writes it: usage, no cost; the cost processor prices it. */
function foreignCall(model: string): void {
  trace
    .getTracer('@opentelemetry/instrumentation-openai')
    .startSpan(`chat ${model}`, {
      attributes: {
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': model,
        'gen_ai.response.model': model,
        'gen_ai.usage.input_tokens': usage.inputTokens,
        'gen_ai.usage.output_tokens': usage.outputTokens,
      },
    })
    .end();
}

async function costsOf(model: string) {
  exporter.reset();
  aicostCall(model);
  foreignCall(model);
  await handle.forceFlush();
  const spans = exporter.getFinishedSpans();
  const attributesOf = (scope: string) =>
    spans.find((span) => span.instrumentationScope.name === scope)?.attributes ?? {};
  return {
    aicost: attributesOf('@aicost/instrumentation-openai'),
    foreign: attributesOf('@opentelemetry/instrumentation-openai'),
  };
}

describe('register({ prices })', () => {
  it('prices an aicost span and a foreign span with the same override', async () => {
    const { aicost, foreign } = await costsOf('house-model-1');
    // 1000 input at $2/M + 100 output at $4/M = 0.002 + 0.0004.
    const expected = {
      'aicost.cost.status': 'override',
      'aicost.cost.total': '0.002400000',
      // The version names both sources, in the order they are applied (the file, then the code over it).
      'aicost.price.version': 'file-v1+code-v1',
    };
    expect(aicost).toMatchObject(expected);
    expect(foreign).toMatchObject(expected);
    expect(foreign['aicost.usage.source']).not.toBe(aicost['aicost.usage.source']);
  });

  it('keeps AICOST_PRICES_FILE entries the code does not override', async () => {
    const { aicost, foreign } = await costsOf('file-only-model');
    // 1000 input + 100 output at $1/M.
    expect(aicost).toMatchObject({ 'aicost.cost.status': 'override', 'aicost.cost.total': '0.001100000' });
    expect(foreign).toMatchObject({ 'aicost.cost.status': 'override', 'aicost.cost.total': '0.001100000' });
  });

  it('makes the override book the process default', () => {
    expect(getDefaultPricer().overrides.version).toBe('file-v1+code-v1');
  });
});
