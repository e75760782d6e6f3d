// Loaded with `node --import`: what an application does to get the
// instrumentation through module hooks (require and import), without vitest.
import { register } from 'node:module';
import { trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { OpenAIInstrumentation } from '../../dist/index.js';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
);
registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()] });

globalThis.printSpans = () => {
  const spans = exporter.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes }));
  process.stdout.write(`${JSON.stringify(spans)}\n`);
};
