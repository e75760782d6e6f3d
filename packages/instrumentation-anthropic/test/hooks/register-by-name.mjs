// Loaded with `node --import`: the instrumentation (built package) registered the plain
// OpenTelemetry way, under an import-in-the-middle loader hook that wraps only the modules
// it is told about by name (its include list, as some setups configure it). Spans stay in
// memory and are printed at exit. No @aicost/node, no vitest in the process.
import { createRequire, register } from 'node:module';
import { trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { AnthropicInstrumentation } from '../../dist/index.js';

// The copy of import-in-the-middle that @opentelemetry/instrumentation hooks with.
const requireFromInstrumentation = createRequire(
  createRequire(import.meta.url).resolve('@opentelemetry/instrumentation'),
);
const { createAddHookMessageChannel } = requireFromInstrumentation('import-in-the-middle');
const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, registerOptions);

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
);
registerInstrumentations({ instrumentations: [new AnthropicInstrumentation()] });
await waitForAllMessagesAcknowledged();

process.on('exit', () => {
  const spans = exporter.getFinishedSpans().map((span) => ({
    scope: span.instrumentationScope.name,
    name: span.name,
    attributes: span.attributes,
  }));
  process.stdout.write(`${JSON.stringify(spans)}\n`);
});
