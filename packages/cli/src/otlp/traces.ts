/**
 * OTLP spans to rows of the exporter's `otel_traces` table, value for value as
 * the contrib clickhouseexporter's `pushTraceData` writes them. The rows are
 * JSONEachRow lines, which the engine parses itself.
 */
import {
  attributesMap,
  type BytesInput,
  type Int64Input,
  idHexOrEmpty,
  int64BigInt,
  int64String,
  type KeyValue,
  serviceName,
  stringOf,
} from './values.js';

export interface OtlpSpan {
  traceId?: BytesInput;
  spanId?: BytesInput;
  traceState?: string | null;
  parentSpanId?: BytesInput;
  name?: string | null;
  kind?: number | string | null;
  startTimeUnixNano?: Int64Input;
  endTimeUnixNano?: Int64Input;
  attributes?: KeyValue[] | null;
  events?: { timeUnixNano?: Int64Input; name?: string | null; attributes?: KeyValue[] | null }[] | null;
  links?:
    | {
        traceId?: BytesInput;
        spanId?: BytesInput;
        traceState?: string | null;
        attributes?: KeyValue[] | null;
      }[]
    | null;
  status?: { message?: string | null; code?: number | string | null } | null;
}

export interface OtlpTracesRequest {
  resourceSpans?:
    | {
        resource?: { attributes?: KeyValue[] | null } | null;
        scopeSpans?:
          | { scope?: { name?: string | null; version?: string | null } | null; spans?: OtlpSpan[] | null }[]
          | null;
      }[]
    | null;
}

/** ptrace `SpanKind.String()`. */
const SPAN_KIND = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
/** ptrace `StatusCode.String()`. */
const STATUS_CODE = ['Unset', 'Ok', 'Error'];

/** Enum values arrive as numbers (protobuf, OTLP/JSON) or, from lenient JSON encoders, as names. */
function enumName(v: number | string | null | undefined, names: string[], prefix: string): string {
  if (v === null || v === undefined) return names[0]!;
  if (typeof v === 'number') return names[v] ?? '';
  const n = Number(v);
  if (Number.isInteger(n)) return names[n] ?? '';
  const short = v.startsWith(prefix) ? v.slice(prefix.length) : v;
  return names.find((name) => name.toUpperCase() === short.toUpperCase()) ?? '';
}

export const TRACE_COLUMNS = [
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

/** One JSONEachRow line per span, newline-terminated; returns the text and the span count. */
export function tracesToRows(req: OtlpTracesRequest): { rows: string; count: number } {
  const lines: string[] = [];
  for (const rs of req.resourceSpans ?? []) {
    const resAttrs = rs.resource?.attributes;
    const service = JSON.stringify(serviceName(resAttrs));
    const resMap = JSON.stringify(attributesMap(resAttrs));
    for (const ss of rs.scopeSpans ?? []) {
      const scopeName = JSON.stringify(stringOf(ss.scope?.name));
      const scopeVersion = JSON.stringify(stringOf(ss.scope?.version));
      for (const span of ss.spans ?? []) {
        lines.push(spanRow(span, service, resMap, scopeName, scopeVersion));
      }
    }
  }
  return { rows: lines.length ? `${lines.join('\n')}\n` : '', count: lines.length };
}

function spanRow(span: OtlpSpan, service: string, resMap: string, scopeName: string, scopeVersion: string) {
  const start = int64BigInt(span.startTimeUnixNano);
  const end = int64BigInt(span.endTimeUnixNano);
  // The exporter subtracts unsigned pcommon.Timestamps: an end before the start wraps around.
  const duration = BigInt.asUintN(64, end - start);
  const events = span.events ?? [];
  const links = span.links ?? [];
  return (
    `{"Timestamp":"${start}"` +
    `,"TraceId":"${idHexOrEmpty(span.traceId, 32)}"` +
    `,"SpanId":"${idHexOrEmpty(span.spanId, 16)}"` +
    `,"ParentSpanId":"${idHexOrEmpty(span.parentSpanId, 16)}"` +
    `,"TraceState":${JSON.stringify(stringOf(span.traceState))}` +
    `,"SpanName":${JSON.stringify(stringOf(span.name))}` +
    `,"SpanKind":"${enumName(span.kind, SPAN_KIND, 'SPAN_KIND_')}"` +
    `,"ServiceName":${service}` +
    `,"ResourceAttributes":${resMap}` +
    `,"ScopeName":${scopeName}` +
    `,"ScopeVersion":${scopeVersion}` +
    `,"SpanAttributes":${JSON.stringify(attributesMap(span.attributes))}` +
    `,"Duration":"${duration}"` +
    `,"StatusCode":"${enumName(span.status?.code, STATUS_CODE, 'STATUS_CODE_')}"` +
    `,"StatusMessage":${JSON.stringify(stringOf(span.status?.message))}` +
    `,"Events.Timestamp":[${events.map((e) => `"${int64String(e.timeUnixNano)}"`).join(',')}]` +
    `,"Events.Name":${JSON.stringify(events.map((e) => stringOf(e.name)))}` +
    `,"Events.Attributes":${JSON.stringify(events.map((e) => attributesMap(e.attributes)))}` +
    `,"Links.TraceId":${JSON.stringify(links.map((l) => idHexOrEmpty(l.traceId, 32)))}` +
    `,"Links.SpanId":${JSON.stringify(links.map((l) => idHexOrEmpty(l.spanId, 16)))}` +
    `,"Links.TraceState":${JSON.stringify(links.map((l) => stringOf(l.traceState)))}` +
    `,"Links.Attributes":${JSON.stringify(links.map((l) => attributesMap(l.attributes)))}}`
  );
}
