/**
 * OpenTelemetry inside a bundled test app (see bundled-app.ts): a global tracer
 * provider with the aicost processors and an in-memory exporter, and
 * `report()`, which prints the finished spans as one JSON line on stdout for
 * the test to read. Bundled into the app, so it must not import test-only code.
 */
import { AttributionSpanProcessor, CostSpanProcessor } from '@aicost/core';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/** A finished span as the bundled app reports it. */
export interface ReportedSpan {
  name: string;
  scope: string;
  attributes: Record<string, unknown>;
}

export const REPORT_PREFIX = 'aicost-bundled-spans ';

export function startTelemetry(): { report(): Promise<void> } {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [
      new AttributionSpanProcessor(),
      new CostSpanProcessor(),
      new SimpleSpanProcessor({ exporter }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CBaggagePropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    async report() {
      await provider.forceFlush();
      const spans: ReportedSpan[] = exporter.getFinishedSpans().map((span) => ({
        name: span.name,
        scope: span.instrumentationScope.name,
        attributes: { ...span.attributes },
      }));
      process.stdout.write(`${REPORT_PREFIX}${JSON.stringify(spans)}\n`);
    },
  };
}
