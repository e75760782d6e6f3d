/**
 * An edge-runtime application (a Next.js route on the edge runtime, a
 * Cloudflare Worker): `openai` patched with `instrument()` from
 * `@aicost/instrumentation-openai/manual`, OpenTelemetry's own tracer
 * provider, nothing from Node. Bundled for a neutral platform and run in a
 * context that has Web APIs only (see edge.test.ts); the global `fetch` it is
 * given answers from the test's loopback server.
 *
 * It hands the finished spans to `globalThis.reportSpans`, or the error to
 * `globalThis.reportError`.
 */
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';
import { instrument } from '../../src/manual.js';

interface EdgeHost {
  reportSpans(spans: { name: string; scope: string; attributes: Record<string, unknown> }[]): void;
  reportError(error: unknown): void;
}
const host = globalThis as typeof globalThis & EdgeHost;

async function main(): Promise<void> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  trace.setGlobalTracerProvider(provider);
  instrument(OpenAI);

  const client = new OpenAI({ apiKey: 'test-key', maxRetries: 0 });
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
  // Server-sent events through the runtime's ReadableStream and TextDecoder.
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Hi' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const _chunk of stream) {
    // Read to the end: the span ends with the stream.
  }

  await provider.forceFlush();
  host.reportSpans(
    exporter.getFinishedSpans().map((span) => ({
      name: span.name,
      scope: span.instrumentationScope.name,
      attributes: { ...span.attributes },
    })),
  );
}

main().catch((error: unknown) => host.reportError(error));
