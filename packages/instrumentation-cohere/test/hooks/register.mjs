// Loaded with `node --import`, as an application does: the ESM loader hook,
// a tracer provider keeping spans in memory, and the instrumentation (built
// package). No vitest in the process.
import { register } from 'node:module';
import { trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { CohereInstrumentation } from '../../dist/index.js';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
);
registerInstrumentations({ instrumentations: [new CohereInstrumentation()] });

globalThis.printSpans = () => {
  const spans = exporter.getFinishedSpans().map((span) => ({
    scope: span.instrumentationScope.name,
    name: span.name,
    attributes: span.attributes,
  }));
  process.stdout.write(`${JSON.stringify(spans)}\n`);
};
