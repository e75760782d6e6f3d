/**
 * The database name is a parameter end to end: the schema migrated into `finops` (no `otel`
 * database at all), the seed inserted there, the dashboards generated for it
 * (`AICOST_DATABASE=finops node grafana/generator/generate.ts --out dir`), and every panel and
 * variable query of every dashboard run on the engine; the total spend is the seed's, to the
 * nano-dollar.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNanos } from '../../packages/core/src/money/index.js';
import { ALIASES, PRICES } from '../schema/fixtures.js';
import { type EngineSession, insertSpans, loadPriceRows, migrate, openEngine } from '../support/chdb.js';
import { expandQuery } from '../support/grafana.js';
import { CURRENT_FROM, CURRENT_TO, type DashboardJson, seed, variables } from './fixtures.js';

const DATABASE = 'finops';
const GENERATOR = fileURLToPath(new URL('../../grafana/generator/generate.ts', import.meta.url));
const { rows, spans } = seed();

let engine: EngineSession;
let dir: string;
let dashboards: DashboardJson[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aicost-dashboards-'));
  execFileSync(process.execPath, [GENERATOR, '--out', dir], {
    env: { ...process.env, AICOST_DATABASE: DATABASE },
    stdio: 'pipe',
  });
  dashboards = readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as DashboardJson);
  engine = openEngine();
  await migrate(engine, { database: DATABASE });
  await loadPriceRows(engine, PRICES, ALIASES, { database: DATABASE });
  await insertSpans(engine, spans, 10_000, `${DATABASE}.otel_traces`);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = (sql: string) =>
  engine.query<Record<string, unknown>>(
    expandQuery(sql, { from: CURRENT_FROM, to: CURRENT_TO, intervalMs: 3_600_000, variables: variables({}) }),
  );

describe(`the schema and the dashboards in database ${DATABASE}`, () => {
  it('has no otel database: everything lives in finops', () => {
    expect(
      engine.query("SELECT name FROM system.databases WHERE name IN ('otel', 'finops') ORDER BY name"),
    ).toEqual([{ name: DATABASE }]);
    const [count] = engine.query<{ n: string }>(`SELECT count() AS n FROM ${DATABASE}.aicost_requests`);
    expect(Number(count!.n)).toBe(rows.length);
  });

  it('generates dashboards that name finops only, and runs every panel and variable query', () => {
    // Overview, features, customers, requests and economics.
    expect(dashboards).toHaveLength(5);
    let queries = 0;
    for (const dashboard of dashboards) {
      const text = JSON.stringify(dashboard);
      expect(text, dashboard.uid).not.toMatch(/\botel\.(aicost|otel)_/);
      expect(text, dashboard.uid).toContain(`${DATABASE}.aicost_`);
      for (const variable of dashboard.templating.list) {
        run(variable.query.rawSql);
        queries++;
      }
      for (const panel of dashboard.panels) {
        for (const target of panel.targets) {
          run(target.rawSql);
          queries++;
        }
      }
    }
    expect(queries).toBeGreaterThan(40);
  });

  it('shows the seed’s spend in the range, to the nano-dollar', () => {
    const overview = dashboards.find((d) => d.uid === 'aicost-overview')!;
    const total = overview.panels.find((p) => p.title === 'Total spend')!;
    const [spend] = run(total.targets[0]!.rawSql);
    const hour = (date: Date) => Math.floor(date.getTime() / 3_600_000) * 3_600_000;
    const expected = rows
      .filter(
        (row) =>
          row.nanos !== null &&
          hour(row.start) >= CURRENT_FROM.getTime() &&
          hour(row.start) <= CURRENT_TO.getTime(),
      )
      .reduce((sum, row) => sum + row.nanos!, 0n);
    expect(expected).toBeGreaterThan(0n);
    expect(spend!.spend_usd).toBe(formatNanos(expected));
  });
});
