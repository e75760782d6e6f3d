/**
 * The packages as users get them: packed into tarballs (`pnpm pack`), installed
 * with npm from the npm registry into scratch apps under the system's temp
 * folder (outside this workspace, so nothing resolves from it), then run.
 *
 * - "Use it in your app" (the README's install section): `npm install
 *   @aicost/node @aicost/instrumentation-openai` next to `openai`, the app
 *   started with `node --import @aicost/node/register` against `aicost up`;
 *   `aicost report` shows the call's exact cost under its feature.
 * - Bring your own OpenTelemetry: an app on SDK 2.x with @opentelemetry/api
 *   1.9 and a bare `NodeTracerProvider` adds `aicostSpanProcessors()` from
 *   `@aicost/core` (one API copy: a peer dependency); an app on the current SDK
 *   (`NodeSDK` 0.301, api 1.10) adds `aicostSpanProcessors()` and
 *   `aicostInstrumentations()` from `@aicost/node`. Attribution and cost on
 *   every span.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installScratchApp, packPackages } from '../../bench/support/scratch-app.mjs';
import { ensureBuilt } from '../../packages/node/test/support/build.js';
import { type Collector, NODE, runCli, startCollector } from '../cli/support.js';
import { json, type MockServer, startMockServer } from '../support/mock-server.js';

const scratch = mkdtempSync(join(tmpdir(), 'aicost-packed-'));

/** gpt-4o-mini list price: $0.15 input, $0.60 output per million tokens; 1000 in, 100 out. */
const EXPECTED_COST = '0.000210000';
const CHAT_COMPLETION = {
  id: 'chatcmpl-packed',
  object: 'chat.completion',
  created: 1_765_000_000,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 },
};

const GEN_AI_SPAN = `{
    attributes: {
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
    },
  }`;

const APPS = {
  'your-app': {
    dependencies: (t: Map<string, string>) => [
      t.get('@aicost/node')!,
      t.get('@aicost/instrumentation-openai')!,
      'openai@7.59.0',
    ],
    files: {
      'app.mjs': `import OpenAI from 'openai';
import { withAttribution } from '@aicost/node';

// The SDK talks to api.openai.com as far as it knows; the request goes to the loopback mock.
const toMock = (url, init) => {
  const target = new URL(String(url instanceof Request ? url.url : url));
  return fetch(process.env.MOCK_URL + target.pathname + target.search, init);
};
const client = new OpenAI({ apiKey: 'test-key', maxRetries: 0, fetch: toMock });
await withAttribution({ feature: 'packed-install', customer: 'scratch' }, () =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
);
console.log('done');
`,
    },
  },
  'sdk2-api19': {
    dependencies: (t: Map<string, string>) => [
      t.get('@aicost/core')!,
      '@opentelemetry/api@1.9.1',
      '@opentelemetry/sdk-trace-node@2.12.1',
      '@opentelemetry/sdk-trace-base@2.12.1',
      // What an app on SDK 2.x has when it uses instrumentations; npm then shares it with @aicost/core.
      '@opentelemetry/instrumentation@0.223.0',
    ],
    files: {
      'app.mjs': `import { aicostSpanProcessors, withAttribution } from '@aicost/core';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({
  spanProcessors: [...aicostSpanProcessors(), new SimpleSpanProcessor(exporter)],
});
provider.register();
withAttribution({ feature: 'byo-sdk2' }, () => trace.getTracer('app').startSpan('chat gpt-4o-mini', ${GEN_AI_SPAN}).end());
await provider.forceFlush();
console.log(JSON.stringify(exporter.getFinishedSpans().map((span) => span.attributes)));
`,
    },
  },
  'sdk3-nodesdk': {
    dependencies: (t: Map<string, string>) => [
      t.get('@aicost/node')!,
      '@opentelemetry/api@1.10.0',
      '@opentelemetry/sdk-node@0.301.2',
      '@opentelemetry/sdk-trace@3.1.1',
    ],
    files: {
      'app.mjs': `import { aicostInstrumentations, aicostSpanProcessors, withAttribution } from '@aicost/node';
import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace';

// Prints what it is given to export: the spans as they leave the process.
const printingExporter = {
  export(spans, done) {
    console.log(JSON.stringify(spans.map((span) => span.attributes)));
    done({ code: 0 });
  },
  shutdown: async () => {},
};
const sdk = new NodeSDK({
  spanProcessors: [...aicostSpanProcessors(), new SimpleSpanProcessor({ exporter: printingExporter })],
  instrumentations: [...aicostInstrumentations()],
  metricReaders: [],
});
sdk.start();
withAttribution({ feature: 'byo-sdk3' }, () => trace.getTracer('app').startSpan('chat gpt-4o-mini', ${GEN_AI_SPAN}).end());
await sdk.shutdown();
`,
    },
  },
};

