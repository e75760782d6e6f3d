import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setAttribution, withAttribution } from '../src/attribution/index.js';
import { AttributionSpanProcessor } from '../src/processors/attribution-processor.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({
  spanProcessors: [new AttributionSpanProcessor(), new SimpleSpanProcessor({ exporter })],
});
const tracer = provider.getTracer('test');

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(async () => {
  await provider.shutdown();
  context.disable();
});
beforeEach(() => exporter.reset());

function attributesOf(name: string) {
  const span = exporter.getFinishedSpans().find((s) => s.name === name);
  if (span === undefined) throw new Error(`no span ${name}`);
  return span.attributes;
}

describe('AttributionSpanProcessor', () => {
  it('copies the attribution in effect at span start onto every span, whoever starts it', async () => {
    await withAttribution({ feature: 'search', customer: 'acme', region: 'eu' }, async () => {
      await tracer.startActiveSpan('outer', async (outer) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        provider.getTracer('someone-else').startSpan('inner').end();
        outer.end();
      });
    });
    for (const name of ['outer', 'inner']) {
      expect(attributesOf(name)).toMatchObject({
        'aicost.feature': 'search',
        'aicost.customer': 'acme',
        'aicost.attr.region': 'eu',
      });
    }
  });

  it('includes values set with setAttribution before the span starts, not after', () => {
    withAttribution({ feature: 'chat' }, () => {
      tracer.startSpan('before').end();
      setAttribution({ customer: 'late' });
      tracer.startSpan('after').end();
    });
    expect(attributesOf('before')['aicost.customer']).toBeUndefined();
    expect(attributesOf('after')).toMatchObject({ 'aicost.feature': 'chat', 'aicost.customer': 'late' });
  });

  it('keeps an attribute the span creator set explicitly', () => {
    withAttribution({ customer: 'ambient' }, () => {
      tracer.startSpan('explicit', { attributes: { 'aicost.customer': 'explicit' } }).end();
    });
    expect(attributesOf('explicit')['aicost.customer']).toBe('explicit');
  });

  it('adds nothing outside attribution', () => {
    tracer.startSpan('plain').end();
    expect(Object.keys(attributesOf('plain')).filter((key) => key.startsWith('aicost.'))).toEqual([]);
  });
});
