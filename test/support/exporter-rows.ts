/**
 * Spans as collector-contrib's clickhouseexporter writes them into `otel_traces`:
 * its column list and one row per span in its layout (every attribute value a
 * string). Shared by test/support/chdb.ts and the benchmarks in bench/.
 *
 * No imports, erasable TypeScript only: bench/*.mjs imports this file directly
 * under Node's type stripping.
 */

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

/** The span fields {@link exporterSpanOf} reads: an OpenTelemetry JS `ReadableSpan`. */
export interface FinishedSpan {
  name: string;
  kind: number;
  startTime: [number, number];
  duration: [number, number];
  status: { code: number; message?: string };
  attributes: Record<string, unknown>;
  resource: { attributes: Record<string, unknown> };
  instrumentationScope: { name: string; version?: string };
  spanContext(): { traceId: string; spanId: string };
  parentSpanContext?: { spanId: string };
}

const SPAN_KINDS = ['Internal', 'Server', 'Client', 'Producer', 'Consumer'];
const STATUS_CODES = ['Unset', 'Ok', 'Error'];

/** pcommon `AsString()` of any attribute value: arrays as JSON, as the exporter writes them. */
function scalar(value: unknown): AttributeValue {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? value
    : JSON.stringify(value);
}

function scalars(attributes: Record<string, unknown>): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, scalar(value)]),
  );
}

/** A span an SDK finished, as the exporter maps it to a row (OTLP keeps every field used here). */
export function exporterSpanOf(span: FinishedSpan): ExporterSpan {
  const [seconds, nanos] = span.startTime;
  const exported: ExporterSpan = {
    start: new Date(seconds * 1000 + Math.floor(nanos / 1e6)),
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? '',
    name: span.name,
    kind: SPAN_KINDS[span.kind] ?? 'Unspecified',
    resource: scalars(span.resource.attributes),
    scopeName: span.instrumentationScope.name,
    scopeVersion: span.instrumentationScope.version ?? '',
    attributes: scalars(span.attributes),
    durationNs: BigInt(span.duration[0]) * 1_000_000_000n + BigInt(span.duration[1]),
    statusCode: STATUS_CODES[span.status.code] ?? 'Unset',
  };
  if (span.status.message) exported.statusMessage = span.status.message;
  return exported;
}
