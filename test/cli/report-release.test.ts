/**
 * `aicost report --by release` as a user runs it on a local store: the economics seed (two
 * releases of support-api, outcomes recorded by support-worker in the same traces) stored
 * through the exporter's table, then the report in JSON, CSV and table form. Every figure is
 * computed in the test from the seed (test/schema/economics-fixtures.ts), in integer nano-USD.
 */
import { join } from 'node:path';
import { formatNanos } from '@aicost/core';
import { drainPending, Session } from 'chdb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ECONOMICS_ALIASES,
  ECONOMICS_PRICES,
  economicsSeed,
  hundredths,
  releaseFigures,
  seedSpans,
} from '../schema/economics-fixtures.js';
import { engineOn, insertSpans, loadPriceRows } from '../support/chdb.js';
import { runCli, startCollector, tempDir, withCredential } from './support.js';

const seed = economicsSeed();
let dataDir: string;

/** Hundredths of a percent as the report prints them. */
const percent = (h: bigint) => {
  const digits = (h < 0n ? -h : h).toString().padStart(3, '0');
  return `${h < 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
};

/** `aicost report --by release --since 40d` and `args` (filters, --format, where the data is). */
const reportByRelease = (args: string[], options?: Parameters<typeof runCli>[1]) =>
  runCli(['report', '--by', 'release', '--since', '40d', ...args], options);

beforeAll(async () => {
  dataDir = join(tempDir(), 'store');
  const migrated = await runCli(['migrate', '--data-dir', dataDir]);
  expect(migrated.code).toBe(0);
  // The store is the engine's data directory: seed it in this process, then hand it to the CLI.
  const session = new Session(dataDir);
  const engine = engineOn(session, dataDir);
  await loadPriceRows(engine, ECONOMICS_PRICES, ECONOMICS_ALIASES);
  await insertSpans(engine, seedSpans(seed));
  session.close();
  await drainPending();
}, 180_000);

describe('aicost report --by release', () => {
  const first = releaseFigures(seed, 'support-api', '1.0.0');
  const second = releaseFigures(seed, 'support-api', '2.0.0');
  const requestChange = second.perRequest - first.perRequest;
  const outcomeChange = second.perOutcome - first.perOutcome;

  it('JSON: cost per request and per outcome per release, the change from the release before in USD and %', async () => {
    const result = await reportByRelease([
      '--service',
      'support-api',
      '--format',
      'json',
      '--data-dir',
      dataDir,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { by: string[]; rows: Record<string, unknown>[] };
    expect(report.by).toEqual(['release']);
    expect(
      report.rows.map((r) => ({
        service: r.service,
        release: r.release,
        deployment: r.deployment,
        previous: r.previous_release,
        requests: r.requests,
        priced: r.priced_requests,
        outcomes: r.outcomes,
        perRequest: r.cost_per_request,
        perRequestChange: r.cost_per_request_change,
        perRequestPct: r.cost_per_request_change_pct,
        perOutcome: r.cost_per_outcome,
        perOutcomeChange: r.cost_per_outcome_change,
        perOutcomePct: r.cost_per_outcome_change_pct,
      })),
    ).toEqual([
      {
        service: 'support-api',
        release: '1.0.0',
        deployment: 'deploy-1.0.0',
        previous: '',
        requests: first.requests,
        priced: first.priced,
        outcomes: first.outcomes,
        perRequest: formatNanos(first.perRequest),
        perRequestChange: null,
        perRequestPct: null,
        perOutcome: formatNanos(first.perOutcome),
        perOutcomeChange: null,
        perOutcomePct: null,
      },
      {
        service: 'support-api',
        release: '2.0.0',
        deployment: 'deploy-2.0.0',
        previous: '1.0.0',
        requests: second.requests,
        priced: second.priced,
        outcomes: second.outcomes,
        perRequest: formatNanos(second.perRequest),
        perRequestChange: formatNanos(requestChange),
        perRequestPct: percent(hundredths(requestChange * 100n, first.perRequest)),
        perOutcome: formatNanos(second.perOutcome),
        perOutcomeChange: formatNanos(outcomeChange),
        perOutcomePct: percent(hundredths(outcomeChange * 100n, first.perOutcome)),
      },
    ]);
  });

  it('table: one line per release with the signed change; CSV: the same figures', async () => {
    const table = await reportByRelease(['--data-dir', dataDir]);
    expect(table.code).toBe(0);
    const line = table.stdout.split('\n').find((l) => l.includes(' 2.0.0 '));
    const sign = requestChange > 0n ? '+' : '-';
    const size = requestChange > 0n ? requestChange : -requestChange;
    expect(line).toContain(`${sign}$${formatNanos(size)}`);
    expect(line).toContain(`(${sign}${percent(hundredths(size * 100n, first.perRequest))}%)`);
    const csv = await reportByRelease(['--data-dir', dataDir, '--format', 'csv']);
    expect(csv.code).toBe(0);
    const [header, ...lines] = csv.stdout.trim().split('\n');
    const columns = header!.split(',');
    const row = lines
      .map((l) => l.split(','))
      .find((cells) => cells[columns.indexOf('release')] === '2.0.0')!;
    expect(row[columns.indexOf('cost_per_request_change_usd')]).toBe(formatNanos(requestChange));
    expect(row[columns.indexOf('cost_per_outcome_usd')]).toBe(formatNanos(second.perOutcome));
  });

  it('takes the dimension filters: --feature keeps the calls of that feature (and the outcomes of their traces)', async () => {
    const result = await reportByRelease(['--feature', 'search', '--format', 'json', '--data-dir', dataDir]);
    expect(result.stderr).toBe('');
    const rows = (JSON.parse(result.stdout) as { rows: Record<string, unknown>[] }).rows;
    const search = { ...seed, calls: seed.calls.filter((c) => c.feature === 'search') };
    expect(rows.map((r) => [r.release, r.requests, r.outcomes, r.cost_per_outcome])).toEqual(
      ['1.0.0', '2.0.0'].map((release) => {
        const figures = releaseFigures(search, 'support-api', release);
        return [release, figures.requests, figures.outcomes, formatNanos(figures.perOutcome)];
      }),
    );
  });

  it('runs the same through a read-only aicost up (--clickhouse-url)', async () => {
    const local = await reportByRelease(['--format', 'json', '--data-dir', dataDir]);
    expect(local.code, local.stderr).toBe(0);
    const collector = await startCollector({ dataDir });
    try {
      const remote = await reportByRelease(
        ['--format', 'json', '--clickhouse-url', collector.clickhouseUrl],
        withCredential(collector),
      );
      expect(remote.code, remote.stderr).toBe(0);
      const rows = (text: string) => (JSON.parse(text) as { rows: unknown[] }).rows;
      expect(rows(remote.stdout)).toEqual(rows(local.stdout));
      expect(rows(remote.stdout)).toHaveLength(2);
    } finally {
      expect(await collector.stop('SIGTERM')).toBe(0);
    }
  });

  it('refuses --by release with another dimension', async () => {
    const result = await runCli(['report', '--by', 'release', '--by', 'feature', '--data-dir', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--by release goes alone');
  });
});
