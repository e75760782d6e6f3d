/**
 * What the OpenAI benchmarks share: the openai 6 copy every instrumentation
 * supports, linked under the name `openai` so that every instrumentation's
 * hook matches it; the instrumentations to compare, each created with its
 * defaults; and a `fetch` that answers the recorded responses without a socket.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(root, 'packages/instrumentation-openai/test/mock-responses');
export const fromTest = createRequire(join(root, 'test/package.json'));

/** A directory whose `node_modules/openai` is openai 6; returns it and the SDK version. */
export function linkOpenAI6() {
  const sdkDir = mkdtempSync(join(tmpdir(), 'aicost-bench-'));
  mkdirSync(join(sdkDir, 'node_modules'));
  const openai6 = realpathSync(join(root, 'packages/instrumentation-openai/node_modules/openai-v6'));
  symlinkSync(openai6, join(sdkDir, 'node_modules/openai'));
  const version = JSON.parse(readFileSync(join(openai6, 'package.json'), 'utf8')).version;
  return { sdkDir, version };
}

/** `openai` as the application in `sdkDir` loads it (after the instrumentation is enabled). */
export function loadOpenAI(sdkDir) {
  return createRequire(join(sdkDir, 'x.js'))('openai');
}

/** The instrumentation of each variant, with its defaults; `undefined` for the bare SDK. */
export function createInstrumentation(variant) {
  switch (variant) {
    case 'bare':
      return undefined;
    case 'aicost':
    case 'aicost-no-metrics': {
      const { OpenAIInstrumentation } = createRequire(
        join(root, 'packages/instrumentation-openai/package.json'),
      )(join(root, 'packages/instrumentation-openai/dist/index.cjs'));
      return new OpenAIInstrumentation();
    }
    case 'opentelemetry':
      return new (fromTest('@opentelemetry/instrumentation-openai').OpenAIInstrumentation)();
    case 'traceloop':
      return new (fromTest('@traceloop/instrumentation-openai').OpenAIInstrumentation)();
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}

/**
 * The recorded chat completion and chat stream (SSE text). `streamChunks` (the `BENCH_STREAM_CHUNKS`
 * variable by default) lengthens the stream to that many chunks, as a real completion of a few hundred
 * tokens streams one chunk per token: the recorded content chunk is repeated, and the usage chunk counts
 * one output token per content chunk.
 */
export function recordedBodies(streamChunks = Number(process.env.BENCH_STREAM_CHUNKS) || undefined) {
  const completion = readFileSync(join(FIXTURES, 'chat-completion.json'), 'utf8');
  const recorded = JSON.parse(readFileSync(join(FIXTURES, 'chat-stream-include-usage.json'), 'utf8')).chunks;
  const chunks = streamChunks === undefined ? recorded : lengthened(recorded, streamChunks);
  const sse = `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`;
  return { completion, sse };
}

/** `chunks` with its content chunks repeated until the stream has `total` chunks. */
function lengthened(chunks, total) {
  const isContent = (chunk) =>
    typeof chunk.choices?.[0]?.delta?.content === 'string' && chunk.choices[0].delta.content !== '';
  const content = chunks.filter(isContent);
  const first = chunks.indexOf(content[0]);
  const before = chunks.slice(0, first);
  const after = chunks.slice(chunks.indexOf(content.at(-1)) + 1);
  const count = total - before.length - after.length;
  if (content.length === 0 || count < content.length)
    throw new Error(`--stream-chunks: at least ${chunks.length} (the recorded stream)`);
  const repeated = Array.from({ length: count }, (_, i) => content[i % content.length]);
  const withUsage = after.map((chunk) =>
    chunk.usage
      ? {
          ...chunk,
          usage: {
            ...chunk.usage,
            completion_tokens: count,
            total_tokens: chunk.usage.prompt_tokens + count,
          },
        }
      : chunk,
  );
  return [...before, ...repeated, ...withUsage];
}

/** A `fetch` that answers like the mock server, at once, without a socket; `status()` can make it fail. */
export function recordedFetch(status = () => 200) {
  const { completion, sse } = recordedBodies();
  return async (_url, init) => {
    const code = status();
    if (code !== 200) {
      return new Response(
        JSON.stringify({ error: { message: 'bad request', type: 'invalid_request_error' } }),
        {
          status: code,
          headers: { 'content-type': 'application/json' },
        },
      );
    }
    return String(init?.body).includes('"stream":true')
      ? new Response(sse, { headers: { 'content-type': 'text/event-stream' } })
      : new Response(completion, { headers: { 'content-type': 'application/json' } });
  };
}
