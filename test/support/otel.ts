/**
 * An in-memory OpenTelemetry setup for tests: a tracer provider exporting to
 * an InMemorySpanExporter, a meter provider read on demand, an
 * AsyncLocalStorage context manager and W3C trace-context + baggage
 * propagators, all registered globally (each test file runs in its own
 * process). The aicost span processors (attribution from baggage, cost) are
 * installed when @aicost/core provides them.
 */
import * as core from '@aicost/core';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  type MetricData,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

/** A reader that collects only when asked to. */
class TestMetricReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface OtelHarness {
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;
  readonly spanExporter: InMemorySpanExporter;
  readonly metricReader: MetricReader;
  /** Finished spans, in end order. */
  spans(): ReadableSpan[];
  /** Waits until at least `count` spans have finished (streams end asynchronously), then returns them. */
  waitForSpans(count: number, timeoutMs?: number): Promise<ReadableSpan[]>;
  /** Collects all metrics now. */
  collectMetrics(): Promise<ResourceMetrics>;
  /** One metric by name, or undefined when nothing was recorded. */
  metric(name: string): Promise<MetricData | undefined>;
  /** Names of the spans started and not ended (since the last reset): a call must never leave one behind. */
  openSpans(): string[];
  /** Forgets finished spans and the open ones (metrics are cumulative: compare before/after instead). */
  reset(): void;
  shutdown(): Promise<void>;
}

export interface OtelHarnessOptions {
  /** Extra span processors, run before the exporting one. */
  spanProcessors?: SpanProcessor[];
  /** Install @aicost/core's AttributionSpanProcessor and CostSpanProcessor when available. Default true. */
  aicostProcessors?: boolean;
}

export function createOtelHarness(options: OtelHarnessOptions = {}): OtelHarness {
  const spanExporter = new InMemorySpanExporter();
  const open = new Map<string, string>();
  const openSpanTracker: SpanProcessor = {
    onStart: (span) => void open.set(span.spanContext().spanId, span.name),
    onEnd: (span) => void open.delete(span.spanContext().spanId),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const processors: SpanProcessor[] = [
    openSpanTracker,
    ...(options.aicostProcessors === false ? [] : aicostProcessors()),
    ...(options.spanProcessors ?? []),
    new SimpleSpanProcessor({ exporter: spanExporter }),
  ];
  const tracerProvider = new TracerProvider({ spanProcessors: processors });
  const metricReader = new TestMetricReader();
  const meterProvider = new MeterProvider({ readers: [metricReader] });

  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);

  const collectMetrics = async () => {
    const { resourceMetrics, errors } = await metricReader.collect();
    if (errors.length > 0) throw errors[0];
    return resourceMetrics;
  };

  return {
    tracerProvider,
    meterProvider,
    spanExporter,
    metricReader,
    spans: () => spanExporter.getFinishedSpans(),
    async waitForSpans(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (spanExporter.getFinishedSpans().length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} finished spans, got ${spanExporter.getFinishedSpans().length}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return spanExporter.getFinishedSpans();
    },
    collectMetrics,
    async metric(name) {
      const resourceMetrics = await collectMetrics();
      for (const scope of resourceMetrics.scopeMetrics) {
        const found = scope.metrics.find((m) => m.descriptor.name === name);
        if (found) return found;
      }
      return undefined;
    },
    openSpans: () => [...open.values()],
    reset: () => {
      spanExporter.reset();
      open.clear();
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/** The aicost processors @aicost/core exports (constructed with defaults), if any. */
function aicostProcessors(): SpanProcessor[] {
  const exports = core as Record<string, unknown>;
  const processors: SpanProcessor[] = [];
  for (const name of ['AttributionSpanProcessor', 'CostSpanProcessor']) {
    const Processor = exports[name];
    if (typeof Processor === 'function') {
      processors.push(new (Processor as new () => SpanProcessor)());
    }
  }
  return processors;
}

/** Data points of a metric whose attributes include all of `match`. */
export function pointsMatching<T = number | Histogram>(
  metric: MetricData | undefined,
  match: Record<string, unknown> = {},
): Array<DataPoint<T>> {
  if (!metric) return [];
  return (metric.dataPoints as Array<DataPoint<T>>).filter((point) =>
    Object.entries(match).every(([key, value]) => point.attributes[key] === value),
  );
}
