#!/usr/bin/env node
/**
 * What each OpenAI instrumentation records, and what it changes for the
 * application, in the cases the overhead benchmark does not time: the
 * companion of openai-overhead.mjs, with the same variants (bare SDK, aicost,
 * @opentelemetry/instrumentation-openai, @traceloop/instrumentation-openai),
 * each in its own child process with the same OpenTelemetry SDK (tracer and
 * meter providers), on openai 6 with a `fetch` that answers the recorded
 * responses at once. Spans are counted 200 ms after each case.
 *
 * For every case it prints the spans started and ended (a span started but
 * never ended is lost: it is never exported), and what the application got
 * (its result, or the error it saw). The last row counts the process's
 * unhandled rejections over all cases. Each variant runs with `--expose-gc`, so a
 * stream the application drops unread is collected before its spans are counted.
 *
 *   node_modules/.bin/node bench/openai-behaviour.mjs
 *
 * A comparison, not a test: it gates nothing.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  createInstrumentation,
  fromTest,
  linkOpenAI6,
  loadOpenAI,
  recordedFetch,
} from './support/openai-variants.mjs';

const VARIANTS = ['bare', 'aicost', 'opentelemetry', 'traceloop'];
const args = process.argv.slice(2);

if (args[0] === '--variant') await runVariant(args[1], args[2]);
else await orchestrate();

async function runVariant(variant, sdkDir) {
  let unhandled = 0;
  process.on('unhandledRejection', () => {
    unhandled++;
  });
  const { trace, metrics } = fromTest('@opentelemetry/api');
  const { TracerProvider } = fromTest('@opentelemetry/sdk-trace');
  const { MeterProvider, MetricReader } = fromTest('@opentelemetry/sdk-metrics');
  const spans = { started: 0, ended: 0 };
  const tracerProvider = new TracerProvider({
    spanProcessors: [
      {
        onStart: () => spans.started++,
        onEnd: () => spans.ended++,
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    ],
  });
  class IdleReader extends MetricReader {
    async onForceFlush() {}
    async onShutdown() {}
  }
  const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  const instrumentation = createInstrumentation(variant);
  if (instrumentation) {
    instrumentation.setTracerProvider(tracerProvider);
    instrumentation.setMeterProvider?.(meterProvider);
    instrumentation.enable();
  }

  const { OpenAI } = loadOpenAI(sdkDir);
  let status = 200;
  const client = new OpenAI({
    apiKey: 'sk-bench',
    baseURL: 'https://api.openai.com/v1',
    maxRetries: 0,
    fetch: recordedFetch(() => status),
  });
  const request = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }] };
  const streamRequest = { ...request, stream: true, stream_options: { include_usage: true } };
  // Time for whatever ends spans after the application's await (timers, microtasks) to run.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

  const cases = {
    'awaited call': async () => (await client.chat.completions.create(request)).choices.length,
    'fire-and-forget call': async () => {
      client.chat.completions.create(request);
      return 'not awaited';
    },
    'asResponse()': async () => {
      const response = await client.chat.completions.create(request).asResponse();
      return (await response.json()).choices.length;
    },
    'withResponse()': async () => {
      const { data, response } = await client.chat.completions.create(request).withResponse();
      return `${data.choices.length}, ${response.status}`;
    },
    'HTTP 400, awaited': async () => {
      status = 400;
      try {
        return await client.chat.completions.create(request);
      } finally {
        status = 200;
      }
    },
    'stream, read to the end': async () => {
      let chunks = 0;
      for await (const _chunk of await client.chat.completions.create(streamRequest)) chunks++;
      return chunks;
    },
    'stream, left after one chunk': async () => {
      for await (const _chunk of await client.chat.completions.create(streamRequest)) break;
      return 'left';
    },
    'stream, aborted before reading, not read on': async () => {
      const stream = await client.chat.completions.create(streamRequest);
      stream.controller.abort();
      return 'aborted';
    },
    'stream, dropped unread (then collected)': async () => {
      await client.chat.completions.create(streamRequest);
      return 'dropped';
    },
    'stream helpers (`controller`, `tee()`, `toReadableStream()`)': async () => {
      const stream = await client.chat.completions.create(streamRequest);
      const helpers = ['tee', 'toReadableStream'].filter((name) => typeof stream[name] === 'function');
      if (stream.controller instanceof AbortController) helpers.unshift('controller');
      for await (const _chunk of stream) {
        // read to the end, so that the span ends
      }
      return helpers.join(', ') || 'none';
    },
  };
  // The unread stream of the case above is only unreachable once the case is over: collect it then.
  const collect = globalThis.gc ?? (() => {});

  const results = {};
  for (const [name, run] of Object.entries(cases)) {
    const before = { ...spans };
    let outcome;
    try {
      outcome = `ok: ${await run()}`;
    } catch (error) {
      outcome = `${error.constructor.name}: ${error.message}`;
    }
    collect();
    await settle();
    results[name] = {
      outcome,
      started: spans.started - before.started,
      ended: spans.ended - before.ended,
    };
  }
  await settle();
  results['unhandled rejections, all cases'] = { outcome: String(unhandled) };
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

async function orchestrate() {
  const { sdkDir, version } = linkOpenAI6();
  const byVariant = {};
  try {
    for (const variant of VARIANTS) {
      const { stdout } = await promisify(execFile)(process.execPath, [
        '--expose-gc',
        fileURLToPath(import.meta.url),
        '--variant',
        variant,
        sdkDir,
      ]);
      byVariant[variant] = JSON.parse(stdout.trim().split('\n').at(-1));
    }
  } finally {
    rmSync(sdkDir, { recursive: true, force: true });
  }

  console.log(`node ${process.version}, openai ${version}`);
  console.log(
    'Each cell: spans ended / started; then what the application got, when it differs from the bare SDK.\n',
  );
  console.log(`| case | ${VARIANTS.join(' | ')} |`);
  console.log(`|---|${VARIANTS.map(() => '---').join('|')}|`);
  for (const name of Object.keys(byVariant.bare)) {
    const bare = byVariant.bare[name];
    const cells = VARIANTS.map((variant) => {
      const result = byVariant[variant][name];
      if (result.started === undefined) return result.outcome;
      const spans = variant === 'bare' ? '-' : `${result.ended} / ${result.started}`;
      const outcome = variant === 'bare' || result.outcome !== bare.outcome ? `; ${result.outcome}` : '';
      return `${spans}${outcome}`;
    });
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
}
