#!/usr/bin/env node
/**
 * Per-call overhead of OpenAI instrumentations, measured in one run:
 *   bare SDK · @aicost/instrumentation-openai · @opentelemetry/instrumentation-openai
 *   · @traceloop/instrumentation-openai
 * on the same loopback mock server (its own process). Each variant runs in its
 * own child process, so patches never meet; every variant has the same
 * OpenTelemetry SDK (tracer provider with a batch processor into a discarding
 * exporter, meter provider with an idle reader) and only differs by the
 * instrumentation registered. openai 6 is used: the two other instrumentations
 * support `openai <7` only.
 *
 * Run from the repository root after `pnpm build` (it loads the built dist of the packages):
 *   node_modules/.bin/node bench/openai-overhead.mjs [--calls 3000] [--stream-calls 1000] [--rounds 2] [--no-network] [--breakdown] [--cost-processor] [--stream-chunks 200]
 * `--no-network` gives the SDK a fetch that answers the recorded response at once: CPU work only;
 * with `--priced` the client names api.openai.com, so aicost prices every call (at the loopback address the
 * provider is a self-hosted server without a rate: unpriced, 10 fewer cost attributes).
 * `--stream-chunks N` streams N chunks per call instead of the recorded 6 (one per output token, as a real
 * completion streams): what each instrumentation costs per chunk, not only per stream.
 * A benchmark, not a test: it prints ratios and gates nothing.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  createInstrumentation,
  fromTest,
  linkOpenAI6,
  loadOpenAI,
  recordedBodies,
  recordedFetch,
  root,
} from './support/openai-variants.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : fallback;
};

// `--breakdown` adds aicost without a meter provider: what the GenAI metrics and cost counters cost, in the same run.
const VARIANTS = [
  'bare',
  'aicost',
  ...(args.includes('--breakdown') ? ['aicost-no-metrics'] : []),
  'opentelemetry',
  'traceloop',
];

if (args[0] === '--server') await runServer();
else if (args[0] === '--variant')
  await runVariant(args[1], Number(args[2]), option('calls'), option('stream-calls'));
else await orchestrate();

// ---------------------------------------------------------------------------
// The mock server process
// ---------------------------------------------------------------------------
async function runServer() {
  const { createServer } = await import('node:http');
  const { completion, sse } = recordedBodies();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      if (body.includes('"stream":true')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(sse);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(completion);
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
}

// ---------------------------------------------------------------------------
// One variant, in its own process
// ---------------------------------------------------------------------------
async function runVariant(variant, port, calls, streamCalls) {
  // openai 6 under the name `openai`, so every instrumentation's hook matches it.
  const sdkDir = process.env.BENCH_SDK_DIR;
  const { trace, metrics } = fromTest('@opentelemetry/api');
  const { TracerProvider, BatchSpanProcessor } = fromTest('@opentelemetry/sdk-trace');
  const { MeterProvider, MetricReader } = fromTest('@opentelemetry/sdk-metrics');

  // Discards the spans, counting them by scope and cost status: what each variant's spans carried.
  const spanCounts = {};
  const discard = {
    export: (spans, done) => {
      for (const span of spans) {
        const key = `${span.instrumentationScope.name} ${span.attributes['aicost.cost.status'] ?? '(no cost)'}`;
        spanCounts[key] = (spanCounts[key] ?? 0) + 1;
      }
      done({ code: 0 });
    },
    shutdown: async () => {},
    forceFlush: async () => {},
  };
  // --cost-processor: aicost's CostSpanProcessor ahead of the export, as `register()` installs it, in every
  // variant: then every instrumentation's spans carry the same cost attributes (and the cost counter).
  const costProcessor = process.env.BENCH_COST_PROCESSOR
    ? [
        new (createRequire(join(root, 'packages/core/package.json'))(
          join(root, 'packages/core/dist/index.cjs'),
        ).CostSpanProcessor)(),
      ]
    : [];
  const tracerProvider = new TracerProvider({
    spanProcessors: [...costProcessor, new BatchSpanProcessor({ exporter: discard })],
  });
  class IdleReader extends MetricReader {
    async onForceFlush() {}
    async onShutdown() {}
  }
  const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
  trace.setGlobalTracerProvider(tracerProvider);
  const withMetrics = variant !== 'aicost-no-metrics';
  if (withMetrics) metrics.setGlobalMeterProvider(meterProvider);

  const instrumentation = createInstrumentation(variant);
  if (instrumentation) {
    instrumentation.setTracerProvider(tracerProvider);
    if (withMetrics) instrumentation.setMeterProvider?.(meterProvider);
    instrumentation.enable();
  }

  const { OpenAI } = loadOpenAI(sdkDir);
  const patched =
    OpenAI.Chat.Completions.prototype.create.name !== 'create' ||
    '__wrapped' in OpenAI.Chat.Completions.prototype.create;
  if (Boolean(instrumentation) !== patched)
    throw new Error(`${variant}: openai ${patched ? 'is' : 'is not'} patched`);
  // --no-network: the SDK gets a fetch answering the recorded response at once, so only CPU work is measured.
  const fetch = process.env.BENCH_NO_NETWORK ? recordedFetch() : undefined;
  // --priced (with --no-network): the client names api.openai.com, so aicost prices each call from the
  // catalogue as for a real OpenAI call; at the loopback address it is a self-hosted server without a rate
  // (unpriced, fewer cost attributes).
  const baseURL =
    fetch && process.env.BENCH_PRICED ? 'https://api.openai.com/v1' : `http://127.0.0.1:${port}/v1`;
  const client = new OpenAI({
    apiKey: 'sk-bench',
    baseURL,
    maxRetries: 0,
    ...(fetch ? { fetch } : {}),
  });
  const request = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }] };

  const plain = async () => client.chat.completions.create(request);
  const streamed = async () => {
    const stream = await client.chat.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream) {
      // consume
    }
  };
  const measure = async (fn, n) => {
    for (let i = 0; i < Math.min(300, n); i++) await fn(); // warm-up
    const samples = new Float64Array(n);
    const cpuBefore = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      await fn();
      samples[i] = performance.now() - start;
    }
    const cpu = process.cpuUsage(cpuBefore);
    // CPU time of this process per call (µs): robust to other load on the machine.
    return { samples: Array.from(samples), cpuPerCall: (cpu.user + cpu.system) / n };
  };
  const result = {
    variant,
    plain: await measure(plain, Number(calls)),
    stream: await measure(streamed, Number(streamCalls)),
  };
  await tracerProvider.shutdown();
  result.spanCounts = spanCounts;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------
// The orchestrator
// ---------------------------------------------------------------------------
async function orchestrate() {
  const calls = option('calls', '3000');
  const streamCalls = option('stream-calls', '1000');
  const rounds = Number(option('rounds', '2'));
  const dist = join(root, 'packages/instrumentation-openai/dist/index.cjs');
  if (!existsSync(dist)) throw new Error(`build first: ${dist} is missing`);

  const { sdkDir, version: sdkVersion } = linkOpenAI6();

  const server = spawn(process.execPath, [fileURLToPath(import.meta.url), '--server'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve) =>
    server.stdout.once('data', (d) => resolve(Number(String(d).trim()))),
  );
  const samples = Object.fromEntries(VARIANTS.map((v) => [v, { plain: [], stream: [] }]));
  const cpu = Object.fromEntries(VARIANTS.map((v) => [v, { plain: [], stream: [] }]));
  const spanCounts = {};
  try {
    for (let round = 0; round < rounds; round++) {
      for (const variant of VARIANTS) {
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [
            fileURLToPath(import.meta.url),
            '--variant',
            variant,
            String(port),
            '--calls',
            calls,
            '--stream-calls',
            streamCalls,
          ],
          {
            env: {
              ...process.env,
              BENCH_SDK_DIR: sdkDir,
              ...(args.includes('--no-network') ? { BENCH_NO_NETWORK: '1' } : {}),
              ...(args.includes('--priced') ? { BENCH_PRICED: '1' } : {}),
              ...(args.includes('--cost-processor') ? { BENCH_COST_PROCESSOR: '1' } : {}),
              ...(option('stream-chunks') ? { BENCH_STREAM_CHUNKS: option('stream-chunks') } : {}),
            },
            maxBuffer: 64 * 1024 * 1024,
          },
        );
        const result = JSON.parse(stdout.trim().split('\n').at(-1));
        spanCounts[variant] = result.spanCounts;
        for (const kind of ['plain', 'stream']) {
          samples[variant][kind].push(...result[kind].samples);
          cpu[variant][kind].push(result[kind].cpuPerCall);
        }
        process.stderr.write(`round ${round + 1}: ${variant} done\n`);
      }
    }
  } finally {
    server.kill();
    rmSync(sdkDir, { recursive: true, force: true });
  }

  const stats = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return { median: at(0.5), p99: at(0.99), n: sorted.length };
  };
  const versions = {
    node: process.version,
    openai: sdkVersion,
    opentelemetry: fromPackage('test', '@opentelemetry/instrumentation-openai'),
    traceloop: fromPackage('test', '@traceloop/instrumentation-openai'),
  };
  console.log(
    `node ${versions.node}, openai ${versions.openai}, @opentelemetry/instrumentation-openai ${versions.opentelemetry}, @traceloop/instrumentation-openai ${versions.traceloop}`,
  );
  console.log(
    `${rounds} rounds x ${calls} plain + ${streamCalls} streamed calls per variant (after warm-up); ${option('stream-chunks') ?? 'the recorded 6'} chunks per stream\n`,
  );
  for (const kind of ['plain', 'stream']) {
    const bare = stats(samples.bare[kind]);
    console.log(
      `${kind === 'plain' ? 'chat.completions.create' : 'streamed chat (include_usage), fully consumed'}`,
    );
    const bareCpu = Math.min(...cpu.bare[kind]);
    console.log(
      '| variant | median ms/call | p99 ms/call | median overhead vs bare | ratio to bare (median) | ratio to bare (p99) | CPU µs/call | CPU overhead µs/call | CPU ratio to bare |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const variant of VARIANTS) {
      const s = stats(samples[variant][kind]);
      const overhead = ((s.median - bare.median) * 1000).toFixed(0);
      // The least CPU per call over the rounds: the round least disturbed by other load.
      const cpuPerCall = Math.min(...cpu[variant][kind]);
      console.log(
        `| ${variant} | ${s.median.toFixed(3)} | ${s.p99.toFixed(3)} | ${variant === 'bare' ? '-' : `${overhead} µs`} | ${(s.median / bare.median).toFixed(2)} | ${(s.p99 / bare.p99).toFixed(2)} | ${cpuPerCall.toFixed(0)} | ${variant === 'bare' ? '-' : (cpuPerCall - bareCpu).toFixed(0)} | ${(cpuPerCall / bareCpu).toFixed(2)} |`,
      );
    }
    console.log('');
  }
  console.log('Spans exported in the last round, by scope and aicost.cost.status (warm-up included):');
  for (const variant of VARIANTS) {
    const counts = Object.entries(spanCounts[variant] ?? {}).map(([key, n]) => `${key}: ${n}`);
    console.log(`- ${variant}: ${counts.join(', ') || 'none'}`);
  }
}

function fromPackage(dir, name) {
  return JSON.parse(
    readFileSync(join(realpathSync(join(root, dir, 'node_modules', name)), 'package.json'), 'utf8'),
  ).version;
}
