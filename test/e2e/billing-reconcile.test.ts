/**
 * `aicost reconcile` end to end, as a user runs it: the demo's traffic in a store, then a
 * bill (OpenAI Costs API page) in which one service's spend has no spans and one model is
 * billed at the flex tier. The bill is written from the store's own numbers, and every
 * expected amount is computed here from them, to the nano: the command must find both.
 * Loading the same file again leaves every total unchanged.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatNanos, parseNanos } from '@aicost/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../packages/node/test/support/build.js';
import { assertCliBuilt, CLI, NODE, REPO, runCli, startCollector, tempDir } from '../cli/support.js';

const MISSING_SERVICE_SPEND = 1_234_567_891n; // $1.234567891 on a project with no spans

interface TracedModel {
  day: string;
  model: string;
  cost: string;
}

const nanos = (text: string) => {
  const value = parseNanos(text);
  if (value === undefined) throw new Error(`not an amount: ${text}`);
  return value;
};

function runDemo(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, 'demo', ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Runs the CLI; `--clickhouse-url` to the collector on dataDir needs the store's credential (CLICKHOUSE_PASSWORD). */
async function cli(args: string[], password?: string): Promise<string> {
  const result = await runCli(args, password === undefined ? {} : { env: { CLICKHOUSE_PASSWORD: password } });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

beforeAll(() => {
  assertCliBuilt();
  ensureBuilt(
    'core',
    'node',
    'instrumentation-openai',
    'instrumentation-anthropic',
    'instrumentation-google-genai',
    'instrumentation-mistral',
    'instrumentation-cohere',
  );
}, 300_000);

describe('aicost reconcile on the demo traffic', () => {
  let dataDir: string;
  let traced: TracedModel[];
  let bill: string;
  let flex: { day: string; traced: bigint; billed: bigint };
  let mini: { day: string; traced: bigint };

  beforeAll(async () => {
    dataDir = join(tempDir('aicost-reconcile-'), 'store');
    const demo = await runDemo(['--data-dir', dataDir, '--quiet']);
    expect(demo.code, demo.stderr).toBe(0);

    // What the store holds for OpenAI, per day and catalogue model: the bill is written from it.
    traced = JSON.parse(
      await cli([
        'sql',
        '--data-dir',
        dataDir,
        '--format',
        'json',
        `SELECT toString(toDate(timestamp)) AS day, toString(price_model_id) AS model, toString(sum(cost_total)) AS cost
         FROM otel.aicost_requests WHERE provider = 'openai' AND cost_total IS NOT NULL
         GROUP BY day, model ORDER BY day, model`,
      ]),
    ) as TracedModel[];
    const flexModel = traced.find((t) => t.model === 'gpt-4.1');
    const miniModel = traced.find((t) => t.model === 'gpt-4o-mini');
    if (!flexModel || !miniModel)
      throw new Error(`the demo has no gpt-4.1 or gpt-4o-mini spans: ${JSON.stringify(traced)}`);
    // Flex is priced like Batch, half of standard: the bill shows half of what the spans say.
    flex = { day: flexModel.day, traced: nanos(flexModel.cost), billed: nanos(flexModel.cost) / 2n };
    mini = { day: miniModel.day, traced: nanos(miniModel.cost) };

    const lineItem: Record<string, string> = {
      'gpt-4.1': 'gpt-4.1-2025-04-14, input, flex',
      'gpt-4o-mini': 'gpt-4o-mini-2024-07-18, input',
    };
    const days = [...new Set(traced.map((t) => t.day))];
    const page = {
      object: 'page',
      data: days.map((day) => {
        const start = Date.parse(`${day}T00:00:00Z`) / 1000;
        const results = traced
          .filter((t) => t.day === day)
          .map((t) => ({
            object: 'organization.costs.result',
            amount: { value: t.model === 'gpt-4.1' ? formatNanos(flex.billed) : t.cost, currency: 'usd' },
            line_item: lineItem[t.model] ?? `${t.model}, input`,
            project_id: 'proj_support',
          }));
        if (day === mini.day) {
          results.push({
            object: 'organization.costs.result',
            amount: { value: formatNanos(MISSING_SERVICE_SPEND), currency: 'usd' },
            line_item: 'gpt-4o-mini-2024-07-18, input',
            project_id: 'proj_batch',
          });
        }
        return { object: 'bucket', start_time: start, end_time: start + 86400, results };
      }),
      has_more: false,
      next_page: null,
    };
    const dir = tempDir('aicost-bill-');
    bill = join(dir, 'openai-costs.json');
    // Amounts are written as JSON numbers with 9 decimals, as the API writes numbers: no float on the way in.
    writeFileSync(bill, JSON.stringify(page, null, 2).replace(/"value": "(-?\d+\.\d+)"/g, '"value": $1'));
    writeFileSync(
      join(dir, 'projects.yaml'),
      'projects:\n  proj_support: { service: support-app, environment: demo }\n  proj_batch: { service: batch-worker, environment: demo }\n',
    );
    const loaded = await cli([
      'billing',
      'load',
      bill,
      '--mapping',
      join(dir, 'projects.yaml'),
      '--data-dir',
      dataDir,
    ]);
    expect(loaded).toContain(`${bill}: openai-costs, ${traced.length + 1} rows`);
  }, 180_000);

  async function reconcileJson() {
    return JSON.parse(
      await cli(['reconcile', '--since', '2d', '--format', 'json', '--data-dir', dataDir]),
    ) as {
      ghost_usd: string;
      totals: Record<string, string>;
      rows: Record<string, string | null>[];
      suggestions: { kind: string; subject: string; amount_usd: string | null; message: string }[];
    };
  }

  it('finds the service whose spend has no spans, to the nano', async () => {
    const result = await reconcileJson();
    const row = result.rows.find(
      (r) => r.provider === 'openai' && r.model === 'gpt-4o-mini' && r.day === mini.day,
    );
    expect(row?.billed_usd).toBe(formatNanos(mini.traced + MISSING_SERVICE_SPEND));
    expect(row?.traced_usd).toBe(formatNanos(mini.traced));
    expect(row?.ghost_usd).toBe(formatNanos(MISSING_SERVICE_SPEND));
    expect(row?.unexplained_usd).toBe(formatNanos(MISSING_SERVICE_SPEND));
    const uninstrumented = result.suggestions.filter((s) => s.kind === 'uninstrumented_project');
    expect(uninstrumented).toEqual([
      {
        kind: 'uninstrumented_project',
        provider: 'openai',
        subject: 'proj_batch',
        amount_usd: formatNanos(MISSING_SERVICE_SPEND),
        message: expect.stringContaining(
          'traffic on project proj_batch (openai, service batch-worker) has no spans',
        ),
      },
    ]);
  });

  it('finds the model billed at the flex tier and explains its difference by the tier, to the nano', async () => {
    const result = await reconcileJson();
    const row = result.rows.find(
      (r) => r.provider === 'openai' && r.model === 'gpt-4.1' && r.day === flex.day,
    );
    expect(row?.billed_usd).toBe(formatNanos(flex.billed));
    expect(row?.flex_usd).toBe(formatNanos(flex.billed));
    expect(row?.traced_usd).toBe(formatNanos(flex.traced));
    expect(row?.ghost_usd).toBe(formatNanos(flex.billed - flex.traced));
    expect(row?.explained_tier_usd).toBe(formatNanos(-flex.billed));
    // The same catalogue priced the spans and re-prices them: no price change.
    expect(row?.explained_price_change_usd).toBe('0.000000000');
    // What the tier does not explain is the odd nano of halving.
    expect(row?.unexplained_usd).toBe(formatNanos(2n * flex.billed - flex.traced));
    const tier = result.suggestions.find((s) => s.kind === 'service_tier');
    expect(tier).toMatchObject({ subject: 'gpt-4.1', amount_usd: formatNanos(flex.billed) });
  });

  it('totals the ghost spend over the bill, and prints it first', async () => {
    const result = await reconcileJson();
    const others = traced.filter((t) => t.model !== 'gpt-4.1' && t.model !== 'gpt-4o-mini');
    const billed =
      others.reduce((sum, t) => sum + nanos(t.cost), 0n) + mini.traced + MISSING_SERVICE_SPEND + flex.billed;
    const tracedTotal = traced.reduce((sum, t) => sum + nanos(t.cost), 0n);
    expect(result.totals.billed_usd).toBe(formatNanos(billed));
    expect(result.totals.traced_usd).toBe(formatNanos(tracedTotal));
    expect(result.ghost_usd).toBe(formatNanos(billed - tracedTotal));

    const table = await cli(['reconcile', '--since', '2d', '--data-dir', dataDir]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^aicost reconcile \d{4}-\d{2}-\d{2} \.\. \d{4}-\d{2}-\d{2} \(UTC days\)$/);
    expect(lines[2]).toMatch(/^Ghost spend \(billed - traced\): /);
    expect(table).toContain('Suggestions:');
    expect(table.indexOf('traffic on project proj_batch')).toBeGreaterThan(table.indexOf('Ghost spend'));

    const csv = await cli(['reconcile', '--since', '2d', '--format', 'csv', '--data-dir', dataDir]);
    const [header, first] = csv.split('\n');
    expect(header?.split(',').slice(0, 4)).toEqual(['day', 'provider', 'model', 'ghost_usd']);
    // The largest ghost spend comes first: the missing service.
    expect(first?.split(',').slice(1, 4)).toEqual([
      'openai',
      'gpt-4o-mini',
      formatNanos(MISSING_SERVICE_SPEND),
    ]);
  });

  it('leaves every total unchanged when the same bill is loaded again', async () => {
    const before = await reconcileJson();
    const again = await cli(['billing', 'load', bill, '--data-dir', dataDir]);
    expect(again).toContain('already imported: its rows were replaced, totals unchanged');
    const after = await reconcileJson();
    expect(after.totals).toEqual(before.totals);
    expect(after.rows.map((r) => [r.day, r.provider, r.model, r.billed_usd, r.ghost_usd])).toEqual(
      before.rows.map((r) => [r.day, r.provider, r.model, r.billed_usd, r.ghost_usd]),
    );
  });

  it('gives the same answer through a running aicost up (read-only ClickHouse HTTP interface) and --clickhouse-url', async () => {
    const local = await reconcileJson();
    const readOnly = await startCollector({ dataDir });
    try {
      // With a collector running on the directory, --data-dir goes through it.
      for (const target of [
        ['--data-dir', dataDir],
        ['--clickhouse-url', readOnly.clickhouseUrl],
      ]) {
        const remote = JSON.parse(
          await cli(['reconcile', '--since', '2d', '--format', 'json', ...target], readOnly.password),
        ) as typeof local;
        expect(remote.totals).toEqual(local.totals);
        expect(remote.rows).toEqual(local.rows);
        expect(remote.suggestions).toEqual(local.suggestions);
      }
    } finally {
      await readOnly.stop();
    }
    const writable = await startCollector({ dataDir, args: ['--writable'] });
    try {
      const loaded = await cli(
        ['billing', 'load', bill, '--clickhouse-url', writable.clickhouseUrl],
        writable.password,
      );
      expect(loaded).toContain('already imported: its rows were replaced, totals unchanged');
      expect(loaded).toContain(`loaded ${traced.length + 1} billing rows into ${writable.clickhouseUrl}`);
      const after = JSON.parse(
        await cli(
          ['reconcile', '--since', '2d', '--format', 'json', '--clickhouse-url', writable.clickhouseUrl],
          writable.password,
        ),
      ) as typeof local;
      expect(after.totals).toEqual(local.totals);
    } finally {
      await writable.stop();
    }
  }, 180_000);

  it('names the file, line and field of a bad bill and loads nothing from it', async () => {
    const bad = join(tempDir('aicost-bad-bill-'), 'bad.json');
    writeFileSync(
      bad,
      '{"object":"page","data":[{"object":"bucket","start_time":1796083200,"end_time":1796169600,"results":[\n{"object":"organization.costs.result","amount":{"value":"12,5","currency":"usd"},"line_item":"gpt-4o-mini, input","project_id":"p"}\n]}],"has_more":false,"next_page":null}\n',
    );
    const result = await runCli(['billing', 'load', bad, '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `aicost billing: ${bad}:2: field "data[0].results[0].amount.value": not a number: "12,5"\n`,
    );
  });
});
