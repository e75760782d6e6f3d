/**
 * OTLP/HTTP request bodies (protobuf or JSON, optionally gzip) to plain
 * request objects the row builders read, and the response bodies back.
 */
import { gunzipSync } from 'node:zlib';
import type { OtlpMetricsRequest } from './metrics.js';
import {
  ExportMetricsServiceRequest,
  ExportMetricsServiceResponse,
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  RpcStatus,
} from './proto.js';
import type { OtlpTracesRequest } from './traces.js';

export type Signal = 'traces' | 'metrics';
export type Encoding = 'protobuf' | 'json';

/** A body the receiver cannot read: answered with 400 and this message. */
export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError';
}

/** `application/x-protobuf` or `application/json` (parameters ignored); undefined for anything else. */
export function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

export function decompress(body: Buffer, contentEncoding: string | undefined, maxBytes: number): Buffer {
  const enc = (contentEncoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return body;
  if (enc !== 'gzip') throw new OtlpDecodeError(`unsupported Content-Encoding ${JSON.stringify(enc)}`);
  try {
    return gunzipSync(body, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw err;
    throw new OtlpDecodeError(`invalid gzip body: ${(err as Error).message}`);
  }
}

export function decodeRequest(signal: 'traces', encoding: Encoding, body: Buffer): OtlpTracesRequest;
export function decodeRequest(signal: 'metrics', encoding: Encoding, body: Buffer): OtlpMetricsRequest;
export function decodeRequest(signal: Signal, encoding: Encoding, body: Buffer): unknown {
  if (encoding === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new OtlpDecodeError(`invalid JSON: ${(err as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new OtlpDecodeError('the JSON body must be an object');
    }
    const list = (parsed as Record<string, unknown>)[
      signal === 'traces' ? 'resourceSpans' : 'resourceMetrics'
    ];
    if (list !== undefined && !Array.isArray(list)) {
      throw new OtlpDecodeError(
        `${signal === 'traces' ? 'resourceSpans' : 'resourceMetrics'} must be an array`,
      );
    }
    return parsed;
  }
  const type = signal === 'traces' ? ExportTraceServiceRequest : ExportMetricsServiceRequest;
  try {
    return type.decode(body);
  } catch (err) {
    throw new OtlpDecodeError(`invalid protobuf ${type.name}: ${(err as Error).message}`);
  }
}

/** An empty Export*ServiceResponse (full success). */
export function successBody(signal: Signal, encoding: Encoding): Buffer | string {
  if (encoding === 'json') return '{}';
  const type = signal === 'traces' ? ExportTraceServiceResponse : ExportMetricsServiceResponse;
  return Buffer.from(type.encode(type.create({})).finish());
}

/** A google.rpc.Status body for error responses, in the request's encoding. */
export function statusBody(code: number, message: string, encoding: Encoding): Buffer | string {
  if (encoding === 'json') return JSON.stringify({ code, message });
  return Buffer.from(RpcStatus.encode(RpcStatus.create({ code, message })).finish());
}
