import { type Attributes, diag } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { aicostSpanProcessors } from '../src/processors/index.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({
  spanProcessors: [...aicostSpanProcessors(), new SimpleSpanProcessor({ exporter })],
});
afterAll(() => provider.shutdown());
beforeEach(() => {
  exporter.reset();
  vi.restoreAllMocks();
});

function emit(attributes: Attributes): Attributes {
  provider.getTracer('@opentelemetry/instrumentation-openai').startSpan('chat', { attributes }).end();
  return (exporter.getFinishedSpans().at(-1) as ReadableSpan).attributes;
}

const chat = (model: string, extra: Attributes = {}): Attributes => ({
  'gen_ai.provider.name': 'openai',
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': model,
  'gen_ai.usage.input_tokens': 1000,
  'gen_ai.usage.output_tokens': 100,
  ...extra,
});

describe('CostSpanProcessor: the same routing rule as the instrumentations', () => {
  it('prices a catalogue model through a gateway address by its model id', () => {
    // 1000 x $0.15/M + 100 x $0.60/M
    expect(emit(chat('gpt-4o-mini', { 'server.address': '10.0.0.5', 'server.port': 4000 }))).toMatchObject({
      'aicost.cost.status': 'priced',
      'aicost.cost.total': '0.000210000',
      'aicost.price.provider_id': 'openai',
      'aicost.price.match': 'model_id',
    });
  });

  it('prices a gateway-prefixed id at its vendor list price', () => {
    // 1000 x $3/M + 100 x $15/M
    expect(
      emit(
        chat('anthropic/claude-sonnet-4-5', { 'server.address': 'llm-gw.corp.example', 'server.port': 443 }),
      ),
    ).toMatchObject({
      'aicost.cost.total': '0.004500000',
      'aicost.price.provider_id': 'anthropic',
      'aicost.price.match': 'model_id_prefixed',
    });
  });

  it('leaves an open-weight model on a gateway self-hosted', () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    expect(emit(chat('qwen3-32b', { 'server.address': '10.0.0.5' }))).toMatchObject({
      'aicost.cost.status': 'unpriced',
      'aicost.cost.status_reason': 'self_hosted_no_rate',
      'aicost.price.match': 'open_weight',
    });
  });

  it('reads the served tier from openai.response.service_tier and writes aicost.service_tier', () => {
    // flex: half of 1000 x $0.15/M + 100 x $0.60/M
    expect(
      emit(
        chat('gpt-4o-mini', { 'server.address': 'api.openai.com', 'openai.response.service_tier': 'flex' }),
      ),
    ).toMatchObject({
      'aicost.service_tier': 'flex',
      'aicost.cost.total': '0.000105000',
      'aicost.price.match': 'host',
    });
  });
});
