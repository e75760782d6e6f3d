import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { fixtureLoader } from '../../../test/support/fixtures.js';
import { type MockResponse, sse } from '../../../test/support/mock-server.js';

export const loadFixture = fixtureLoader(new URL('./mock-responses/', import.meta.url));

/**
 * A `streamGenerateContent?alt=sse` response: one `data:` event per chunk
 * (no `[DONE]` sentinel, as Google sends it), written in small pieces the
 * way a real network delivers them.
 */
export function geminiSSE(chunks: unknown[], options: Parameters<typeof sse>[1] = {}): MockResponse {
  return sse(
    chunks.map((data) => ({ data })),
    { splitBytes: 64, ...options },
  );
}

/** The Gemini Developer API route of `model`'s method, e.g. `/v1beta/models/gemini-2.5-flash:generateContent`. */
export function geminiRoute(model: string, method: string): RegExp {
  return new RegExp(`^/v1(beta)?/models/${model.replace(/\./g, '\\.')}:${method}(\\?.*)?$`);
}

export function onlySpan(spans: ReadableSpan[]): ReadableSpan {
  if (spans.length !== 1) throw new Error(`expected exactly one span, got ${spans.length}`);
  return spans[0]!;
}

/** The response as the application sees it, minus the transport headers (a `date` differs between calls). */
export function withoutHttpDetails<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === 'sdkHttpResponse' ? undefined : v)));
}
