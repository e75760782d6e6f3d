import { context, propagation, trace } from '@opentelemetry/api';
import { MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { register, withAttribution } from '../src/index.js';

class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const exporter = new InMemorySpanExporter();
const reader = new CollectingReader();
const handle = register({
  serviceName: 'register-test',
  traceExporter: exporter,
  metricReaders: [reader],
  baggageAllowList: ['feature'],
  exitHooks: false,
});

afterAll(() => handle.shutdown());

describe('register()', () => {
  it('is idempotent: a second call returns the same handle and starts nothing new', () => {
    expect(register()).toBe(handle);
    expect(register({ serviceName: 'other' })).toBe(handle);
    expect(handle.tracerProvider).toBeDefined();
    expect(handle.meterProvider).toBeDefined();
  });

  it('installs the aicost processors before export: spans leave attributed and priced', async () => {
    withAttribution({ feature: 'search', customer: 'acme' }, () => {
      trace
        .getTracer('@opentelemetry/instrumentation-openai')
        .startSpan('chat gpt-4o-mini', {
          attributes: {
            'gen_ai.provider.name': 'openai',
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': 'gpt-4o-mini',
            'gen_ai.usage.input_tokens': 1000,
            'gen_ai.usage.output_tokens': 100,
          },
        })
        .end();
    });
    await handle.forceFlush();
    const span = exporter.getFinishedSpans().find((s) => s.name === 'chat gpt-4o-mini');
    expect(span?.attributes).toMatchObject({
      'aicost.feature': 'search',
      'aicost.customer': 'acme',
      'aicost.cost.status': 'priced',
      // $0.15 per million input, $0.60 per million output (OpenAI list price of gpt-4o-mini).
      'aicost.cost.total': '0.000210000',
    });
    expect(span?.resource.attributes['service.name']).toBe('register-test');

    const { resourceMetrics } = await reader.collect();
    const cost = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'aicost.cost');
    expect(cost?.dataPoints[0]?.value).toBeCloseTo(0.00021, 12);
  });

  it('propagates trace context and only allow-listed attribution in baggage', () => {
    const headers: Record<string, string> = {};
    const span = trace.getTracer('test').startSpan('parent');
    context.with(trace.setSpan(context.active(), span), () =>
      withAttribution({ feature: 'search', customer: 'acme' }, () =>
        propagation.inject(context.active(), headers),
      ),
    );
    span.end();
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(headers.baggage).toBe('aicost.feature=search');
  });
});
