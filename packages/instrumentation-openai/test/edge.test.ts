/**
 * `@aicost/instrumentation-openai/manual` on an edge runtime (Next.js edge
 * routes, Cloudflare Workers, Vercel Edge Functions): bundled by esbuild for a
 * neutral platform with the edge export conditions, where a Node built-in
 * cannot even be resolved, then run in a `node:vm` context that has Web APIs
 * only (no `require`, no `process`, no `Buffer`).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, type MockServer, startMockServer } from '../../../test/support/mock-server.js';
import { chatStream, fixture } from './setup.js';

/** The part of esbuild's API used here (it comes with tsup; its types are not ours to import). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{
    outputFiles: { text: string }[];
    metafile: { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  }>;
}
const require = createRequire(import.meta.url);
const esbuild = createRequire(require.resolve('tsup'))('esbuild') as Esbuild;

const CORE_SOURCE = fileURLToPath(new URL('../../core/src/index.ts', import.meta.url));

interface EdgeSpan {
  name: string;
  scope: string;
  attributes: Record<string, unknown>;
}

let server: MockServer;
let bundle: { code: string; bundled: string[] };
beforeAll(async () => {
  server = await startMockServer();
  server.on('POST', '/v1/chat/completions', (request) =>
    (request.body as { stream?: boolean }).stream
      ? chatStream('chat-stream-include-usage', { delayMs: 2 })
      : json(fixture('chat-completion')),
  );
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('./edge/app.ts', import.meta.url))],
    bundle: true,
    write: false,
    outfile: 'edge-app.js',
    platform: 'neutral',
    // Next.js's edge runtime and Workers resolve packages with these conditions.
    conditions: ['edge-light', 'worker', 'import'],
    mainFields: ['module', 'main'],
    format: 'iife',
    target: 'es2022',
    metafile: true,
    logLevel: 'silent',
    // The sources under test, as the vitest config aliases them.
    alias: { '@aicost/core': CORE_SOURCE },
  });
  const [output] = Object.values(result.metafile.outputs);
  bundle = {
    code: result.outputFiles[0]!.text,
    // Files that contributed code (tree-shaken ones are listed with 0 bytes).
    bundled: Object.entries(output!.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  };
});
afterAll(() => server.close());

describe('the /manual entry bundled for an edge runtime', () => {
  it('imports no Node built-in and leaves the module-hook machinery out', () => {
    // esbuild prints every string literal in double quotes, so `import('node:buffer')`
    // inside one of openai's error messages is text, not a loader call.
    expect(bundle.code).not.toMatch(/\b(?:import\s*\(|require\s*\(|from)\s*"node:/);
    expect(bundle.code).not.toMatch(/\brequire\s*\(\s*"(?:fs|crypto|path|module|async_hooks)"\s*\)/);
    expect(bundle.bundled.filter((path) => path.includes('@opentelemetry/instrumentation/'))).toEqual([]);
    expect(bundle.bundled.filter((path) => path.endsWith('core/src/instrumentation/base.ts'))).toEqual([]);
    // The pieces that must be there: the SDK, the patches, the pricing.
    expect(bundle.bundled.some((path) => path.includes('/openai/client.'))).toBe(true);
    expect(bundle.bundled.some((path) => path.endsWith('instrumentation-openai/src/manual.ts'))).toBe(true);
    expect(bundle.bundled.some((path) => path.endsWith('core/src/pricing/price-book.ts'))).toBe(true);
  });

  it('prices a plain and a streamed call exactly in a context with Web APIs only', async () => {
    const before = server.requests.length;
    const spans = await runOnEdge(bundle.code, server.url);
    expect(server.requests.length - before).toBe(2);
    // Hand-derived from OpenAI's gpt-4o-mini list price ($0.15 input, $0.60 output per million):
    // both fixtures' 19 input and 10 output tokens cost 19 x 0.15 + 10 x 0.60 = 8.85 micro-dollars.
    const priced = {
      name: 'chat gpt-4o-mini',
      scope: '@aicost/instrumentation-openai',
      attributes: {
        'gen_ai.provider.name': 'openai',
        'aicost.cost.status': 'priced',
        'aicost.cost.total': '0.000008850',
        'gen_ai.usage.input_tokens': 19,
        'gen_ai.usage.output_tokens': 10,
      },
    };
    expect(spans).toHaveLength(2);
    expect(spans[0]).toMatchObject({
      ...priced,
      attributes: { ...priced.attributes, 'aicost.request.stream': false },
    });
    expect(spans[1]).toMatchObject({
      ...priced,
      attributes: { ...priced.attributes, 'aicost.request.stream': true },
    });
  });
});

/** Runs the bundle in a fresh context shaped like an edge runtime; its `fetch` reaches the mock server. */
function runOnEdge(code: string, mockURL: string): Promise<EdgeSpan[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the edge app reported nothing')), 10_000);
    const edgeGlobals = {
      // api.openai.com (so the call is priced as OpenAI's), answered by the loopback server.
      fetch: (input: string | URL | Request, init?: RequestInit) =>
        fetch(
          String(input instanceof Request ? input.url : input).replace('https://api.openai.com', mockURL),
          init,
        ),
      Request,
      Response,
      Headers,
      FormData,
      Blob,
      TextEncoder,
      TextDecoder,
      ReadableStream,
      crypto,
      performance,
      setTimeout,
      clearTimeout,
      console,
      AbortController,
      AbortSignal,
      Event,
      EventTarget,
      URL,
      URLSearchParams,
      structuredClone,
      queueMicrotask,
      reportSpans: (spans: EdgeSpan[]) => {
        clearTimeout(timer);
        resolve(spans);
      },
      reportError: (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    };
    runInNewContext(code, edgeGlobals, { filename: 'edge-app.js' });
  });
}
