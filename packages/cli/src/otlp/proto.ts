/**
 * The OTLP protobuf schema (opentelemetry-proto v1: common, resource, trace,
 * metrics and the two export services), written as a protobufjs JSON
 * descriptor so the package needs no .proto files or code generation at run
 * time. Field numbers follow the published .proto files; fields the receiver
 * never reads (profiles, entity refs) are left out and skipped by the decoder.
 */
import protobuf from 'protobufjs';

type Fields = Record<string, { type: string; id: number; rule?: 'repeated' }>;

const kv = { type: 'KeyValue', id: 0, rule: 'repeated' as const };
const attrs = (id: number) => ({ ...kv, id });

const common: Record<string, { fields: Fields; oneofs?: Record<string, { oneof: string[] }> }> = {
  AnyValue: {
    oneofs: {
      value: {
        oneof: [
          'stringValue',
          'boolValue',
          'intValue',
          'doubleValue',
          'arrayValue',
          'kvlistValue',
          'bytesValue',
        ],
      },
    },
    fields: {
      stringValue: { type: 'string', id: 1 },
      boolValue: { type: 'bool', id: 2 },
      intValue: { type: 'int64', id: 3 },
      doubleValue: { type: 'double', id: 4 },
      arrayValue: { type: 'ArrayValue', id: 5 },
      kvlistValue: { type: 'KeyValueList', id: 6 },
      bytesValue: { type: 'bytes', id: 7 },
    },
  },
  ArrayValue: { fields: { values: { type: 'AnyValue', id: 1, rule: 'repeated' } } },
  KeyValueList: { fields: { values: attrs(1) } },
  KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
  InstrumentationScope: {
    fields: {
      name: { type: 'string', id: 1 },
      version: { type: 'string', id: 2 },
      attributes: attrs(3),
      droppedAttributesCount: { type: 'uint32', id: 4 },
    },
  },
  Resource: { fields: { attributes: attrs(1), droppedAttributesCount: { type: 'uint32', id: 2 } } },
};

