/**
 * OTLP scalar conventions shared by the trace and metric row builders. Inputs
 * come from two decoders: protobufjs (64-bit integers as `Long`, ids as bytes)
 * and OTLP/JSON (64-bit integers as decimal strings or numbers, ids as hex).
 * Outputs follow the contrib clickhouse exporter, which stores every attribute
 * value as pdata's `Value.AsString()`.
 */

/** A payload that decodes but holds a value OTLP does not allow (answered with 400). */
export class OtlpDataError extends Error {
  override name = 'OtlpDataError';
}

/** A protobufjs `Long` (only what we read). */
interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
  toString(radix?: number): string;
}

export type Int64Input = LongLike | number | string | bigint | null | undefined;
export type BytesInput = Uint8Array | string | null | undefined;

export interface AnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64Input;
  doubleValue?: number | string | null;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
  bytesValue?: BytesInput;
}

export interface KeyValue {
  key?: string | null;
  value?: AnyValue | null;
}

/** Decimal digits of a 64-bit integer, exact (timestamps in ns exceed 2^53). */
export function int64String(v: Int64Input): string {
  if (v === null || v === undefined) return '0';
  if (typeof v === 'string') {
    if (v === '') return '0';
    if (!/^-?\d+$/.test(v)) throw new OtlpDataError(`invalid integer ${JSON.stringify(v.slice(0, 40))}`);
    return BigInt(v).toString();
  }
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v).toString() : String(Math.trunc(v));
  if (typeof v === 'bigint') return v.toString();
  return v.toString(10);
}

export function int64BigInt(v: Int64Input): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'object') {
    const lo = BigInt(v.low >>> 0);
    const hi = BigInt(v.high >>> 0);
    const n = (hi << 32n) | lo;
    return v.unsigned ? n : BigInt.asIntN(64, n);
  }
  return BigInt(int64String(v));
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function bytesToHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

/**
 * Trace and span ids as lower-case hex, or '' when absent or all zeros
 * (the exporter's `TraceIDToHexOrEmptyString`). OTLP/JSON carries ids as hex.
 */
export function idHexOrEmpty(v: BytesInput): string {
  const hex = idHex(v);
  return /^0*$/.test(hex) ? '' : hex;
}

/** Ids as hex, zeros kept (the exporter writes exemplar ids this way). */
export function idHex(v: BytesInput, width = 0): string {
  if (v === null || v === undefined) return '0'.repeat(width);
  if (typeof v === 'string') {
    if (!/^[0-9a-fA-F]*$/.test(v))
      throw new OtlpDataError(`invalid hex id ${JSON.stringify(v.slice(0, 40))}`);
    return v === '' ? '0'.repeat(width) : v.toLowerCase();
  }
  return v.length === 0 ? '0'.repeat(width) : bytesToHex(v);
}

/** OTLP/JSON bytes are base64; protobuf bytes are raw. */
function bytesToBase64(v: BytesInput): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

/** Go's `float64AsString` (ES6 number-to-string, which is also JavaScript's). */
export function doubleString(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  return String(v);
}

function toDouble(v: number | string | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : Number(v);
}

function has(obj: object, key: string): boolean {
  const v = (obj as Record<string, unknown>)[key];
  return Object.hasOwn(obj, key) && v !== null && v !== undefined;
}

/** pdata `Value.AsString()`: strings raw, scalars formatted, maps and slices as JSON. */
export function anyValueString(v: AnyValue | null | undefined): string {
  if (!v) return '';
  if (has(v, 'stringValue')) return v.stringValue!;
  if (has(v, 'boolValue')) return v.boolValue ? 'true' : 'false';
  if (has(v, 'intValue')) return int64String(v.intValue);
  if (has(v, 'doubleValue')) return doubleString(toDouble(v.doubleValue));
  if (has(v, 'kvlistValue') || has(v, 'arrayValue')) return goJson(anyValueRawJson(v));
  if (has(v, 'bytesValue')) return bytesToBase64(v.bytesValue);
  return '';
}

/**
 * JSON text of pdata `AsRaw()` for nested values, as Go's encoding/json writes
 * it: map keys sorted, int64 exact, bytes base64, no HTML escaping.
 */
function anyValueRawJson(v: AnyValue | null | undefined): string {
  if (!v) return 'null';
  if (has(v, 'stringValue')) return JSON.stringify(v.stringValue);
  if (has(v, 'boolValue')) return v.boolValue ? 'true' : 'false';
  if (has(v, 'intValue')) return int64String(v.intValue);
  if (has(v, 'doubleValue')) {
    const d = toDouble(v.doubleValue);
    return Number.isFinite(d) ? String(d) : 'null';
  }
  if (has(v, 'kvlistValue')) {
    const entries = new Map<string, string>();
    for (const kv of v.kvlistValue!.values ?? []) entries.set(kv.key ?? '', anyValueRawJson(kv.value));
    const keys = [...entries.keys()].sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${entries.get(k)}`).join(',')}}`;
  }
  if (has(v, 'arrayValue')) return `[${(v.arrayValue!.values ?? []).map(anyValueRawJson).join(',')}]`;
  if (has(v, 'bytesValue')) return JSON.stringify(bytesToBase64(v.bytesValue));
  return 'null';
}

/** Go escapes U+2028 and U+2029 where JSON.stringify does not. */
function goJson(s: string): string {
  return s.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Attributes as the exporter's `Map(LowCardinality(String), String)`. */
export function attributesMap(kvs: KeyValue[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!kvs) return out;
  for (const kv of kvs) out[kv.key ?? ''] = anyValueString(kv.value);
  return out;
}

/** `service.name` from resource attributes, as `GetServiceName`. */
export function serviceName(kvs: KeyValue[] | null | undefined): string {
  if (!kvs) return '';
  for (const kv of kvs) if (kv.key === 'service.name') return anyValueString(kv.value);
  return '';
}

/** Nanoseconds since the epoch to whole seconds (for the exporter's `DateTime` metric columns). */
export function nanosToSeconds(v: Int64Input): string {
  return (int64BigInt(v) / 1_000_000_000n).toString();
}
