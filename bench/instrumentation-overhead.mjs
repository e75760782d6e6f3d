#!/usr/bin/env node
/**
 * Per-call overhead of the aicost instrumentations other than OpenAI's (see
 * openai-overhead.mjs for that one), measured in one run: for each of
 *   @anthropic-ai/sdk · @google/genai · @aws-sdk/client-bedrock-runtime (Converse)
 *   · @mistralai/mistralai · cohere-ai (v2 chat)
 * the bare SDK against the SDK patched by its aicost instrumentation
 * (`instrument(sdkModule)`, the same wrappers the module hooks install), on
 * one loopback mock server in its own process that answers every provider's
 * route with the package's recorded response. Each variant runs in its own
 * child process with the same OpenTelemetry SDK (tracer provider with a batch
 * processor into a counting, discarding exporter; meter provider with an idle
 * reader), so patches never meet. Only `chat`-style plain calls are timed.
 *
 * "bare" has the OpenTelemetry SDK registered too: an SDK that traces itself
 * (`@anthropic-ai/sdk` 1.x) then makes its own span per call, as it does in an
 * application with OpenTelemetry; under aicost that span is replaced by ours.
 * The last column says which spans each variant made, per call.
 *
 * Run from the repository root after `pnpm build` (it loads the built dist of the packages):
 *   node_modules/.bin/node bench/instrumentation-overhead.mjs [--calls 2000] [--rounds 2] [--providers anthropic,cohere]
 * A benchmark, not a test: it prints ratios and gates nothing.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : fallback;
};
const packageDir = (name) => join(root, 'packages', `instrumentation-${name}`);
const fixture = (name, file) => readFileSync(join(packageDir(name), 'test/mock-responses', `${file}.json`));

/**
 * Each provider: its package, the SDK it patches, the route and recorded answer of the mock
 * server, and how a client makes one call to `url`.
 */
const PROVIDERS = {
  anthropic: {
    sdk: '@anthropic-ai/sdk',
    route: (path) => path === '/v1/messages',
    response: () => fixture('anthropic', 'message-basic'),
    client(sdk, url) {
      const client = new sdk.Anthropic({ apiKey: 'bench', baseURL: url, maxRetries: 0 });
      const request = {
        model: 'claude-haiku-4-5',
        max_tokens: 1024,
        messages: [{ role: 'user', content: 'Hi' }],
      };
      return () => client.messages.create(request);
    },
  },
  'google-genai': {
    sdk: '@google/genai',
    route: (path) => path.endsWith(':generateContent'),
    response: () => fixture('google-genai', 'generate-content-function-call'),
    client(sdk, url) {
      const ai = new sdk.GoogleGenAI({ apiKey: 'bench', httpOptions: { baseUrl: url } });
      return () => ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Weather in Paris?' });
    },
  },
  bedrock: {
    sdk: '@aws-sdk/client-bedrock-runtime',
    route: (path) => path.endsWith('/converse'),
    response: () => fixture('bedrock', 'converse-basic'),
    client(sdk, url, fromPackage) {
      const { NodeHttpHandler } = fromPackage('@smithy/node-http-handler');
      const client = new sdk.BedrockRuntimeClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
        maxAttempts: 1,
        // HTTP/1.1 as the package's tests use (this client otherwise speaks HTTP/2, which the mock does not).
        requestHandler: new NodeHttpHandler(),
      });
      const input = {
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
      };
      return () => client.send(new sdk.ConverseCommand(input));
    },
  },
  mistral: {
    sdk: '@mistralai/mistralai',
    route: (path) => path === '/v1/chat/completions',
    response: () => fixture('mistral', 'chat-basic'),
    client(sdk, url) {
      const client = new sdk.Mistral({ apiKey: 'bench', serverURL: url });
      const request = {
        model: 'mistral-small-latest',
        messages: [{ role: 'user', content: 'Best French cheese?' }],
      };
      return () => client.chat.complete(request);
    },
  },
  cohere: {
    sdk: 'cohere-ai',
    route: (path) => path === '/v2/chat',
    response: () => fixture('cohere', 'chat-basic'),
    client(sdk, url) {
      const client = new sdk.CohereClientV2({ token: 'bench', environment: url });
      const request = {
        model: 'command-a-03-2025',
        messages: [{ role: 'user', content: 'What is an LLM?' }],
      };
      return () => client.chat(request);
    },
  },
};
const VARIANTS = ['bare', 'aicost'];

if (args[0] === '--server') await runServer();
else if (args[0] === '--variant')
  await runVariant(args[1], args[2], Number(args[3]), Number(option('calls')));
else await orchestrate();

// ---------------------------------------------------------------------------
// The mock server process: every provider's route, answered with its recorded response
// ---------------------------------------------------------------------------
async function runServer() {
  const { createServer } = await import('node:http');
  const routes = Object.values(PROVIDERS).map((provider) => ({ ...provider, body: provider.response() }));
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = new URL(req.url, 'http://localhost').pathname;
      const route = routes.find((r) => r.route(path));
      if (!route) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'bench-request' });
      res.end(route.body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
}

