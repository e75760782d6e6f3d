/**
 * A loopback OTLP/HTTP receiver for JSON payloads: the collector's otlp_http
 * exporter (encoding: json) delivers here what went through the pipeline.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** OTLP/JSON AnyValue (protobuf JSON mapping: 64-bit ints are strings). */
export type OtlpAnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values?: OtlpAnyValue[] } }
  | { kvlistValue: { values?: OtlpKeyValue[] } }
  | { bytesValue: string };

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpKeyValue[];
  status?: { code?: number; message?: string };
}

export interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeSpans?: { scope?: { name?: string; version?: string }; spans?: OtlpSpan[] }[];
}

export interface OtlpHistogramPoint {
  attributes?: OtlpKeyValue[];
  count: string;
  sum?: number;
}

export interface OtlpMetric {
  name: string;
  unit?: string;
  histogram?: { dataPoints?: OtlpHistogramPoint[] };
}

export interface OtlpResourceMetrics {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeMetrics?: { scope?: { name?: string }; metrics?: OtlpMetric[] }[];
}

export interface OtlpSink {
  /** Base URL for the exporter's `endpoint` (it appends /v1/traces, /v1/metrics). */
  endpoint: string;
  resourceSpans: OtlpResourceSpans[];
  resourceMetrics: OtlpResourceMetrics[];
  /** Resolves with the first truthy value `find` returns, re-checked after every delivery. */
  waitFor<T>(find: () => T | undefined, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  const resourceSpans: OtlpResourceSpans[] = [];
  const resourceMetrics: OtlpResourceMetrics[] = [];
  const listeners = new Set<() => void>();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      if (request.url === '/v1/traces') resourceSpans.push(...(body.resourceSpans ?? []));
      if (request.url === '/v1/metrics') resourceMetrics.push(...(body.resourceMetrics ?? []));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      for (const listener of listeners) listener();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    resourceSpans,
    resourceMetrics,
    waitFor<T>(find: () => T | undefined, timeoutMs = 15_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const found = find();
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`OTLP sink: nothing matching arrived within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Attributes as a map from key to the typed OTLP value, so a test sees the type that travelled. */
export function attributeMap(attributes: OtlpKeyValue[] | undefined): Record<string, OtlpAnyValue> {
  return Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, value]));
}
