/**
 * End to end, as a user runs it: a child-process application using the real
 * provider SDKs (openai, @anthropic-ai/sdk, @google/genai) with aicost loaded
 * by `node --import @aicost/node/register` (ESM) or `node -r ...` (CommonJS)
 * exports over OTLP/HTTP to `aicost up` (child process, random ports, temp
 * store); then `aicost report --format json` and `aicost sql` must return the
 * exact cost per feature and per customer.
 *
 * Expected costs are derived here from the usage the mock provider returns
 * (provider-responses.ts) and the list prices below, in integer nano-USD.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../packages/node/test/support/build.js';
import { type Collector, NODE, runCli, startCollector } from '../cli/support.js';
import { type MockServer, startMockServer } from '../support/mock-server.js';
import { scriptProviders } from './provider-responses.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

/**
 * List prices in nano-USD per token (USD per million tokens × 1000), as the
 * bundled catalogue (genai-prices) has them:
 * gpt-4o-mini $0.15 input / $0.075 cached input / $0.60 output;
 * text-embedding-3-small $0.02; claude-haiku-4-5 $1 input / $0.10 cache read /
 * $1.25 cache write (5 min) / $5 output; gemini-2.5-flash $0.30 input / $0.03
 * cached / $2.50 output (thinking included); gemini-2.0-flash $0.10 / $0.40.
 */
const GPT_4O_MINI = { input: 150n, cached: 75n, output: 600n };
const EMBEDDING_3_SMALL = { input: 20n };
const HAIKU_4_5 = { input: 1000n, cacheRead: 100n, cacheWrite5m: 1250n, output: 5000n };
const GEMINI_2_5_FLASH = { input: 300n, cached: 30n, output: 2500n };
const GEMINI_2_0_FLASH = { input: 100n, output: 400n };

interface Call {
  feature: string;
  customer: string;
  /** nano-USD; null when the call cannot be priced. */
  cost: bigint | null;
}

/** The calls of fixtures/calls.cjs with the usage provider-responses.ts reports for each. */
const CALLS: Call[] = [
  // gpt-4o-mini, 2006 prompt tokens of which 1920 cached, 300 completion tokens.
  {
    feature: 'chat',
    customer: 'alpha',
    cost: 86n * GPT_4O_MINI.input + 1920n * GPT_4O_MINI.cached + 300n * GPT_4O_MINI.output,
  },
  // gpt-4o-mini streamed (include_usage): 1000 prompt, 200 completion.
  { feature: 'chat', customer: 'beta', cost: 1000n * GPT_4O_MINI.input + 200n * GPT_4O_MINI.output },
  // claude-haiku-4-5: 50 uncached input, 8000 cache reads, 120 output.
  {
    feature: 'chat',
    customer: 'alpha',
    cost: 50n * HAIKU_4_5.input + 8000n * HAIKU_4_5.cacheRead + 120n * HAIKU_4_5.output,
  },
  // claude-haiku-4-5 streamed: 1000 input, 500 output.
  { feature: 'chat', customer: 'beta', cost: 1000n * HAIKU_4_5.input + 500n * HAIKU_4_5.output },
  // text-embedding-3-small: 12000 input tokens.
  { feature: 'search', customer: 'alpha', cost: 12000n * EMBEDDING_3_SMALL.input },
  // gemini-2.5-flash: 12000 prompt tokens of which 8000 cached, 300 candidates + 700 thoughts.
  {
    feature: 'summary',
    customer: 'beta',
    cost: 4000n * GEMINI_2_5_FLASH.input + 8000n * GEMINI_2_5_FLASH.cached + 1000n * GEMINI_2_5_FLASH.output,
  },
  // gemini-2.0-flash streamed: 1000 prompt, 100 candidates.
  {
    feature: 'summary',
    customer: 'alpha',
    cost: 1000n * GEMINI_2_0_FLASH.input + 100n * GEMINI_2_0_FLASH.output,
  },
  // an unknown fine-tune: counted, unpriced.
  { feature: 'summary', customer: 'alpha', cost: null },
  // claude-haiku-4-5: 20 uncached input, 2000 written to the 5-minute cache, 100 output.
  {
    feature: 'onboarding',
    customer: 'gamma',
    cost: 20n * HAIKU_4_5.input + 2000n * HAIKU_4_5.cacheWrite5m + 100n * HAIKU_4_5.output,
  },
];

interface Expected {
  requests: number;
  unpriced: number;
  cost: bigint | null;
}

function expectedBy(key: 'feature' | 'customer', value: string): Expected {
  const calls = CALLS.filter((call) => call[key] === value);
  const priced = calls.filter((call) => call.cost !== null);
  return {
    requests: calls.length,
    unpriced: calls.length - priced.length,
    cost: priced.length ? priced.reduce((sum, call) => sum + (call.cost as bigint), 0n) : null,
  };
}

/** '0.005556900' → 5556900n (the report and SQL carry exact decimal strings). */
function nanos(decimal: string | null | undefined): bigint | null {
  if (decimal === null || decimal === undefined) return null;
  const [whole = '0', fraction = ''] = decimal.split('.');
  return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
}