// ---------------------------------------------------------------------------
// One variant of one provider, in its own process
// ---------------------------------------------------------------------------
async function runVariant(providerName, variant, port, calls) {
  const provider = PROVIDERS[providerName];
  const fromPackage = createRequire(join(packageDir(providerName), 'package.json'));
  const { trace, metrics } = fromPackage('@opentelemetry/api');
  const fromTest = createRequire(join(root, 'test/package.json'));
  const { TracerProvider, BatchSpanProcessor } = fromTest('@opentelemetry/sdk-trace');
  const { MeterProvider, MetricReader } = fromTest('@opentelemetry/sdk-metrics');

  // Discards spans, counting them by scope and cost status (to check each variant did what it says).
  const spanCounts = {};
  const countingExporter = {
    export(spans, done) {
      for (const span of spans) {
        const key = `${span.instrumentationScope.name} ${span.attributes['aicost.cost.status'] ?? '-'}`;
        spanCounts[key] = (spanCounts[key] ?? 0) + 1;
      }
      done({ code: 0 });
    },
    shutdown: async () => {},
    forceFlush: async () => {},
  };
  const tracerProvider = new TracerProvider({
    spanProcessors: [new BatchSpanProcessor({ exporter: countingExporter })],
  });
  class IdleReader extends MetricReader {
    async onForceFlush() {}
    async onShutdown() {}
  }
  const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);

  const sdk = fromPackage(provider.sdk);
  if (variant === 'aicost') {
    const { instrument } = fromPackage(join(packageDir(providerName), 'dist/index.cjs'));
    const instrumentation = instrument(sdk);
    instrumentation.setTracerProvider(tracerProvider);
    instrumentation.setMeterProvider(meterProvider);
  }
  const call = provider.client(sdk, `http://127.0.0.1:${port}`, fromPackage);

  const warmUp = Math.min(300, calls);
  for (let i = 0; i < warmUp; i++) await call();
  const samples = new Float64Array(calls);
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await call();
    samples[i] = performance.now() - start;
  }
  const cpu = process.cpuUsage(cpuBefore);
  await tracerProvider.shutdown();
  const result = {
    providerName,
    variant,
    samples: Array.from(samples),
    // CPU time of this process per call (µs): robust to other load on the machine.
    cpuPerCall: (cpu.user + cpu.system) / calls,
    spanCounts,
    calls: warmUp + calls,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------
// The orchestrator
// ---------------------------------------------------------------------------
async function orchestrate() {
  const calls = option('calls', '2000');
  const rounds = Number(option('rounds', '2'));
  const providers = option('providers', Object.keys(PROVIDERS).join(',')).split(',');
  for (const name of providers) {
    if (!PROVIDERS[name]) throw new Error(`unknown provider ${name}`);
    const dist = join(packageDir(name), 'dist/index.cjs');
    if (!existsSync(dist)) throw new Error(`build first: ${dist} is missing`);
  }

  const server = spawn(process.execPath, [fileURLToPath(import.meta.url), '--server'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve) =>
    server.stdout.once('data', (d) => resolve(Number(String(d).trim()))),
  );
  const results = {};
  try {
    for (let round = 0; round < rounds; round++) {
      for (const name of providers) {
        for (const variant of VARIANTS) {
          const { stdout } = await promisify(execFile)(
            process.execPath,
            [fileURLToPath(import.meta.url), '--variant', name, variant, String(port), '--calls', calls],
            { maxBuffer: 64 * 1024 * 1024 },
          );
          const result = JSON.parse(stdout.trim().split('\n').at(-1));
          results[name] ??= {};
          results[name][variant] ??= {
            samples: [],
            cpu: [],
            spanCounts: result.spanCounts,
            calls: result.calls,
          };
          results[name][variant].samples.push(...result.samples);
          results[name][variant].cpu.push(result.cpuPerCall);
          process.stderr.write(`round ${round + 1}: ${name} ${variant} done\n`);
        }
      }
    }
  } finally {
    server.kill();
  }

  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };
  const p99 = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))];
  };
  console.log(`node ${process.version}; ${rounds} rounds x ${calls} calls per variant (after warm-up)`);
  console.log('');
  console.log(
    '| SDK (version) | bare median ms | aicost median ms | median ratio | p99 ratio | bare CPU µs/call | aicost CPU µs/call | CPU overhead µs/call | CPU ratio | spans per call: bare / aicost (cost status) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const name of providers) {
    const { bare, aicost } = results[name];
    // The least CPU per call over the rounds: the round least disturbed by other load.
    const bareCpu = Math.min(...bare.cpu);
    const aicostCpu = Math.min(...aicost.cpu);
    const spans = (variant) =>
      Object.entries(variant.spanCounts)
        .map(([key, count]) => `${(count / variant.calls).toFixed(2)} ${key}`)
        .join(', ') || 'none';
    console.log(
      `| ${PROVIDERS[name].sdk} ${sdkVersion(name)} | ${median(bare.samples).toFixed(3)} | ${median(aicost.samples).toFixed(3)} | ${(median(aicost.samples) / median(bare.samples)).toFixed(2)} | ${(p99(aicost.samples) / p99(bare.samples)).toFixed(2)} | ${bareCpu.toFixed(0)} | ${aicostCpu.toFixed(0)} | ${(aicostCpu - bareCpu).toFixed(0)} | ${(aicostCpu / bareCpu).toFixed(2)} | ${spans(bare)} / ${spans(aicost)} |`,
    );
  }
}

function sdkVersion(name) {
  const resolved = createRequire(join(packageDir(name), 'package.json')).resolve(PROVIDERS[name].sdk);
  let dir = realpathSync(resolved);
  while (
    !existsSync(join(dir, 'package.json')) ||
    JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== PROVIDERS[name].sdk
  ) {
    dir = join(dir, '..');
  }
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}