const trace = {
  ExportTraceServiceRequest: {
    fields: { resourceSpans: { type: 'ResourceSpans', id: 1, rule: 'repeated' } },
  },
  ExportTraceServiceResponse: { fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } } },
  ExportTracePartialSuccess: {
    fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
  },
  ResourceSpans: {
    fields: {
      resource: { type: 'Resource', id: 1 },
      scopeSpans: { type: 'ScopeSpans', id: 2, rule: 'repeated' },
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  ScopeSpans: {
    fields: {
      scope: { type: 'InstrumentationScope', id: 1 },
      spans: { type: 'Span', id: 2, rule: 'repeated' },
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  Span: {
    fields: {
      traceId: { type: 'bytes', id: 1 },
      spanId: { type: 'bytes', id: 2 },
      traceState: { type: 'string', id: 3 },
      parentSpanId: { type: 'bytes', id: 4 },
      flags: { type: 'fixed32', id: 16 },
      name: { type: 'string', id: 5 },
      kind: { type: 'int32', id: 6 },
      startTimeUnixNano: { type: 'fixed64', id: 7 },
      endTimeUnixNano: { type: 'fixed64', id: 8 },
      attributes: attrs(9),
      droppedAttributesCount: { type: 'uint32', id: 10 },
      events: { type: 'Event', id: 11, rule: 'repeated' },
      droppedEventsCount: { type: 'uint32', id: 12 },
      links: { type: 'Link', id: 13, rule: 'repeated' },
      droppedLinksCount: { type: 'uint32', id: 14 },
      status: { type: 'Status', id: 15 },
    },
  },
  Event: {
    fields: {
      timeUnixNano: { type: 'fixed64', id: 1 },
      name: { type: 'string', id: 2 },
      attributes: attrs(3),
      droppedAttributesCount: { type: 'uint32', id: 4 },
    },
  },
  Link: {
    fields: {
      traceId: { type: 'bytes', id: 1 },
      spanId: { type: 'bytes', id: 2 },
      traceState: { type: 'string', id: 3 },
      attributes: attrs(4),
      droppedAttributesCount: { type: 'uint32', id: 5 },
      flags: { type: 'fixed32', id: 6 },
    },
  },
  Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
};

const exemplars = (id: number) => ({ type: 'Exemplar', id, rule: 'repeated' as const });
const metrics = {
  ExportMetricsServiceRequest: {
    fields: { resourceMetrics: { type: 'ResourceMetrics', id: 1, rule: 'repeated' } },
  },
  ExportMetricsServiceResponse: {
    fields: { partialSuccess: { type: 'ExportMetricsPartialSuccess', id: 1 } },
  },
  ExportMetricsPartialSuccess: {
    fields: { rejectedDataPoints: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
  },
  ResourceMetrics: {
    fields: {
      resource: { type: 'Resource', id: 1 },
      scopeMetrics: { type: 'ScopeMetrics', id: 2, rule: 'repeated' },
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  ScopeMetrics: {
    fields: {
      scope: { type: 'InstrumentationScope', id: 1 },
      metrics: { type: 'Metric', id: 2, rule: 'repeated' },
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  Metric: {
    oneofs: { data: { oneof: ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] } },
    fields: {
      name: { type: 'string', id: 1 },
      description: { type: 'string', id: 2 },
      unit: { type: 'string', id: 3 },
      gauge: { type: 'Gauge', id: 5 },
      sum: { type: 'Sum', id: 7 },
      histogram: { type: 'Histogram', id: 9 },
      exponentialHistogram: { type: 'ExponentialHistogram', id: 10 },
      summary: { type: 'Summary', id: 11 },
      metadata: attrs(12),
    },
  },
  Gauge: { fields: { dataPoints: { type: 'NumberDataPoint', id: 1, rule: 'repeated' } } },
  Sum: {
    fields: {
      dataPoints: { type: 'NumberDataPoint', id: 1, rule: 'repeated' },
      aggregationTemporality: { type: 'int32', id: 2 },
      isMonotonic: { type: 'bool', id: 3 },
    },
  },
  Histogram: {
    fields: {
      dataPoints: { type: 'HistogramDataPoint', id: 1, rule: 'repeated' },
      aggregationTemporality: { type: 'int32', id: 2 },
    },
  },
  ExponentialHistogram: {
    fields: {
      dataPoints: { type: 'ExponentialHistogramDataPoint', id: 1, rule: 'repeated' },
      aggregationTemporality: { type: 'int32', id: 2 },
    },
  },
  Summary: { fields: { dataPoints: { type: 'SummaryDataPoint', id: 1, rule: 'repeated' } } },
  NumberDataPoint: {
    oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
    fields: {
      attributes: attrs(7),
      startTimeUnixNano: { type: 'fixed64', id: 2 },
      timeUnixNano: { type: 'fixed64', id: 3 },
      asDouble: { type: 'double', id: 4 },
      asInt: { type: 'sfixed64', id: 6 },
      exemplars: exemplars(5),
      flags: { type: 'uint32', id: 8 },
    },
  },
  HistogramDataPoint: {
    oneofs: { _sum: { oneof: ['sum'] }, _min: { oneof: ['min'] }, _max: { oneof: ['max'] } },
    fields: {
      attributes: attrs(9),
      startTimeUnixNano: { type: 'fixed64', id: 2 },
      timeUnixNano: { type: 'fixed64', id: 3 },
      count: { type: 'fixed64', id: 4 },
      sum: { type: 'double', id: 5 },
      bucketCounts: { type: 'fixed64', id: 6, rule: 'repeated' },
      explicitBounds: { type: 'double', id: 7, rule: 'repeated' },
      exemplars: exemplars(8),
      flags: { type: 'uint32', id: 10 },
      min: { type: 'double', id: 11 },
      max: { type: 'double', id: 12 },
    },
  },
  ExponentialHistogramDataPoint: {
    oneofs: { _sum: { oneof: ['sum'] }, _min: { oneof: ['min'] }, _max: { oneof: ['max'] } },
    fields: {
      attributes: attrs(1),
      startTimeUnixNano: { type: 'fixed64', id: 2 },
      timeUnixNano: { type: 'fixed64', id: 3 },
      count: { type: 'fixed64', id: 4 },
      sum: { type: 'double', id: 5 },
      scale: { type: 'sint32', id: 6 },
      zeroCount: { type: 'fixed64', id: 7 },
      positive: { type: 'Buckets', id: 8 },
      negative: { type: 'Buckets', id: 9 },
      flags: { type: 'uint32', id: 10 },
      exemplars: exemplars(11),
      min: { type: 'double', id: 12 },
      max: { type: 'double', id: 13 },
      zeroThreshold: { type: 'double', id: 14 },
    },
  },
  Buckets: {
    fields: {
      offset: { type: 'sint32', id: 1 },
      bucketCounts: { type: 'uint64', id: 2, rule: 'repeated' },
    },
  },
  SummaryDataPoint: {
    fields: {
      attributes: attrs(7),
      startTimeUnixNano: { type: 'fixed64', id: 2 },
      timeUnixNano: { type: 'fixed64', id: 3 },
      count: { type: 'fixed64', id: 4 },
      sum: { type: 'double', id: 5 },
      quantileValues: { type: 'ValueAtQuantile', id: 6, rule: 'repeated' },
      flags: { type: 'uint32', id: 8 },
    },
  },
  ValueAtQuantile: { fields: { quantile: { type: 'double', id: 1 }, value: { type: 'double', id: 2 } } },
  Exemplar: {
    oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
    fields: {
      filteredAttributes: attrs(7),
      timeUnixNano: { type: 'fixed64', id: 2 },
      asDouble: { type: 'double', id: 3 },
      asInt: { type: 'sfixed64', id: 6 },
      spanId: { type: 'bytes', id: 4 },
      traceId: { type: 'bytes', id: 5 },
    },
  },
};

/** google.rpc.Status, the body of an OTLP/HTTP error response (details left empty). */
const rpc = {
  RpcStatus: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } },
};

const root = protobuf.Root.fromJSON({
  nested: { otlp: { nested: { ...common, ...trace, ...metrics, ...rpc } } },
});

export const ExportTraceServiceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
export const ExportTraceServiceResponse = root.lookupType('otlp.ExportTraceServiceResponse');
export const ExportMetricsServiceRequest = root.lookupType('otlp.ExportMetricsServiceRequest');
export const ExportMetricsServiceResponse = root.lookupType('otlp.ExportMetricsServiceResponse');
export const RpcStatus = root.lookupType('otlp.RpcStatus');
