/**
 * A local Grafana pointed at `aicost up`: every panel and variable query of the dashboards,
 * sent the way the ClickHouse plugin sends it (clickhouse-go v2.47.0 over HTTP with gzip,
 * through database/sql; ./plugin-client), to `aicost up`'s ClickHouse HTTP interface over the
 * seeded calls, returns the same columns and values as the same query on the engine in
 * process. Decimals are compared exactly, floats to 1e-9 relative.
 * Needs the Go toolchain (skipped without it, except under CI=true where it fails) and the built CLI.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadPrices } from '@aicost/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNanos } from '../../packages/core/src/money/index.js';
import { type Collector, startCollector, tempDir } from '../cli/support.js';
import { ALIASES, PRICES } from '../schema/fixtures.js';
import {
  type EngineSession,
  EXPORTER_TRACE_COLUMNS,
  exporterRow,
  insertSpans,
  loadPriceRows,
  openMigratedEngine,
} from '../support/chdb.js';
import { expandQuery } from '../support/grafana.js';
import { CURRENT_FROM, CURRENT_TO, dashboards, HOUR, type Selection, seed, variables } from './fixtures.js';

const hasGo = spawnSync('go', ['version']).status === 0;

interface PluginResult {
  columns?: string[];
  types?: string[];
  rows?: unknown[][];
  error?: string;
}

/** A value as both sides can agree on it, given the column's ClickHouse type. */
function normalize(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type.includes('Decimal')) return parseNanos(String(value))!.toString();
  if (type.includes('DateTime')) return Date.parse(/[zZ]$/.test(String(value)) ? String(value) : `${value}Z`);
  if (/Float/.test(type)) return Number(value);
  if (/Int\d+/.test(type)) return BigInt(String(value)).toString();
  return value;
}

function sameRows(actual: unknown[][], expected: unknown[][], types: string[]): void {
  const key = (row: unknown[]) => JSON.stringify(row.map((v, i) => (/Float/.test(types[i]!) ? null : v)));
  const sortRows = (rows: unknown[][]) => [...rows].sort((a, b) => key(a).localeCompare(key(b)));
  const [a, e] = [sortRows(actual), sortRows(expected)];
  expect(a.length).toBe(e.length);
  a.forEach((row, r) => {
    row.forEach((value, c) => {
      const want = e[r]![c];
      if (typeof value === 'number' && typeof want === 'number') {
        expect(Math.abs(value - want)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
      } else {
        expect(value).toEqual(want);
      }
    });
  });
}

if (!hasGo && process.env.CI === 'true') {
  describe('the dashboards through the plugin driver against aicost up', () => {
    it('needs the Go toolchain under CI', () => {
      throw new Error('the Go toolchain (`go`) is not on PATH: CI must run the plugin-driver test');
    });
  });
}

describe.skipIf(!hasGo)('the dashboards through the plugin driver against aicost up', () => {
  let collector: Collector;
  let engine: EngineSession;
  let client: string;

  beforeAll(async () => {
    client = join(tempDir('aicost-grafana-go-'), 'plugin-client');
    execFileSync('go', ['build', '-o', client, '.'], {
      cwd: join(import.meta.dirname, 'plugin-client'),
      env: { ...process.env, GOFLAGS: '-mod=mod' },
      stdio: 'pipe',
    });
    const { spans } = seed();
    // The same data twice: in aicost up's store (through its HTTP interface) and in process.
    collector = await startCollector({ args: ['--writable'] });
    const post = async (query: string, body?: string) => {
      const url = `${collector.clickhouseUrl}/?query=${encodeURIComponent(query)}`;
      const response = await fetch(url, {
        method: 'POST',
        headers: collector.authHeaders,
        ...(body === undefined ? {} : { body }),
      });
      if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    };
    await loadPrices((statement) => post(statement), PRICES, ALIASES);
    await post(
      `INSERT INTO otel.otel_traces (${EXPORTER_TRACE_COLUMNS.join(', ')}) FORMAT JSONEachRow`,
      spans.map((span) => JSON.stringify(exporterRow(span))).join('\n'),
    );
    engine = await openMigratedEngine();
    await loadPriceRows(engine, PRICES, ALIASES);
    await insertSpans(engine, spans);
  }, 240_000);

  afterAll(async () => {
    await engine?.close();
    expect(await collector?.stop()).toBe(0);
  });

  const selections: Array<[string, Selection]> = [
    ['All', {}],
    [
      'prod, two customers (one with a quote), one feature',
      { environment: ['prod'], customer: ['acme', "o'reilly"], feature: ['chat'] },
    ],
  ];

  it.each(selections)(
    'every query with %s selected returns what the engine returns',
    (_name, selection) => {
      const queries: Array<{ where: string; sql: string }> = [];
      for (const dashboard of dashboards) {
        for (const variable of dashboard.templating.list) {
          queries.push({ where: `${dashboard.uid} variable ${variable.name}`, sql: variable.query.rawSql });
        }
        for (const panel of dashboard.panels) {
          for (const target of panel.targets)
            queries.push({ where: `${dashboard.uid} / ${panel.title}`, sql: target.rawSql });
        }
      }
      const expanded = queries.map(({ sql }) =>
        expandQuery(sql, {
          from: CURRENT_FROM,
          to: CURRENT_TO,
          intervalMs: 6 * HOUR,
          variables: variables(selection),
        }),
      );
      const input = {
        addr: collector.clickhouseUrl.replace(/^http:\/\//, ''),
        user: 'aicost_reader',
        password: collector.password,
        queries: expanded,
      };
      const out = spawnSync(client, [], { input: JSON.stringify(input), encoding: 'utf8' });
      expect(out.status, out.stderr).toBe(0);
      const results = out.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as PluginResult);
      expect(results).toHaveLength(queries.length);

      let compared = 0;
      results.forEach((result, index) => {
        const { where } = queries[index]!;
        expect(result.error, where).toBeUndefined();
        const types = result.types!;
        const local = engine.query<Record<string, unknown>>(expanded[index]!);
        if (local.length > 0) expect(Object.keys(local[0]!), where).toEqual(result.columns);
        const actual = result.rows!.map((row) => row.map((v, i) => normalize(v, types[i]!)));
        const expected = local.map((row) => result.columns!.map((c, i) => normalize(row[c], types[i]!)));
        sameRows(actual, expected, types);
        compared += actual.length;
      });
      // The seed reaches the panels: many rows compared, not a set of empty answers.
      expect(compared).toBeGreaterThan(100);
    },
    120_000,
  );
});
