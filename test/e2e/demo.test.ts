/**
 * `aicost demo` as a user runs it (the built CLI, a child process, no TTY):
 * it must start everything, run the sample app, and print the cost of every
 * feature and customer; the store it leaves behind must agree with what it
 * printed. Failures must exit non-zero with a readable message.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../packages/node/test/support/build.js';
import { assertCliBuilt, CLI, NODE, REPO, runCli, tempDir } from '../cli/support.js';

const FEATURES = [
  'support-chat',
  'ticket-triage',
  'reply-translation',
  'code-review',
  'summarization',
  'search-embeddings',
];
const CUSTOMERS = ['acme-corp', 'globex', 'initech', 'umbrella'];

function runDemo(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, 'demo', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

/** `$0.012345` → 12345000n nano-USD (the table shows 6 decimals). */
function tableDollars(text: string): bigint {
  const match = /^\$(\d+)\.(\d{6})$/.exec(text);
  if (!match) throw new Error(`not a cost: ${text}`);
  return BigInt(match[1] as string) * 1_000_000_000n + BigInt(match[2] as string) * 1000n;
}

/** The rows of one printed report table: first column → [requests, unpriced, cost]. */
function tableRows(section: string): Map<string, { requests: number; unpriced: number; cost: string }> {
  const rows = new Map<string, { requests: number; unpriced: number; cost: string }>();
  for (const line of section.split('\n')) {
    const cells = line.trim().split(/\s{2,}/);
    if (cells.length < 4 || !/^\d+$/.test(cells[1] as string)) continue;
    rows.set(cells[0] as string, {
      requests: Number(cells[1]),
      unpriced: Number(cells[2]),
      cost: cells[3] as string,
    });
  }
  return rows;
}

