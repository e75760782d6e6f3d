/**
 * End to end with no infrastructure: an app started with
 * `--import @aicost/node/register` calls the real OpenAI SDK (network faked by
 * a loopback mock), exports OTLP to `aicost up`, and `aicost report` shows the
 * cost per feature and customer, exactly.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../packages/node/test/support/build.js';
import { CHAT_COMPLETION_WITH_CACHE, COST_WITH_CACHE } from '../foreign-spans/openai-fixture.js';
import { json, type MockServer, startMockServer } from '../support/mock-server.js';
import { type Collector, NODE, runCli, startCollector, sumUsd } from './support.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe('an instrumented app reporting to aicost up', () => {
  let provider: MockServer;
  let collector: Collector;

  beforeAll(async () => {
    ensureBuilt('core', 'instrumentation-openai', 'node');
    provider = await startMockServer();
    // The documented response, answering with the model that was asked for.
    provider.on('POST', '/v1/chat/completions', (req) =>
      json({ ...CHAT_COMPLETION_WITH_CACHE, model: req.body.model }),
    );
    collector = await startCollector();
  }, 300_000);

  afterAll(async () => {
    await provider?.close();
    expect(await collector?.stop()).toBe(0);
  });

  it('reports what each feature and customer cost, with the unpriced call apart', {
    timeout: 120_000,
  }, async () => {
    const app = spawn(NODE, ['--import', '@aicost/node/register', 'app-features.mjs'], {
      cwd: fixtures,
      env: {
        PATH: process.env.PATH ?? '',
        MOCK_PROVIDER_URL: provider.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpUrl,
        OTEL_SERVICE_NAME: 'e2e-app',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    app.stderr.on('data', (d) => {
      stderr += d;
    });
    const [code] = await once(app, 'exit');
    expect(code, stderr).toBe(0);
    expect(provider.requests).toHaveLength(6);

    // The app flushed at exit; the collector acknowledged only after writing.
    const res = await runCli([
      'report',
      '--data-dir',
      collector.dataDir,
      '--by',
      'feature,customer',
      '--service',
      'e2e-app',
      '--environment',
      'test',
      '--format',
      'json',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout);
    const row = (feature: string, customer: string) =>
      report.rows.find((r: any) => r.feature === feature && r.customer === customer);
    expect(row('summarize', 'acme')).toMatchObject({
      requests: 3,
      unpriced_requests: 0,
      cost: sumUsd([COST_WITH_CACHE, COST_WITH_CACHE, COST_WITH_CACHE]),
      cost_per_request: COST_WITH_CACHE,
      input_tokens: '3600',
      output_tokens: '90',
      cache_read_tokens: '3072',
    });
    expect(row('search', 'globex')).toMatchObject({
      requests: 2,
      cost: sumUsd([COST_WITH_CACHE, COST_WITH_CACHE]),
    });
    expect(row('summarize', 'globex')).toMatchObject({ requests: 1, unpriced_requests: 1, cost: null });
    expect(report.totals).toMatchObject({ requests: 6, unpriced_requests: 1 });
  });
});
