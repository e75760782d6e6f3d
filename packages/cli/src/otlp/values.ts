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

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

function inRange(n: bigint, shown: string): bigint {
  if (n < INT64_MIN || n > UINT64_MAX) {
    throw new OtlpDataError(`integer ${shown.slice(0, 40)} does not fit in 64 bits`);
  }
  return n;
}

function isLong(v: object): v is LongLike {
  const o = v as Partial<LongLike>;
  return typeof o.low === 'number' && typeof o.high === 'number';
}

/**
 * A 64-bit integer (int64 or fixed64/uint64) from either decoder, checked
 * against its wire type: a decimal string of at most 20 digits (checked
 * before any conversion, so a value of millions of digits costs nothing), a
 * safe number, or a protobufjs Long. Anything else is an {@link OtlpDataError}.
 */
export function int64BigInt(v: Int64Input): bigint {
  if (v === null || v === undefined) return 0n;
  switch (typeof v) {
    case 'bigint':
      return inRange(v, v.toString());
    case 'string': {
      if (v === '') return 0n;
      if (v.length > 21 || !/^-?\d{1,20}$/.test(v)) {
        throw new OtlpDataError(
          `invalid integer ${JSON.stringify(v.slice(0, 40))} (64-bit decimal expected)`,
        );
      }
      return inRange(BigInt(v), v);
    }
    case 'number':
      if (!Number.isFinite(v)) throw new OtlpDataError(`invalid 64-bit integer ${v}`);
      return inRange(BigInt(Math.trunc(v)), String(v));
    case 'object': {
      if (!isLong(v)) throw new OtlpDataError('invalid 64-bit integer: not a number or a decimal string');
      const lo = BigInt(v.low >>> 0);
      const hi = BigInt(v.high >>> 0);
      const n = (hi << 32n) | lo;
      return v.unsigned ? n : BigInt.asIntN(64, n);
    }
    default:
      throw new OtlpDataError(`invalid 64-bit integer of type ${typeof v}`);
  }
}

/** Decimal digits of a 64-bit integer, exact (timestamps in ns exceed 2^53). */
export function int64String(v: Int64Input): string {
  return int64BigInt(v).toString();
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function bytesToHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

/**
 * Trace and span ids as lower-case hex, or '' when absent or all zeros
 * (the exporter's `TraceIDToHexOrEmptyString`). `width` is the id's length in
 * hex digits: 32 for a trace id, 16 for a span id.
 */
export function idHexOrEmpty(v: BytesInput, width: number): string {
  const hex = idHex(v, width);
  return /^0*$/.test(hex) ? '' : hex;
}

/**
 * Ids as hex, zeros kept (the exporter writes exemplar ids this way). An id
 * is exactly `width / 2` bytes (protobuf) or `width` hex digits (OTLP/JSON),
 * or empty; anything else is an {@link OtlpDataError}, checked before any
 * work proportional to what the sender claims.
 */
export function idHex(v: BytesInput, width: number): string {
  if (v === null || v === undefined) return '0'.repeat(width);
  if (typeof v === 'string') {
    if (v === '') return '0'.repeat(width);
    if (v.length !== width || !/^[0-9a-fA-F]+$/.test(v)) {
      throw new OtlpDataError(
        `invalid hex id ${JSON.stringify(v.slice(0, 40))}: expected ${width} hex digits`,
      );
    }
    return v.toLowerCase();
  }
  // protobufjs leaves an absent bytes field as its default, an empty array.
  if (Array.isArray(v) && v.length === 0) return '0'.repeat(width);
  if (!ArrayBuffer.isView(v)) throw new OtlpDataError('invalid id: expected a hex string');
  if (v.length === 0) return '0'.repeat(width);
  if (v.length !== width / 2) {
    throw new OtlpDataError(`invalid id of ${v.length} bytes: expected ${width / 2}`);
  }
  return bytesToHex(v);
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
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.length <= 40) return Number(v);
  throw new OtlpDataError('invalid double value');
}

/** A string field, refused when a JSON sender put something else there. */
export function stringOf(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') throw new OtlpDataError(`expected a string, got ${typeof v}`);
  return v;
}

function has(obj: object, key: string): boolean {
  const v = (obj as Record<string, unknown>)[key];
  return Object.hasOwn(obj, key) && v !== null && v !== undefined;
}

/** pdata `Value.AsString()`: strings raw, scalars formatted, maps and slices as JSON. */
export function anyValueString(v: AnyValue | null | undefined): string {
  if (!v) return '';
  if (has(v, 'stringValue')) return stringOf(v.stringValue);
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
  if (has(v, 'stringValue')) return JSON.stringify(stringOf(v.stringValue));
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
  if (!Array.isArray(kvs)) throw new OtlpDataError('attributes must be a list');
  for (const kv of kvs) out[stringOf(kv?.key)] = anyValueString(kv?.value);
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
