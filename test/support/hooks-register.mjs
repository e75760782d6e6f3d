// What an instrumentation package's test/hooks/register.mjs does, loaded with
// `node --import` as an application loads it (no vitest in that process): the
// ESM loader hook, a tracer provider keeping spans in memory, the package's
// instrumentation (built dist) registered, and `globalThis.printSpans()` for the
// test app to call last (one JSON line on stdout: scope, name, attributes).
// test/support/hooked-app.ts runs such an app and reads that line.
import { register } from 'node:module';
import { trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/**
 * @param {string} parentURL the register file's `import.meta.url`: the loader hook
 *   resolves from the package, i.e. the same @opentelemetry/instrumentation its dist uses
 * @param {() => object} createInstrumentation builds the package's instrumentation; called once
 *   the hook and the tracer provider are in place, as an application's start-up would
 */
export function registerWithSpansInMemory(parentURL, createInstrumentation) {
  register('@opentelemetry/instrumentation/hook.mjs', parentURL);
  const exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(
    new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
  );
  registerInstrumentations({ instrumentations: [createInstrumentation()] });

  globalThis.printSpans = () => {
    const spans = exporter.getFinishedSpans().map((span) => ({
      scope: span.instrumentationScope.name,
      name: span.name,
      attributes: span.attributes,
    }));
    process.stdout.write(`${JSON.stringify(spans)}\n`);
  };
}
