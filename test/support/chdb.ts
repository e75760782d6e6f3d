/**
 * Shared chDB harness for suites that need the real engine: a session in a fresh temp
 * directory, the schema of collector/sql applied, spans inserted exactly as the
 * clickhouseexporter inserts them, prices loaded, results read back as JSON.
 *
 * The engine allows one data directory per process at a time: open one `EngineSession`
 * per test file (vitest runs files in separate processes) and close it in `afterAll`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drainPending, Session } from 'chdb';
import { applyMigrations, type Migration, SCHEMA_DIR } from '../../collector/sql/migrate.js';
import {
  type LoadPricesOptions,
  loadPrices,
  type PriceAlias,
  type PriceRow,
} from '../../collector/sql/prices.js';

import { EXPORTER_TRACE_COLUMNS, type ExporterSpan, exporterRow } from './exporter-rows.js';

export { SCHEMA_DIR, splitStatements } from '../../collector/sql/migrate.js';
export type { PriceAlias, PriceRow } from '../../collector/sql/prices.js';
export {
  type AttributeValue,
  EXPORTER_TRACE_COLUMNS,
  type ExporterSpan,
  exporterRow,
} from './exporter-rows.js';

export interface EngineSession {
  session: Session;
  /** The temp data directory (removed by `close`). */
  dir: string;
  /** Runs one statement; throws the engine's error. */
  exec(sql: string): void;
  /** Runs a query and parses its rows; Decimals and 64-bit integers come back as strings (exact). */
  query<T = Record<string, unknown>>(sql: string): T[];
  close(): Promise<void>;
}

/** A session in a new temp directory, UTC, with exact JSON output for Decimal and 64-bit integers. */
export function openEngine(prefix = 'aicost-chdb-'): EngineSession {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const session = new Session(dir);
  const exec = (sql: string) => {
    session.query(sql, 'Null');
  };
  // SET persists for the session: every query below runs in UTC and prints money exactly.
  exec("SET session_timezone = 'UTC'");
  exec('SET output_format_json_quote_decimals = 1');
  exec('SET output_format_json_quote_64bit_integers = 1');
  exec('SET output_format_decimal_trailing_zeros = 1');
  return {
    session,
    dir,
    exec,
    query<T>(sql: string): T[] {
      const text = session.query(sql, 'JSONEachRow');
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as T);
    },
    async close() {
      session.close();
      await drainPending();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Applies every schema file of collector/sql in order. */
export function migrate(engine: EngineSession, dir: string = SCHEMA_DIR): Promise<Migration[]> {
  return applyMigrations((statement) => engine.exec(statement), dir);
}

/** A session with the whole schema applied. */
export async function openMigratedEngine(): Promise<EngineSession> {
  const engine = openEngine();
  await migrate(engine);
  return engine;
}

/** Loads price rows and aliases (the CLI should reuse collector/sql/prices.ts the same way). */
export function loadPriceRows(
  engine: EngineSession,
  rows: readonly PriceRow[],
  aliases: readonly PriceAlias[],
  options?: LoadPricesOptions,
): Promise<void> {
  return loadPrices((statement) => engine.exec(statement), rows, aliases, options);
}

/** Inserts spans into `otel.otel_traces` with the exporter's exact column list (which fires the MVs). */
export async function insertSpans(engine: EngineSession, spans: readonly ExporterSpan[], batch = 10_000) {
  for (let i = 0; i < spans.length; i += batch) {
    const body = spans
      .slice(i, i + batch)
      .map((span) => JSON.stringify(exporterRow(span)))
      .join('\n');
    await engine.session.insert({
      table: 'otel.otel_traces',
      columns: EXPORTER_TRACE_COLUMNS,
      values: body,
      format: 'JSONEachRow',
    });
  }
}
