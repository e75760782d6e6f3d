/**
 * The UI on seeded data: an engine store in a temp directory (the CLI's LocalEngine, as
 * `aicost up` opens it), the Grafana suites' deterministic seed inserted the way the exporter
 * inserts it, the fixtures' prices loaded, and the UI server on a random loopback port.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatNanos } from '@aicost/core';
import { loadPrices } from '@aicost/schema';
import { LocalEngine } from '../../packages/cli/src/store/engine.js';
import { browserRequestsFrom, createUiServer } from '../../packages/ui/src/index.js';
import { runCli, tempDir } from '../cli/support.js';
import { seed } from '../grafana/fixtures.js';
import {
  dayStart,
  ECONOMICS_ALIASES,
  ECONOMICS_PRICES,
  economicsSeed,
  HOUR_MS,
  isoDay,
  type Seed,
  seedSpans,
  sqlTime,
} from '../schema/economics-fixtures.js';
import { ALIASES, PRICES } from '../schema/fixtures.js';
import { type ExporterSpan, exporterRow, type PriceAlias, type PriceRow } from '../support/chdb.js';

export const ASSETS_DIR = fileURLToPath(new URL('../../packages/ui/dist/web/', import.meta.url));

export interface SeededUi {
  engine: LocalEngine;
  url: string;
  server: Server;
  /** The engine's answer to `sql` (read-only; Decimals and 64-bit integers as exact strings). */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  insert(spans: readonly ExporterSpan[]): Promise<void>;
  close(): Promise<void>;
}

export async function startSeededUi(): Promise<SeededUi> {
  const dir = mkdtempSync(join(tmpdir(), 'aicost-ui-'));
  return serveStore(dir, { prices: PRICES, aliases: ALIASES, spans: seed().spans });
}

