import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

/**
 * A loopback OTLP/HTTP receiver for tests: accepts `/v1/traces` and
 * `/v1/metrics` in http/protobuf or http/json, decodes them and keeps the
 * spans and metric points in one flat, comparable shape.
 */

// The subset of the OTLP protos the tests read; protobufjs skips fields not named here.
const OTLP_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Resource { repeated KeyValue attributes = 1; }
message Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; int32 kind = 6; repeated KeyValue attributes = 9; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message NumberDataPoint { repeated KeyValue attributes = 7; double as_double = 4; sfixed64 as_int = 6; }
message HistogramDataPoint { repeated KeyValue attributes = 9; fixed64 count = 4; double sum = 5; repeated double explicit_bounds = 7; }
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; }
message Metric { string name = 1; string unit = 3; Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
`;

const root = protobuf.parse(OTLP_PROTO).root;
const TraceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
const MetricsRequest = root.lookupType('otlp.ExportMetricsServiceRequest');

export type AttributeValue = string | number | boolean | AttributeValue[] | null;
export type FlatAttributes = Record<string, AttributeValue>;

export interface ReceivedSpan {
  name: string;
  scope: string;
  attributes: FlatAttributes;
  resource: FlatAttributes;
}

export interface ReceivedPoint {
  metric: string;
  unit: string;
  attributes: FlatAttributes;
  /** Sum/gauge value, or the histogram sum. */
  value: number;
  count?: number;
  bounds?: number[];
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  points: ReceivedPoint[];
  /** Path, `content-type` and `authorization` header of every request. */
  requests: Array<{ path: string; contentType: string; authorization: string | undefined }>;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

type Json = Record<string, any>;

function anyValue(value: Json | undefined): AttributeValue {
  if (value === undefined || value === null) return null;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('arrayValue' in value) return (value.arrayValue.values ?? []).map(anyValue);
  return null;
}

function flatten(attributes: Json[] | undefined): FlatAttributes {
  const flat: FlatAttributes = {};
  for (const { key, value } of attributes ?? []) flat[key] = anyValue(value);
  return flat;
}

function decode(path: string, contentType: string, body: Buffer): Json {
  if (contentType.includes('json')) return JSON.parse(body.toString('utf8'));
  const type = path.endsWith('/v1/traces') ? TraceRequest : MetricsRequest;
  return type.toObject(type.decode(body), { longs: Number, defaults: false, arrays: true });
}

/** Flattens the spans and metric points of one decoded export request into `spans` and `points`. */
function collect(message: Json, spans: ReceivedSpan[], points: ReceivedPoint[]): void {
  for (const rs of message.resourceSpans ?? []) {
    const resource = flatten(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        spans.push({
          name: span.name,
          scope: ss.scope?.name ?? '',
          attributes: flatten(span.attributes),
          resource,
        });
      }
    }
  }
  for (const rm of message.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        const base = { metric: metric.name, unit: metric.unit ?? '' };
        for (const p of metric.sum?.dataPoints ?? metric.gauge?.dataPoints ?? []) {
          points.push({
            ...base,
            attributes: flatten(p.attributes),
            value: Number(p.asDouble ?? p.asInt ?? 0),
          });
        }
        for (const p of metric.histogram?.dataPoints ?? []) {
          points.push({
            ...base,
            attributes: flatten(p.attributes),
            value: Number(p.sum ?? 0),
            count: Number(p.count ?? 0),
            bounds: (p.explicitBounds ?? []).map(Number),
          });
        }
      }
    }
  }
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const points: ReceivedPoint[] = [];
  const requests: OtlpReceiver['requests'] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '';
      const contentType = req.headers['content-type'] ?? '';
      requests.push({ path, contentType, authorization: req.headers.authorization });
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      try {
        collect(decode(path, contentType, body), spans, points);
        res.statusCode = 200;
        res.setHeader(
          'content-type',
          contentType.includes('json') ? 'application/json' : 'application/x-protobuf',
        );
        res.end(contentType.includes('json') ? '{}' : Buffer.alloc(0));
      } catch (error) {
        res.statusCode = 400;
        res.end(String(error));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    spans,
    points,
    requests,
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error('timed out waiting for OTLP data');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const GRPC_SERVICES = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
} as const;

/**
 * The same receiver over OTLP/gRPC: a gRPC server whose two `Export` methods
 * take the raw protobuf request (decoded here like the HTTP body) and answer
 * with an empty response message.
 */
export async function startOtlpGrpcReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const points: ReceivedPoint[] = [];
  const requests: OtlpReceiver['requests'] = [];
  const bytes = (buffer: Buffer) => buffer;
  const server = new grpc.Server();
  for (const [signal, path] of Object.entries(GRPC_SERVICES)) {
    const definition: grpc.ServiceDefinition = {
      Export: {
        path,
        requestStream: false,
        responseStream: false,
        requestSerialize: bytes,
        requestDeserialize: bytes,
        responseSerialize: bytes,
        responseDeserialize: bytes,
      },
    };
    const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
      const authorization = call.metadata.get('authorization')[0];
      requests.push({
        path,
        contentType: 'application/grpc',
        authorization: authorization === undefined ? undefined : String(authorization),
      });
      try {
        const type = signal === 'traces' ? TraceRequest : MetricsRequest;
        const message = type.toObject(type.decode(call.request), {
          longs: Number,
          defaults: false,
          arrays: true,
        });
        collect(message, spans, points);
        callback(null, Buffer.alloc(0));
      } catch (error) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: String(error) });
      }
    };
    server.addService(definition, { Export: handler });
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    points,
    requests,
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error('timed out waiting for OTLP data');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