async function runApp(preload: string[], app: string, collector: Collector, provider: MockServer) {
  const child = spawn(NODE, [...preload, app], {
    cwd: fixtures,
    env: {
      ...process.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpUrl,
      OTEL_SERVICE_NAME: 'e2e-app',
      MOCK_PROVIDER_URL: provider.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr };
}

interface ReportRow {
  requests: number | string;
  unpriced_requests: number | string;
  cost: string | null;
  [dimension: string]: unknown;
}

async function reportBy(collector: Collector, by: 'feature' | 'customer'): Promise<ReportRow[]> {
  const result = await runCli([
    'report',
    '--by',
    by,
    '--since',
    '1d',
    '--format',
    'json',
    '--data-dir',
    collector.dataDir,
  ]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout).rows as ReportRow[];
}

let provider: MockServer;

beforeAll(async () => {
  ensureBuilt(
    'core',
    'node',
    'instrumentation-openai',
    'instrumentation-anthropic',
    'instrumentation-google-genai',
  );
  provider = await startMockServer();
  scriptProviders(provider);
}, 300_000);
afterAll(() => provider?.close());

const variants = [
  {
    name: 'ESM app with --import @aicost/node/register',
    preload: ['--import', '@aicost/node/register'],
    app: 'app.mjs',
  },
  {
    name: 'CommonJS app with -r @aicost/node/register',
    preload: ['-r', '@aicost/node/register'],
    app: 'app.cjs',
  },
];

describe.each(variants)('$name → aicost up → report and sql', ({ preload, app }) => {
  let collector: Collector;

  beforeAll(async () => {
    collector = await startCollector();
    const run = await runApp(preload, app, collector, provider);
    // The one call to a model without a price warns once, and nothing else is printed.
    expect(run.stderr).toBe(
      'aicost: no price for provider "openai" model "acme-finetune-7b"; cost left unknown\n',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('calls done');
  }, 120_000);
  afterAll(async () => {
    await collector?.stop();
  });

  it('report --format json by feature: exact cost, requests and unpriced count of each feature', async () => {
    const rows = await reportBy(collector, 'feature');
    for (const feature of ['chat', 'search', 'summary']) {
      const row = rows.find((r) => r.feature === feature);
      const expected = expectedBy('feature', feature);
      expect(row, feature).toBeDefined();
      expect({
        feature,
        requests: Number(row?.requests),
        unpriced: Number(row?.unpriced_requests),
        cost: nanos(row?.cost),
      }).toEqual({
        feature,
        ...expected,
      });
    }
  });

  it('report --format json by customer: exact cost of each customer, the unknown model not counted as $0', async () => {
    const rows = await reportBy(collector, 'customer');
    for (const customer of ['alpha', 'beta']) {
      const row = rows.find((r) => r.customer === customer);
      const expected = expectedBy('customer', customer);
      expect({
        customer,
        requests: Number(row?.requests),
        unpriced: Number(row?.unpriced_requests),
        cost: nanos(row?.cost),
      }).toEqual({ customer, ...expected });
    }
  });

  it('aicost sql over otel.aicost_requests: one row per call, exact Decimal sums per feature and customer', async () => {
    const result = await runCli([
      'sql',
      '--data-dir',
      collector.dataDir,
      '--format',
      'json',
      `SELECT feature, customer, count() AS requests, countIf(cost_total IS NULL) AS unpriced, sum(cost_total) AS cost
       FROM otel.aicost_requests GROUP BY feature, customer ORDER BY feature, customer`,
    ]);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as {
      feature: string;
      customer: string;
      requests: string;
      unpriced: string;
      cost: string | null;
    }[];
    const groups = new Map<string, Expected>();
    for (const call of CALLS) {
      const key = `${call.feature}/${call.customer}`;
      const group = groups.get(key) ?? { requests: 0, unpriced: 0, cost: null };
      group.requests++;
      if (call.cost === null) group.unpriced++;
      else group.cost = (group.cost ?? 0n) + call.cost;
      groups.set(key, group);
    }
    const actual = new Map(
      rows.map((row) => [
        `${row.feature}/${row.customer}`,
        { requests: Number(row.requests), unpriced: Number(row.unpriced), cost: nanos(row.cost) },
      ]),
    );
    // Prompt-cache writes are checked by the next test; here every other group must match to the nano.
    groups.delete('onboarding/gamma');
    actual.delete('onboarding/gamma');
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(groups));
  });

  it("one span per call, made by the aicost instrumentation of its SDK (the Anthropic SDK's own span stands aside)", async () => {
    const result = await runCli([
      'sql',
      '--data-dir',
      collector.dataDir,
      '--format',
      'json',
      'SELECT provider, scope_name, count() AS spans FROM otel.aicost_requests GROUP BY ALL ORDER BY provider, scope_name',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const rows = (JSON.parse(result.stdout) as { provider: string; scope_name: string; spans: string }[]).map(
      (row) => ({ ...row, spans: Number(row.spans) }),
    );
    // fixtures/calls.cjs: 3 Anthropic, 2 Gemini, 4 OpenAI calls.
    expect(rows).toEqual([
      { provider: 'anthropic', scope_name: '@aicost/instrumentation-anthropic', spans: 3 },
      { provider: 'gcp.gemini', scope_name: '@aicost/instrumentation-google-genai', spans: 2 },
      { provider: 'openai', scope_name: '@aicost/instrumentation-openai', spans: 4 },
    ]);
  });

  it('prices an Anthropic prompt-cache write at the cache-write rate (feature onboarding, customer gamma)', async () => {
    const rows = await reportBy(collector, 'feature');
    const row = rows.find((r) => r.feature === 'onboarding');
    expect(nanos(row?.cost)).toBe(expectedBy('feature', 'onboarding').cost);
  });
});
