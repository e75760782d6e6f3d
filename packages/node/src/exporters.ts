import { OTLPMetricExporter as OTLPGrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as OTLPJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OTLPGrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace';
import { numberFromEnv, otlpProtocolFromEnv } from './config.js';
import { warnOnce } from './log.js';

type OtlpTransport = 'http/protobuf' | 'http/json' | 'grpc';

/**
 * The OTLP exporters read their endpoint, headers, timeout and compression
 * from the standard `OTEL_EXPORTER_OTLP_*` variables themselves (each with its
 * protocol's default endpoint: `:4318` for HTTP, `:4317` for gRPC); only the
 * protocol picks the class. The gRPC exporters come with the Node SDK, which
 * depends on them already.
 */
function transport(signal: 'TRACES' | 'METRICS'): OtlpTransport {
  const protocol = otlpProtocolFromEnv(signal);
  if (protocol === 'http/protobuf' || protocol === 'http/json' || protocol === 'grpc') return protocol;
  warnOnce(
    `protocol-${signal}`,
    `OTLP protocol "${protocol}" is not one of http/protobuf, http/json, grpc; using http/protobuf`,
  );
  return 'http/protobuf';
}

export function createOtlpTraceExporter(): SpanExporter {
  switch (transport('TRACES')) {
    case 'grpc':
      return new OTLPGrpcTraceExporter();
    case 'http/json':
      return new OTLPJsonTraceExporter();
    default:
      return new OTLPProtoTraceExporter();
  }
}

export function createOtlpMetricExporter(): PushMetricExporter {
  switch (transport('METRICS')) {
    case 'grpc':
      return new OTLPGrpcMetricExporter();
    case 'http/json':
      return new OTLPJsonMetricExporter();
    default:
      return new OTLPProtoMetricExporter();
  }
}

/** Batch processor configured by the standard `OTEL_BSP_*` variables. */
export function createBatchSpanProcessor(exporter: SpanExporter): BatchSpanProcessor {
  const options: ConstructorParameters<typeof BatchSpanProcessor>[0] = { exporter };
  const maxQueueSize = numberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE');
  const maxExportBatchSize = numberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE');
  const scheduledDelayMillis = numberFromEnv('OTEL_BSP_SCHEDULE_DELAY');
  const exportTimeoutMillis = numberFromEnv('OTEL_BSP_EXPORT_TIMEOUT');
  if (maxQueueSize !== undefined) options.maxQueueSize = maxQueueSize;
  if (maxExportBatchSize !== undefined) options.maxExportBatchSize = maxExportBatchSize;
  if (scheduledDelayMillis !== undefined) options.scheduledDelayMillis = scheduledDelayMillis;
  if (exportTimeoutMillis !== undefined) options.exportTimeoutMillis = exportTimeoutMillis;
  return new BatchSpanProcessor(options);
}

/** Periodic reader configured by `OTEL_METRIC_EXPORT_INTERVAL` / `OTEL_METRIC_EXPORT_TIMEOUT`. */
export function createPeriodicMetricReader(exporter: PushMetricExporter): PeriodicExportingMetricReader {
  const exportIntervalMillis = numberFromEnv('OTEL_METRIC_EXPORT_INTERVAL') ?? 60_000;
  const exportTimeoutMillis = Math.min(
    numberFromEnv('OTEL_METRIC_EXPORT_TIMEOUT') ?? 30_000,
    exportIntervalMillis,
  );
  return new PeriodicExportingMetricReader({ exporter, exportIntervalMillis, exportTimeoutMillis });
}