function runNode(args: string[], cwd: string, env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(NODE, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every copy of @opentelemetry/api under an app's node_modules. */
function apiCopies(dir: string): number {
  let copies = 0;
  const visit = (nodeModules: string) => {
    let entries: string[];
    try {
      entries = readdirSync(nodeModules);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith('@')) {
        for (const scoped of readdirSync(join(nodeModules, entry))) {
          if (`${entry}/${scoped}` === '@opentelemetry/api') copies += 1;
          visit(join(nodeModules, entry, scoped, 'node_modules'));
        }
      } else visit(join(nodeModules, entry, 'node_modules'));
    }
  };
  visit(join(dir, 'node_modules'));
  return copies;
}

beforeAll(async () => {
  ensureBuilt('core', 'node', 'instrumentation-openai');
  const tarballs = await packPackages(['core', 'node', 'instrumentation-openai'], join(scratch, 'tarballs'));
  await Promise.all(
    Object.entries(APPS).map(([name, app]) =>
      installScratchApp(join(scratch, name), {
        dependencies: app.dependencies(tarballs),
        tarballs,
        files: app.files,
      }),
    ),
  );
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm install @aicost/node in your app, node --import, aicost up, aicost report', () => {
  let collector: Collector;
  let provider: MockServer;
  beforeAll(async () => {
    provider = await startMockServer();
    provider.on('POST', '/v1/chat/completions', json(CHAT_COMPLETION));
    collector = await startCollector();
  }, 120_000);
  afterAll(async () => {
    await collector?.stop();
    await provider?.close();
  });

  it('the call reaches the report with its exact cost under its feature', async () => {
    const run = await runNode(['--import', '@aicost/node/register', 'app.mjs'], join(scratch, 'your-app'), {
      MOCK_URL: provider.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpUrl,
      OTEL_SERVICE_NAME: 'packed-app',
      // A loaded CI machine's local collector may take longer than the default 2 s to ingest the batch.
      AICOST_SHUTDOWN_TIMEOUT_MS: '30000',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('done');

    const report = await runCli([
      'report',
      '--by',
      'feature',
      '--since',
      '1d',
      '--format',
      'json',
      '--data-dir',
      collector.dataDir,
    ]);
    expect(report.stderr).toBe('');
    const rows = JSON.parse(report.stdout).rows as { feature: string; requests: unknown; cost: string }[];
    const row = rows.find((r) => r.feature === 'packed-install');
    expect(row, report.stdout).toBeDefined();
    expect(Number(row?.requests)).toBe(1);
    expect(Number(row?.cost)).toBeCloseTo(Number(EXPECTED_COST), 12);
  }, 120_000);
});

describe('bring your own OpenTelemetry', () => {
  it.each([
    ['SDK 2.x (NodeTracerProvider) with @opentelemetry/api 1.9', 'sdk2-api19', 'byo-sdk2'],
    [
      'the current SDK (NodeSDK 0.301, sdk-trace 3.1) with @opentelemetry/api 1.10',
      'sdk3-nodesdk',
      'byo-sdk3',
    ],
  ])('%s: one API copy, attribution and cost on the span', async (_label, app, feature) => {
    const dir = join(scratch, app);
    expect(apiCopies(dir)).toBe(1);
    const run = await runNode(['app.mjs'], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const spans = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      'aicost.feature': feature,
      'aicost.cost.status': 'priced',
      'aicost.cost.total': EXPECTED_COST,
    });
  });
});