async function serveStore(
  dir: string,
  data: { prices: readonly PriceRow[]; aliases: readonly PriceAlias[]; spans: readonly ExporterSpan[] },
): Promise<SeededUi> {
  const engine = await LocalEngine.open(dir);
  await loadPrices((statement) => engine.query(statement), data.prices, data.aliases);
  const insert = async (spans: readonly ExporterSpan[]) => {
    await engine.insertJsonRows(
      'otel.otel_traces',
      spans.map((span) => JSON.stringify(exporterRow(span))).join('\n'),
    );
  };
  await insert(data.spans);
  const server: Server = createUiServer({
    engine,
    // The check `aicost up` passes, against this server's address.
    authorize: browserRequestsFrom(
      () => ({ host: '127.0.0.1', port: (server.address() as AddressInfo).port }),
      {
        navigation: true,
      },
    ),
    assetsDir: ASSETS_DIR,
    // Failures only: under a loaded test run every query waits its turn at the engine.
    slowQueryMs: Number.POSITIVE_INFINITY,
    log: (message) => console.error(message),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    engine,
    server,
    url: `http://127.0.0.1:${port}`,
    async query<T>(sql: string): Promise<T[]> {
      const settings = { output_format_json_quote_decimals: '1' };
      const text = (await engine.queryReadOnly(sql, { format: 'JSONEachRow', settings })).text();
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as T);
    },
    insert,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The unit-economics seed (test/schema/economics-fixtures.ts: two releases, outcomes recorded by
 * a second service, segments, self-hosted pools) with its business data loaded as a user loads
 * it: `aicost revenue load`, `aicost capacity load` and `aicost billing load` (an OpenAI Costs
 * API page with a project mapping) run as commands on the store before the UI opens it.
 * The bill lists each day's traced OpenAI spend plus a known extra on some days, a batch line
 * of a mapped project without spans, and a credit.
 */
export async function startEconomicsUi(): Promise<SeededUi & { seed: Seed; files: string }> {
  const files = tempDir('aicost-ui-economics-');
  const store = join(files, 'store');
  const economics = economicsSeed();
  const write = (name: string, content: string) => {
    const path = join(files, name);
    writeFileSync(path, content);
    return path;
  };
  const period = { start: isoDay(dayStart(20)), end: isoDay(dayStart(0)) };
  const previous = { start: isoDay(dayStart(50)), end: isoDay(dayStart(21)) };
  const revenue = write(
    'revenue.csv',
    [
      'customer,segment,period_start,period_end,amount,currency',
      `acme,smb,${period.start},${period.end},5.5,USD`,
      `globex,enterprise,${period.start},${period.end},20,USD`,
      `initech,smb,${period.start},${period.end},0.25,USD`,
      `umbrella,enterprise,${period.start},${period.end},12.75,EUR`,
      `acme,smb,${previous.start},${previous.end},5,USD`,
    ].join('\n'),
  );
  const at = (hour: number) => sqlTime(dayStart(2) + hour * HOUR_MS).slice(0, 19);
  const capacity = write(
    'capacity.csv',
    [
      'pool,tier,units,unit_usd_per_hour,valid_from,valid_to',
      `gpu-pool-a,self_hosted,2,1.5,${at(8)},${at(14)}`,
      `gpu-pool-b,cloud_gpu,1,0.333333333,${at(10)},${at(12)}`,
    ].join('\n'),
  );
  // Per UTC day and OpenAI model, what the seed traced (priced calls), billed with an extra.
  const traced = new Map<string, bigint>();
  for (const call of economics.calls) {
    if (call.costNanos === null || !call.model.startsWith('gpt-')) continue;
    const key = `${isoDay(call.start)}|${call.model}`;
    traced.set(key, (traced.get(key) ?? 0n) + call.costNanos);
  }
  const buckets = new Map<string, string[]>();
  let index = 0;
  for (const [key, nanos] of [...traced].sort()) {
    const [day, model] = key.split('|') as [string, string];
    const extra = index++ % 3 === 0 ? 123_456_789n : 0n;
    const results = buckets.get(day) ?? [];
    results.push(costsResult(formatNanos(nanos + extra), `${model}, input`, 'proj_support'));
    buckets.set(day, results);
  }
  const lastDay = isoDay(dayStart(1));
  buckets.set(lastDay, [
    ...(buckets.get(lastDay) ?? []),
    costsResult('0.75', 'gpt-4o-mini-2024-07-18, input, batch', 'proj_nightly', 1_000_000),
    costsResult('-0.5', null, null),
  ]);
  const page = {
    object: 'page',
    data: [...buckets].map(([day, results]) => ({
      object: 'bucket',
      start_time: Date.parse(`${day}T00:00:00Z`) / 1000,
      end_time: Date.parse(`${day}T00:00:00Z`) / 1000 + 86_400,
      results: results.map((result) => JSON.parse(result)),
    })),
    has_more: false,
    next_page: null,
  };
  // Amounts as JSON numbers with every digit (the import reads the text, never a float).
  const bill = write(
    'openai-costs.json',
    JSON.stringify(page).replace(/"value":"(-?[\d.]+)"/g, '"value":$1'),
  );
  const mapping = write(
    'projects.yaml',
    'projects:\n  proj_support: { service: support-api }\n  proj_nightly: { service: nightly-digest }\n',
  );
  for (const args of [
    ['migrate'],
    ['revenue', 'load', revenue],
    ['capacity', 'load', capacity],
    ['billing', 'load', bill, '--mapping', mapping],
  ]) {
    const result = await runCli([...args, '--data-dir', store]);
    if (result.code !== 0) throw new Error(`aicost ${args.join(' ')}: ${result.stderr}`);
  }
  const ui = await serveStore(store, {
    prices: ECONOMICS_PRICES,
    aliases: ECONOMICS_ALIASES,
    spans: seedSpans(economics),
  });
  return { ...ui, seed: economics, files };
}

function costsResult(
  value: string,
  lineItem: string | null,
  project: string | null,
  quantity?: number,
): string {
  return JSON.stringify({
    object: 'organization.costs.result',
    amount: { value, currency: 'usd' },
    line_item: lineItem,
    project_id: project,
    api_key_id: null,
    quantity: quantity ?? null,
  });
}
