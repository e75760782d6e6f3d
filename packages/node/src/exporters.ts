import type { ExportResult } from '@opentelemetry/core';
import { getStringFromEnv } from '@opentelemetry/core';
import type {
  AggregationOption,
  AggregationTemporality,
  InstrumentType,
  PeriodicExportingMetricReader,
  PushMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { BatchSpanProcessor, ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { numberFromEnv, otlpProtocolFromEnv } from './config.js';
import { canResolveFromHere, loadLater, requireFromHere } from './load.js';
import { warnOnce } from './log.js';

type OtlpTransport = 'http/protobuf' | 'http/json' | 'grpc';
type Signal = 'TRACES' | 'METRICS';

/** The exporter package of each protocol; gRPC is an optional peer dependency (it brings @grpc/grpc-js). */
const EXPORTER_PACKAGES: Record<Signal, Record<OtlpTransport, string>> = {
  TRACES: {
    'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
    'http/json': '@opentelemetry/exporter-trace-otlp-http',
    grpc: '@opentelemetry/exporter-trace-otlp-grpc',
  },
  METRICS: {
    'http/protobuf': '@opentelemetry/exporter-metrics-otlp-proto',
    'http/json': '@opentelemetry/exporter-metrics-otlp-http',
    grpc: '@opentelemetry/exporter-metrics-otlp-grpc',
  },
};

/**
 * The OTLP exporters read their endpoint, headers, timeout and compression
 * from the standard `OTEL_EXPORTER_OTLP_*` variables themselves; only the
 * protocol picks the package.
 */
export function otlpTransport(signal: Signal): OtlpTransport {
  const protocol = otlpProtocolFromEnv(signal);
  if (protocol === 'http/protobuf' || protocol === 'http/json' || protocol === 'grpc') return protocol;
  warnOnce(
    `protocol-${signal}`,
    `OTLP protocol "${protocol}" is not one of http/protobuf, http/json, grpc; using http/protobuf`,
  );
  return 'http/protobuf';
}

/** Where a signal is sent, as the OTLP exporters compute it from the environment (for messages only). */
export function otlpEndpoint(signal: Signal, transport: OtlpTransport): string {
  const path = signal === 'TRACES' ? 'v1/traces' : 'v1/metrics';
  const specific = getStringFromEnv(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`)?.trim();
  if (specific) return specific;
  const base = getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT')?.trim();
  if (transport === 'grpc') return base || 'http://localhost:4317';
  return `${(base || 'http://localhost:4318').replace(/\/+$/, '')}/${path}`;
}

/**
 * The exporter package for a signal's protocol. The gRPC exporters are
 * optional peer dependencies: when they are not installed, one line says what
 * to install and http/protobuf is used instead.
 */
function chooseExporter(signal: Signal): { packageName: string; transport: OtlpTransport } {
  const transport = otlpTransport(signal);
  const packageName = EXPORTER_PACKAGES[signal][transport];
  if (transport !== 'grpc' || canResolveFromHere(packageName)) return { packageName, transport };
  warnOnce(
    `grpc-${signal}`,
    `OTLP protocol grpc needs ${packageName}, which is not installed (npm install ${packageName}); using http/protobuf`,
  );
  return { packageName: EXPORTER_PACKAGES[signal]['http/protobuf'], transport: 'http/protobuf' };
}

/** Export errors already reported with their endpoint: a flush or shutdown failing with one adds nothing. */
const reportedErrors = new WeakSet<object>();

export function exportErrorReported(error: unknown): boolean {
  return typeof error === 'object' && error !== null && reportedErrors.has(error);
}

/** One line, the first time a signal's export fails: where to, how, and what the collector said. */
function reportFirstFailure(signal: Signal, transport: OtlpTransport, result: ExportResult): void {
  if (result.code === 0) return; // ExportResultCode.SUCCESS
  const error = result.error as (Error & { code?: unknown }) | undefined;
  if (error) reportedErrors.add(error);
  const status = typeof error?.code === 'number' ? `HTTP ${error.code} ` : '';
  const detail = error ? `${status}${error.message || error.name}` : 'no detail';
  warnOnce(
    `export-failed-${signal}`,
    `exporting ${signal === 'TRACES' ? 'spans' : 'metrics'} to ${otlpEndpoint(signal, transport)} (OTLP ${transport}) failed: ${detail}` +
      (status.includes('415') ? ' (is OTEL_EXPORTER_OTLP_PROTOCOL the one the collector expects?)' : ''),
  );
}

/**
 * The OTLP span exporter for the configured protocol, created on first use:
 * the OTLP/HTTP ones come from this package's bundle (`bundled-sdk.ts`), the
 * gRPC one (an optional peer dependency) is loaded asynchronously, and nobody
 * waits for it at start-up. The first failed export is reported once
 * (endpoint, protocol, status).
 */
export class LazyOtlpTraceExporter implements SpanExporter {
  private loading?: Promise<{ exporter: SpanExporter; transport: OtlpTransport }>;

  /** Starts loading the exporter, so a flush later does not wait for it. */
  prepare(): void {
    void this.exporter().catch(() => {});
  }

  private exporter() {
    this.loading ??= (async () => {
      const { packageName, transport } = chooseExporter('TRACES');
      const { OTLPTraceExporter } = (await loadLater(packageName)) as {
        OTLPTraceExporter: new () => SpanExporter;
      };
      return { exporter: new OTLPTraceExporter(), transport };
    })();
    return this.loading;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.exporter().then(
      ({ exporter, transport }) =>
        exporter.export(spans, (result) => {
          reportFirstFailure('TRACES', transport, result);
          resultCallback(result);
        }),
      (error: unknown) => {
        warnOnce('export-load-TRACES', `the OTLP span exporter failed to load: ${String(error)}`);
        resultCallback({ code: 1, error: error as Error });
      },
    );
  }

  async shutdown(): Promise<void> {
    if (this.loading) await (await this.loading).exporter.shutdown();
  }

  async forceFlush(): Promise<void> {
    if (this.loading) await (await this.loading).exporter.forceFlush?.();
  }
}

/**
 * The OTLP metric exporter for the configured protocol, created when the
 * reader first asks it something (when the first instrument is created):
 * a process that records no metric never creates it (nor loads the gRPC one).
 */
export class LazyOtlpMetricExporter implements PushMetricExporter {
  private loaded?: { exporter: PushMetricExporter; transport: OtlpTransport };

  private exporter() {
    if (this.loaded === undefined) {
      // Synchronously: the reader asks for the temporality when the first instrument is created.
      const { packageName, transport } = chooseExporter('METRICS');
      const { OTLPMetricExporter } = requireFromHere(packageName) as {
        OTLPMetricExporter: new () => PushMetricExporter;
      };
      this.loaded = { exporter: new OTLPMetricExporter(), transport };
    }
    return this.loaded;
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    const loaded = this.exporter();
    loaded.exporter.export(metrics, (result) => {
      reportFirstFailure('METRICS', loaded.transport, result);
      resultCallback(result);
    });
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    const { exporter } = this.exporter();
    // The OTLP exporters always implement it; cumulative is the SDK's own default otherwise.
    return exporter.selectAggregationTemporality?.(instrumentType) ?? (1 as AggregationTemporality);
  }

  selectAggregation(instrumentType: InstrumentType): AggregationOption {
    const { exporter } = this.exporter();
    return exporter.selectAggregation?.(instrumentType) ?? ({ type: 0 } as AggregationOption);
  }

  shutdown(): Promise<void> {
    return this.loaded?.exporter.shutdown() ?? Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return this.loaded?.exporter.forceFlush() ?? Promise.resolve();
  }
}

type SdkTrace = typeof import('@opentelemetry/sdk-trace');
type SdkMetrics = typeof import('@opentelemetry/sdk-metrics');

/**
 * The batch processor around a {@link LazyOtlpTraceExporter}, whose loading
 * starts now, in the background: `register()` and the application's start do
 * not wait for the exporter and its encoder, and they are ready by the time
 * the first flush comes (an application's SIGTERM handler may leave only a few
 * hundred milliseconds for it, less than loading them takes on a busy machine).
 */
export function createBackgroundExportProcessor(
  sdkTrace: SdkTrace,
  exporter: LazyOtlpTraceExporter,
): SpanProcessor {
  exporter.prepare();
  return createBatchSpanProcessor(sdkTrace, exporter);
}

/** Batch processor configured by the standard `OTEL_BSP_*` variables. */
export function createBatchSpanProcessor(sdkTrace: SdkTrace, exporter: SpanExporter): BatchSpanProcessor {
  const options: ConstructorParameters<SdkTrace['BatchSpanProcessor']>[0] = { exporter };
  const maxQueueSize = numberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE');
  const maxExportBatchSize = numberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE');
  const scheduledDelayMillis = numberFromEnv('OTEL_BSP_SCHEDULE_DELAY');
  const exportTimeoutMillis = numberFromEnv('OTEL_BSP_EXPORT_TIMEOUT');
  if (maxQueueSize !== undefined) options.maxQueueSize = maxQueueSize;
  if (maxExportBatchSize !== undefined) options.maxExportBatchSize = maxExportBatchSize;
  if (scheduledDelayMillis !== undefined) options.scheduledDelayMillis = scheduledDelayMillis;
  if (exportTimeoutMillis !== undefined) options.exportTimeoutMillis = exportTimeoutMillis;
  return new sdkTrace.BatchSpanProcessor(options);
}

/** Periodic reader configured by `OTEL_METRIC_EXPORT_INTERVAL` / `OTEL_METRIC_EXPORT_TIMEOUT`. */
export function createPeriodicMetricReader(
  sdkMetrics: SdkMetrics,
  exporter: PushMetricExporter,
): PeriodicExportingMetricReader {
  const exportIntervalMillis = numberFromEnv('OTEL_METRIC_EXPORT_INTERVAL') ?? 60_000;
  const exportTimeoutMillis = Math.min(
    numberFromEnv('OTEL_METRIC_EXPORT_TIMEOUT') ?? 30_000,
    exportIntervalMillis,
  );
  return new sdkMetrics.PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis,
    exportTimeoutMillis,
  });
}
