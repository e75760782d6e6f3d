/**
 * The UI on seeded data: an engine store in a temp directory (the CLI's LocalEngine, as
 * `aicost up` opens it), the Grafana suites' deterministic seed inserted the way the exporter
 * inserts it, the fixtures' prices loaded, and the UI server on a random loopback port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPrices } from '@aicost/schema';
import { LocalEngine } from '../../packages/cli/src/store/engine.js';
import { createUiServer } from '../../packages/ui/src/index.js';
import { seed } from '../grafana/fixtures.js';
import { ALIASES, PRICES } from '../schema/fixtures.js';
import { type ExporterSpan, exporterRow } from '../support/chdb.js';

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
  const engine = await LocalEngine.open(dir);
  await loadPrices((statement) => engine.query(statement), PRICES, ALIASES);
  const insert = async (spans: readonly ExporterSpan[]) => {
    await engine.insertJsonRows(
      'otel.otel_traces',
      spans.map((span) => JSON.stringify(exporterRow(span))).join('\n'),
    );
  };
  await insert(seed().spans);
  const server = createUiServer({
    engine,
    host: '127.0.0.1',
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
