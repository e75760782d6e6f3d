import { createGenAIRecorder } from '@aicost/core';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { register } from '../src/index.js';

// The environment maps two hosts; register() maps one of them differently, and two more.
process.env.AICOST_HOSTS = 'env-gw.internal=anthropic,both.internal=openai';

const exporter = new InMemorySpanExporter();
const handle = register({
  traceExporter: exporter,
  metricReaders: [],
  exitHooks: false,
  hosts: { 'both.internal': 'self_hosted', 'vllm.internal:8000': 'self_hosted', 'llm-gw.internal': 'openai' },
  prices: { version: 'rates-v1', self_hosted: [{ input_mtok: '1', output_mtok: '2' }] },
});

afterAll(async () => {
  await handle.shutdown();
  delete process.env.AICOST_HOSTS;
});

const usage = {
  inputTokens: 1000,
  outputTokens: 100,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  requests: 1,
};

/** An OpenAI-compatible call as an aicost instrumentation records it, and the same call as another instrumentation writes it. */
async function pricedBothWays(serverAddress: string, serverPort: number, model: string) {
  exporter.reset();
  const call = createGenAIRecorder({
    tracer: trace.getTracer('@aicost/instrumentation-openai'),
    captureContent: false,
  }).start({ provider: 'self_hosted', operation: 'chat', requestModel: model, serverAddress, serverPort });
  call.setUsage(usage);
  call.end();
  trace
    .getTracer('@opentelemetry/instrumentation-openai')
    .startSpan(`chat ${model}`, {
      attributes: {
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': model,
        'server.address': serverAddress,
        'server.port': serverPort,
        'gen_ai.usage.input_tokens': usage.inputTokens,
        'gen_ai.usage.output_tokens': usage.outputTokens,
      },
    })
    .end();
  await handle.forceFlush();
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(2);
  return spans.map((span) => span.attributes);
}

describe('register({ hosts }) and AICOST_HOSTS', () => {
  it('a host declared self-hosted is priced by the self-hosted rate, on both paths', async () => {
    for (const attributes of await pricedBothWays('vllm.internal', 8000, 'gpt-4o-mini')) {
      // 1000 x $1/M + 100 x $2/M
      expect(attributes).toMatchObject({
        'aicost.cost.status': 'override',
        'aicost.cost.total': '0.001200000',
        'aicost.price.match': 'self_hosted_rate',
      });
    }
  });

  it('a host mapped to a provider is priced as that provider', async () => {
    for (const attributes of await pricedBothWays('llm-gw.internal', 443, 'gpt-4o-mini')) {
      // 1000 x $0.15/M + 100 x $0.60/M
      expect(attributes).toMatchObject({
        'aicost.cost.total': '0.000210000',
        'aicost.price.provider_id': 'openai',
        'aicost.price.match': 'user_host_mapping',
      });
    }
  });

  it('code wins over the environment for the same host; the environment still maps the others', async () => {
    for (const attributes of await pricedBothWays('both.internal', 443, 'gpt-4o-mini')) {
      expect(attributes['aicost.price.match']).toBe('self_hosted_rate');
    }
    for (const attributes of await pricedBothWays('env-gw.internal', 443, 'claude-sonnet-4-5')) {
      expect(attributes).toMatchObject({
        'aicost.price.provider_id': 'anthropic',
        'aicost.price.match': 'user_host_mapping',
      });
    }
  });
});
