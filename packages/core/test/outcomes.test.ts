import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withAttribution } from '../src/attribution/index.js';
import { recordOutcome } from '../src/outcomes/index.js';
import { AttributionSpanProcessor } from '../src/processors/attribution-processor.js';

const exporter = new InMemorySpanExporter();
let provider: TracerProvider;

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  provider = new TracerProvider({
    spanProcessors: [new AttributionSpanProcessor(), new SimpleSpanProcessor({ exporter })],
  });
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});
beforeEach(() => exporter.reset());

describe('recordOutcome', () => {
  it('exports one aicost.outcome span in the active trace, attributed from context and options', () => {
    const parent = trace.getTracer('test').startSpan('handle request');
    const ok = context.with(trace.setSpan(context.active(), parent), () =>
      withAttribution({ feature: 'support', customer: 'acme', workflow: 'ticket' }, () =>
        recordOutcome('ticket_resolved', { value: '12.5', currency: 'eur', attributes: { segment: 'smb' } }),
      ),
    );
    parent.end();
    expect(ok).toBe(true);
    const [outcome] = exporter.getFinishedSpans().filter((s) => s.name === 'aicost.outcome');
    expect(outcome?.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(outcome?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(outcome?.instrumentationScope.name).toBe('@aicost/core/outcomes');
    expect(outcome?.attributes).toEqual({
      'aicost.outcome.name': 'ticket_resolved',
      'aicost.outcome.value': '12.500000000',
      'aicost.outcome.currency': 'EUR',
      'aicost.feature': 'support',
      'aicost.customer': 'acme',
      'aicost.workflow': 'ticket',
      'aicost.segment': 'smb',
    });
  });

  it('options.attributes win over the context for this outcome only', () => {
    withAttribution({ feature: 'support', customer: 'acme' }, () => {
      recordOutcome('upgrade', { attributes: { customer: 'globex' } });
      recordOutcome('upgrade');
    });
    const customers = exporter.getFinishedSpans().map((s) => s.attributes['aicost.customer']);
    expect(customers).toEqual(['globex', 'acme']);
    expect(exporter.getFinishedSpans()[0]?.attributes['aicost.outcome.value']).toBeUndefined();
  });

  it('rejects a bad name (nothing recorded) and records the outcome without a value that is not an amount', () => {
    expect(recordOutcome('')).toBe(false);
    expect(recordOutcome('has space')).toBe(false);
    expect(recordOutcome('x'.repeat(129))).toBe(false);
    expect(recordOutcome('order', { value: '0.0000000001' })).toBe(true);
    expect(recordOutcome('order', { value: 'abc' })).toBe(true);
    expect(recordOutcome('order', { value: 3, currency: 'dollars' })).toBe(true);
    expect(recordOutcome('order', { value: 3n })).toBe(true);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(4);
    expect(spans.map((s) => s.attributes['aicost.outcome.value'] ?? null)).toEqual([
      null,
      null,
      null,
      '3.000000000',
    ]);
  });
});