beforeAll(() => {
  // The CLI is built only when missing (`pnpm test` builds first): rebuilding it here would delete
  // the dist that other test files' children are running.
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

describe('aicost demo', () => {
  let dataDir: string;
  let demo: Awaited<ReturnType<typeof runDemo>>;

  beforeAll(async () => {
    dataDir = join(tempDir('aicost-demo-'), 'store');
    demo = await runDemo(['--data-dir', dataDir]);
  }, 120_000);

  it('exits 0 within a minute, with plain progress lines on stderr when not on a terminal', () => {
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.ms).toBeLessThan(60_000);
    expect(demo.stderr).toMatch(/^aicost demo: starting the local collector/m);
    expect(demo.stderr).toMatch(/^aicost demo: (\d+)\/\1 requests$/m);
    expect(demo.stderr).not.toContain('\r'); // no bar redrawing in a log
  });

  it('prints the cost of every feature and every customer, none unpriced, totals that add up', () => {
    const [byFeature = '', byCustomer = ''] = demo.stdout.split(/^Cost by customer$/m);
    expect(byFeature).toMatch(/^Cost by feature$/m);
    for (const [section, names] of [
      [byFeature, FEATURES],
      [byCustomer, CUSTOMERS],
    ] as const) {
      const rows = tableRows(section);
      let sum = 0n;
      for (const name of names) {
        const row = rows.get(name);
        expect(row, `${name} in\n${section}`).toBeDefined();
        expect(row?.unpriced).toBe(0);
        const cost = tableDollars(row?.cost ?? '');
        expect(cost).toBeGreaterThan(0n);
        sum += cost;
      }
      const total = rows.get('total');
      // Each row is rounded to the micro-dollar for display: the sum is within half a micro-dollar per row.
      const difference = tableDollars(total?.cost ?? '') - sum;
      expect(difference < 0n ? -difference : difference).toBeLessThanOrEqual(BigInt(names.length) * 500n);
    }
    expect(tableRows(byFeature).get('total')).toEqual(tableRows(byCustomer).get('total'));
  });

  it('tells how to run your own SQL and leaves a store that agrees with the report', async () => {
    expect(demo.stdout).toContain(`sql --data-dir ${dataDir}`);
    const totals = tableRows(demo.stdout.split(/^Cost by customer$/m)[0] ?? '').get('total');
    const result = await runCli([
      'sql',
      '--data-dir',
      dataDir,
      '--format',
      'json',
      'SELECT count() AS requests, countIf(cost_total IS NULL) AS unpriced, sum(cost_total) AS cost FROM otel.aicost_requests',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const [row] = JSON.parse(result.stdout) as { requests: string; unpriced: string; cost: string }[];
    expect(Number(row?.requests)).toBe(totals?.requests);
    expect(Number(row?.unpriced)).toBe(0);
    // The store keeps 9 decimals; the table rounds half away from zero to 6.
    const [whole = '0', fraction = ''] = (row?.cost ?? '').split('.');
    const nanos = BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0'));
    expect((nanos + 500n) / 1000n).toBe(tableDollars(totals?.cost ?? '') / 1000n);
  });

  it('prints the unit economics per customer: margin = revenue - AI cost, cost per ticket from the ticket traces', async () => {
    const section = demo.stdout.split(/^Unit economics this month.*$/m)[1] ?? '';
    const rows = section
      .split('\n')
      .map((line) => line.trim().split(/\s{2,}/))
      .filter((cells) => cells.length === 8 && CUSTOMERS.includes(cells[0] as (typeof CUSTOMERS)[number]));
    expect(rows.map((cells) => cells[0])).toEqual([...CUSTOMERS].sort());
    const nanos = (text: string) => {
      const [whole = '0', fraction = ''] = text.replace(/^-/, '').split('.');
      const value = BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0'));
      return text.startsWith('-') ? -value : value;
    };
    // Independently of the economics views: the request table, per customer and for support-chat.
    const result = await runCli([
      'sql',
      '--data-dir',
      dataDir,
      '--format',
      'json',
      `SELECT customer, toString(sum(cost_total)) AS cost, countIf(feature = 'support-chat') AS tickets,
              toString(sumIf(cost_total, feature = 'support-chat')) AS ticket_cost
       FROM otel.aicost_requests GROUP BY customer`,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const byCustomer = new Map(
      (
        JSON.parse(result.stdout) as {
          customer: string;
          cost: string;
          tickets: string;
          ticket_cost: string;
        }[]
      ).map((r) => [r.customer, r]),
    );
    for (const [customer, , revenue, aiCost, margin, , tickets, perTicket] of rows as string[][]) {
      const expected = byCustomer.get(customer as string)!;
      expect(nanos(aiCost as string), customer).toBe(nanos(expected.cost));
      expect(nanos(margin as string), customer).toBe(nanos(revenue as string) - nanos(expected.cost));
      expect(Number(tickets), customer).toBe(Number(expected.tickets));
      const ticketCost = nanos(expected.ticket_cost);
      const count = BigInt(expected.tickets);
      expect(nanos(perTicket as string), customer).toBe((2n * ticketCost + count) / (2n * count));
    }
  });

  it('gives the same numbers on every run (fresh store, deterministic mock)', async () => {
    const again = await runDemo(['--data-dir', dataDir, '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    const strip = (out: string) => out.replace(/^aicost report .*$/gm, '');
    expect(strip(again.stdout)).toBe(strip(demo.stdout));
  }, 120_000);
});

describe('aicost demo failures', () => {
  it('exits 1 with a clear message when the app does not exist', async () => {
    const result = await runDemo(['--app', '/nonexistent/app.mjs', '--data-dir', join(tempDir(), 'store')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('aicost demo: /nonexistent/app.mjs does not exist');
  });

  it('refuses to wipe a directory it did not create', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'precious.txt'), 'keep me');
    const result = await runDemo(['--data-dir', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not a demo directory');
  });

  it('exits 1 and shows the app error when the app fails', async () => {
    const app = fileURLToPath(new URL('./fixtures/failing-app.mjs', import.meta.url));
    const result = await runDemo(['--app', app, '--data-dir', join(tempDir(), 'store')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the sample app exited with code 1');
    expect(result.stderr).toContain('provider key missing');
  }, 60_000);
});
