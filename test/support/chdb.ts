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

export { SCHEMA_DIR, splitStatements } from '../../collector/sql/migrate.js';
export type { PriceAlias, PriceRow } from '../../collector/sql/prices.js';

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

// ---------------------------------------------------------------------------
// Spans as the exporter writes them
// ---------------------------------------------------------------------------

/**
 * The column list of clickhouseexporter v0.165.1's traces INSERT
 * (internal/sqltemplates/traces_insert.sql), in its order.
 */
export const EXPORTER_TRACE_COLUMNS = [
  'Timestamp',
  'TraceId',
  'SpanId',
  'ParentSpanId',
  'TraceState',
  'SpanName',
  'SpanKind',
  'ServiceName',
  'ResourceAttributes',
  'ScopeName',
  'ScopeVersion',
  'SpanAttributes',
  'Duration',
  'StatusCode',
  'StatusMessage',
  'Events.Timestamp',
  'Events.Name',
  'Events.Attributes',
  'Links.TraceId',
  'Links.SpanId',
  'Links.TraceState',
  'Links.Attributes',
] as const;

/** Attribute values as OTel produces them; the exporter stores each with pcommon `AsString()`. */
export type AttributeValue = string | number | boolean;

export interface ExporterSpan {
  /** Span start; `Date` (ms) or a `YYYY-MM-DD hh:mm:ss[.fffffffff]` UTC string. */
  start: Date | string;
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  /** pdata `SpanKind.String()`: `Client`, `Server`, `Internal`, `Producer`, `Consumer`, `Unspecified`. */
  kind?: string;
  resource?: Record<string, AttributeValue>;
  scopeName?: string;
  scopeVersion?: string;
  attributes?: Record<string, AttributeValue>;
  durationNs?: bigint | number;
  /** pdata `StatusCode.String()`: `Unset`, `Ok`, `Error`. */
  statusCode?: string;
  statusMessage?: string;
}

let idCounter = 0;
function hexId(bytes: number): string {
  idCounter += 1;
  return idCounter.toString(16).padStart(bytes * 2, '0');
}

/** pcommon `Value.AsString()` for the scalar types: booleans `true`/`false`, numbers in decimal. */
function asString(value: AttributeValue): string {
  return typeof value === 'string' ? value : String(value);
}

function stringMap(attributes: Record<string, AttributeValue> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes ?? {}).map(([k, v]) => [k, asString(v)]));
}

function timestamp(value: Date | string): string {
  if (typeof value === 'string') return value;
  return value.toISOString().replace('T', ' ').replace('Z', '');
}

/** One row in the exporter's layout (keys = EXPORTER_TRACE_COLUMNS). */
export function exporterRow(span: ExporterSpan): Record<string, unknown> {
  const resource = stringMap(span.resource);
  return {
    Timestamp: timestamp(span.start),
    TraceId: span.traceId ?? hexId(16),
    SpanId: span.spanId ?? hexId(8),
    ParentSpanId: span.parentSpanId ?? '',
    TraceState: '',
    SpanName: span.name ?? '',
    SpanKind: span.kind ?? 'Client',
    // internal.GetServiceName: the service.name resource attribute, else empty.
    ServiceName: resource['service.name'] ?? '',
    ResourceAttributes: resource,
    ScopeName: span.scopeName ?? '',
    ScopeVersion: span.scopeVersion ?? '',
    SpanAttributes: stringMap(span.attributes),
    Duration: String(span.durationNs ?? 0),
    StatusCode: span.statusCode ?? 'Unset',
    StatusMessage: span.statusMessage ?? '',
    'Events.Timestamp': [],
    'Events.Name': [],
    'Events.Attributes': [],
    'Links.TraceId': [],
    'Links.SpanId': [],
    'Links.TraceState': [],
    'Links.Attributes': [],
  };
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
