/**
 * An outcome recorded by one process is joined to the model calls another process made for
 * the same ticket: service A (frontend) calls the model twice under feature/customer/workflow
 * attribution and hands over to service B (worker) over HTTP with traceparent and baggage;
 * B records `ticket_resolved`. Both export over OTLP to `aicost up`; the outcome views must
 * show B's outcome with A's exact cost, attributed from the baggage B received.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../packages/node/test/support/build.js';
import { type Collector, NODE, runCli, startCollector } from '../cli/support.js';
import { type MockServer, startMockServer } from '../support/mock-server.js';
import { scriptProviders } from './provider-responses.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** gpt-4o-mini as the mock answers (2006 prompt tokens, 1920 cached, 300 completion) at list price. */
const CALL_NANOS = 86n * 150n + 1920n * 75n + 300n * 600n;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(app: string, env: Record<string, string>): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(NODE, ['--import', '@aicost/node/register', app], {
    cwd: fixtures,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout?.on('data', (d) => {
    run.stdout += d;
  });
  child.stderr?.on('data', (d) => {
    run.stderr += d;
  });
  const done = new Promise<Run>((resolve) =>
    child.once('close', (code) => {
      run.code = code;
      resolve(run);
    }),
  );
  return { child, done };
}

let provider: MockServer;
let collector: Collector;
let frontend: Run;
let worker: Run;

beforeAll(async () => {
  ensureBuilt('core', 'node', 'instrumentation-openai');
  provider = await startMockServer();
  scriptProviders(provider);
  collector = await startCollector();
  const workerProcess = start('outcome-worker.mjs', {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpUrl,
    OTEL_SERVICE_NAME: 'ticket-worker',
    OTEL_RESOURCE_ATTRIBUTES: 'service.version=w-7',
  });
  const port = await new Promise<string>((resolve, reject) => {
    workerProcess.child.stdout?.on('data', (d) => {
      const match = /listening (\d+)/.exec(String(d));
      if (match) resolve(match[1]!);
    });
    workerProcess.done.then((run) => reject(new Error(`worker exited: ${run.stderr}`)));
  });
  frontend = await start('outcome-frontend.mjs', {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpUrl,
    OTEL_SERVICE_NAME: 'ticket-frontend',
    OTEL_RESOURCE_ATTRIBUTES: 'service.version=f-3',
    MOCK_PROVIDER_URL: provider.url,
    WORKER_URL: `http://127.0.0.1:${port}/resolve`,
  }).done;
  worker = await workerProcess.done;
}, 180_000);
afterAll(async () => {
  await collector?.stop();
  await provider?.close();
});

async function sql<T>(query: string): Promise<T[]> {
  const result = await runCli(['sql', '--data-dir', collector.dataDir, '--format', 'json', query]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T[];
}

describe('outcome in service B, model calls in service A', () => {
  it('both processes ran cleanly', () => {
    expect(frontend).toMatchObject({ code: 0, stderr: '' });
    expect(frontend.stdout).toContain('worker {"recorded":true}');
    expect(worker).toMatchObject({ code: 0, stderr: '' });
  });

  it('aicost_outcome_costs joins the outcome to the calls of the other service, in the same trace', async () => {
    const traceId = /trace ([0-9a-f]{32})/.exec(frontend.stdout)?.[1];
    const rows = await sql<Record<string, unknown>>(
      `SELECT trace_id, service, release, outcome, feature, customer, workflow, value, calls, unpriced_calls, cost_usd, arrayStringConcat(call_services, ',') AS call_services
       FROM otel.aicost_outcome_costs`,
    );
    expect(rows).toEqual([
      {
        trace_id: traceId,
        service: 'ticket-worker',
        release: 'w-7',
        outcome: 'ticket_resolved',
        feature: 'support',
        customer: 'acme',
        workflow: 'ticket',
        value: '42.5',
        calls: '2',
        unpriced_calls: '0',
        cost_usd: expect.any(String),
        call_services: 'ticket-frontend',
      },
    ]);
    expect(nanosOf(rows[0]!.cost_usd as string)).toBe(2n * CALL_NANOS);
  });

  it('cost per outcome by trace and by workflow both count service A calls against service B outcome', async () => {
    const byTrace = await sql<{
      feature: string;
      customer: string;
      outcomes: string;
      cost_per_outcome_usd: string;
    }>('SELECT feature, customer, outcomes, cost_per_outcome_usd FROM otel.aicost_cost_per_outcome');
    expect(byTrace.map((r) => ({ ...r, cost_per_outcome_usd: nanosOf(r.cost_per_outcome_usd) }))).toEqual([
      { feature: 'support', customer: 'acme', outcomes: '1', cost_per_outcome_usd: 2n * CALL_NANOS },
    ]);
    const byWorkflow = await sql<{ workflow: string; calls: string; cost_per_outcome_usd: string }>(
      'SELECT workflow, calls, cost_per_outcome_usd FROM otel.aicost_cost_per_outcome_by_workflow',
    );
    expect(byWorkflow.map((r) => ({ ...r, cost_per_outcome_usd: nanosOf(r.cost_per_outcome_usd) }))).toEqual([
      { workflow: 'ticket', calls: '2', cost_per_outcome_usd: 2n * CALL_NANOS },
    ]);
  });
});

function nanosOf(text: string): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
}
