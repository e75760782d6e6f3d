/**
 * Shared chDB harness for suites that need the real engine: a session in a fresh temp
 * directory, the schema of @aicost/schema migrated in, spans inserted exactly as the
 * clickhouseexporter inserts them, prices loaded, results read back as JSON.
 *
 * The engine allows one data directory per process at a time: open one `EngineSession`
 * per test file (vitest runs files in separate processes) and close it in `afterAll`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type LoadPricesOptions,
  loadPrices,
  loadRouting,
  type MigrateResult,
  type MigrationOptions,
  migrate as migrateSchema,
  type PriceAlias,
  type PriceRow,
} from '@aicost/schema';
import { drainPending, Session } from 'chdb';
import { exportRoutingData, type RoutingData } from '../../packages/core/src/providers/routing-rows.js';

import { EXPORTER_TRACE_COLUMNS, type ExporterSpan, exporterRow } from './exporter-rows.js';

export { type PriceAlias, type PriceRow, splitStatements } from '@aicost/schema';
export {
  type AttributeValue,
  EXPORTER_TRACE_COLUMNS,
  type ExporterSpan,
  exporterRow,
  exporterSpanOf,
  type FinishedSpan,
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
export function openEngine(prefix = 'aicost-chdb-', options: { configFile?: string } = {}): EngineSession {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // A config file can set what a server would have (macros, remote_servers): cluster tests.
  const session = options.configFile
    ? new Session(dir, { connectionArgs: [`--config-file=${options.configFile}`] })
    : new Session(dir);
  return engineOn(session, dir);
}

/**
 * An EngineSession over an open session on `dir` (`close` removes `dir`): UTC, exact JSON
 * output for Decimal and 64-bit integers.
 */
export function engineOn(session: Session, dir: string): EngineSession {
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

/** Runs one statement and returns its output: what @aicost/schema's `migrate` needs. */
export function runner(engine: EngineSession): (sql: string) => string {
  return (sql) => engine.session.query(sql, 'TabSeparated');
}

/** Brings the engine to the current schema (`aicost migrate`), database `otel` unless told. */
export function migrate(engine: EngineSession, options: MigrationOptions = {}): Promise<MigrateResult> {
  return migrateSchema(runner(engine), options);
}

/** A session with the whole schema applied. */
export async function openMigratedEngine(): Promise<EngineSession> {
  const engine = openEngine();
  await migrate(engine);
  return engine;
}

/**
 * Loads price rows and aliases with @aicost/schema's loader (the one `aicost prices load` uses),
 * and the routing rule's rows (host vs model, service tiers) as `aicost prices load` does:
 * @aicost/core's `exportRoutingData()`, or `routing` when given (a test's host mappings).
 */
export async function loadPriceRows(
  engine: EngineSession,
  rows: readonly PriceRow[],
  aliases: readonly PriceAlias[],
  options?: LoadPricesOptions & { routing?: RoutingData },
): Promise<void> {
  await loadPrices((statement) => engine.exec(statement), rows, aliases, options);
  // A schema from before the routing tables (the upgrade test's release 1) has nothing to load them into.
  const database = options?.database ?? 'otel';
  const [exists] = engine.query<{ n: string }>(
    `SELECT count() AS n FROM system.tables WHERE database = '${database}' AND name = 'aicost_route_hosts'`,
  );
  if (exists?.n === '0') return;
  await loadRouting((statement) => engine.exec(statement), options?.routing ?? exportRoutingData(), {
    database: options?.database,
  });
}

/** Inserts spans into `otel.otel_traces` (or `table`) with the exporter's exact column list (which fires the MVs). */
export async function insertSpans(
  engine: EngineSession,
  spans: readonly ExporterSpan[],
  batch = 10_000,
  table = 'otel.otel_traces',
) {
  for (let i = 0; i < spans.length; i += batch) {
    const body = spans
      .slice(i, i + batch)
      .map((span) => JSON.stringify(exporterRow(span)))
      .join('\n');
    await engine.session.insert({
      table,
      columns: EXPORTER_TRACE_COLUMNS,
      values: body,
      format: 'JSONEachRow',
    });
  }
}
