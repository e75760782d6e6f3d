import {
  AttributionBaggagePropagator,
  type AttributionPropagatorOptions,
  aicostSpanProcessors,
  type CostSpanProcessorOptions,
  type HostMappingsInput,
  type PriceOverridesInput,
} from '@aicost/core';
import {
  type Attributes,
  context,
  DiagConsoleLogger,
  diag,
  metrics,
  propagation,
  trace,
} from '@opentelemetry/api';
import {
  CompositePropagator,
  diagLogLevelFromString,
  getStringFromEnv,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { IMetricReader, MeterProvider, ViewOptions } from '@opentelemetry/sdk-metrics';
import type { SpanExporter, SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { aicostEnabledFromEnv, disabledInstrumentationsFromEnv, exportersFromEnv } from './config.js';
import { installAicostWarningLogger } from './diagnostics.js';
import {
  createBackgroundExportProcessor,
  createBatchSpanProcessor,
  createPeriodicMetricReader,
  exportErrorReported,
  LazyOtlpMetricExporter,
  LazyOtlpTraceExporter,
  otlpEndpoint,
  otlpTransport,
} from './exporters.js';
import {
  type AicostInstrumentationName,
  loadAicostInstrumentations,
  warnSdksLoadedBefore,
} from './instrumentations.js';
import { type PackageLoader, requireFromHere } from './load.js';
import { describeError, warnOnce } from './log.js';
import { installHostMappings, installPriceOverrides } from './prices.js';
import { detectResource, samplerFromEnv, spanLimitsFromEnv } from './sdk-env.js';
import { endpointAccepts, installExitHooks } from './shutdown.js';

type SdkTrace = typeof import('@opentelemetry/sdk-trace');
type SdkMetrics = typeof import('@opentelemetry/sdk-metrics');

export interface RegisterOptions {
  /** `service.name`; default `OTEL_SERVICE_NAME` (read by the SDK). */
  serviceName?: string;
  /** Extra resource attributes; `OTEL_RESOURCE_ATTRIBUTES` and detected attributes win over them. */
  resourceAttributes?: Attributes;
  /** Span exporter; default OTLP/HTTP per `OTEL_EXPORTER_OTLP_*` (`null`: spans are not exported). */
  traceExporter?: SpanExporter | null;
  /** Metric readers; default one periodic OTLP/HTTP reader (`[]`: no metrics). */
  metricReaders?: IMetricReader[];
  /** Metric views, passed to the SDK. */
  views?: ViewOptions[];
  /** Span processors run after the aicost ones and before export (e.g. a filtering processor). */
  spanProcessors?: SpanProcessor[];
  /** Further OpenTelemetry instrumentations to register (http, express, ...). */
  instrumentations?: (Instrumentation | Instrumentation[])[];
  /** aicost instrumentations to skip; default `AICOST_DISABLED_INSTRUMENTATIONS`. */
  disabledInstrumentations?: AicostInstrumentationName[];
  /** Config passed to an aicost instrumentation's constructor, by name. */
  instrumentationConfig?: Partial<Record<AicostInstrumentationName, Record<string, unknown>>>;
  /** Attribution keys allowed in outgoing/incoming baggage; default `AICOST_BAGGAGE_ALLOWLIST`. */
  baggageAllowList?: AttributionPropagatorOptions['allowedKeys'];
  /**
   * Take attribution (`aicost.customer`, `aicost.feature`, ...) from incoming baggage. Set
   * `false` on services that receive requests from outside your trust boundary, where anyone
   * can send a baggage header; default `AICOST_TRUST_INBOUND_ATTRIBUTION`, else `true`.
   */
  trustInboundAttribution?: boolean;
  /**
   * Price overrides, custom prices, discounts and self-hosted rates in code (the shape of the
   * `AICOST_PRICES_FILE` file). They become the process-wide price book, used by the aicost
   * instrumentations and by the cost processor alike; entries of `AICOST_PRICES_FILE` still apply
   * where these do not match (code first, then the file, then the catalogue).
   */
  prices?: PriceOverridesInput;
  /**
   * Who serves which host, for hosts aicost cannot tell by name: gateways, proxies and
   * self-hosted servers, e.g. `{ 'llm-gw.internal': 'openai', 'vllm.internal:8000': 'self_hosted' }`.
   * A key is a host or `host:port`; a value a `gen_ai.provider.name` (or an alias the provider
   * registry knows). Calls to a mapped host are priced as that provider's (`self_hosted`: by your
   * self-hosted rate). Added to `AICOST_HOSTS`, and wins over it for the same host.
   */
  hosts?: HostMappingsInput;
  /** Options of the cost processor that prices other instrumentations' spans; `false` to turn it off. */
  costProcessor?: CostSpanProcessorOptions | false;
  /** Flush on exit and on SIGTERM/SIGINT (default true). */
  exitHooks?: boolean;
}

export interface AicostHandle {
  /** The registered tracer provider; `undefined` when aicost is disabled. */
  readonly tracerProvider: TracerProvider | undefined;
  /** The registered meter provider; `undefined` when aicost is disabled or no metric reader is configured. */
  readonly meterProvider: MeterProvider | undefined;
  /** Exports everything buffered (spans and metrics) now. */
  forceFlush(): Promise<void>;
  /** Flushes, then stops exporting and unhooks. Idempotent. */
  shutdown(): Promise<void>;
}

/** One handle per process, shared by the ESM and CommonJS builds of this package. */
const HANDLE_KEY = Symbol.for('@aicost/node.handle');
type GlobalWithHandle = typeof globalThis & { [HANDLE_KEY]?: AicostHandle };

const DISABLED_HANDLE: AicostHandle = {
  tracerProvider: undefined,
  meterProvider: undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/**
 * Sets up OpenTelemetry for this process with aicost in it: a tracer provider
 * and a meter provider with OTLP trace and metric export, the aicost span processors (attribution,
 * cost), the allow-listing baggage propagator plus W3C trace context, and every
 * installed `@aicost/instrumentation-*`. With no options it is configured by the
 * standard `OTEL_*` variables and the `AICOST_*` ones.
 *
 * Calling it again returns the first handle. It never throws: a failure is
 * logged once and a handle that does nothing is returned.
 */
export function register(options: RegisterOptions = {}): AicostHandle {
  return registerWith(options);
}

/**
 * {@link register} with a custom loader of the OpenTelemetry SDK and
 * instrumentation packages: the ESM entry hands in packages it imported as ES
 * modules, so an ESM application does not load a second, CommonJS copy of them
 * and of `@aicost/core`.
 * `beforeEnable` sees every instrumentation before it hooks anything (the ESM
 * entry registers its loader hook there, knowing which files to include).
 */
export function registerWith(
  options: RegisterOptions,
  loadPackage?: PackageLoader,
  beforeEnable?: (instrumentations: readonly Instrumentation[]) => void,
): AicostHandle {
  const global = globalThis as GlobalWithHandle;
  const existing = global[HANDLE_KEY];
  if (existing !== undefined) {
    applyLateOptions(options);
    return existing;
  }
  let handle: AicostHandle;
  try {
    handle = aicostEnabledFromEnv() ? start(options, loadPackage, beforeEnable) : DISABLED_HANDLE;
  } catch (error) {
    warnOnce('register-failed', `setup failed, telemetry is off: ${describeError(error)}`);
    handle = DISABLED_HANDLE;
  }
  global[HANDLE_KEY] = handle;
  return handle;
}

function start(
  options: RegisterOptions,
  loadPackage: PackageLoader = requireFromHere,
  beforeEnable: ((instrumentations: readonly Instrumentation[]) => void) | undefined,
): AicostHandle {
  installDiagLogger();
  if (options.prices !== undefined) installPriceOverrides(options.prices);
  if (options.hosts !== undefined) installHostMappings(options.hosts);
  // From this package's bundle (bundled-sdk.ts); the metrics SDK is used only with a reader.
  const sdkTrace = loadPackage('@opentelemetry/sdk-trace') as SdkTrace;
  const metricReaders = options.metricReaders ?? defaultMetricReaders(loadPackage);
  const spanProcessors: SpanProcessor[] = [
    ...aicostSpanProcessors({ cost: options.costProcessor ?? {} }),
    ...(options.spanProcessors ?? []),
    ...createExportProcessors(sdkTrace, options),
  ];
  const disabled = options.disabledInstrumentations ?? disabledInstrumentationsFromEnv();

  const instrumentations = [
    ...loadAicostInstrumentations(disabled, options.instrumentationConfig, loadPackage),
    ...(options.instrumentations ?? []),
  ].flat();
  beforeEnable?.(instrumentations);

  const { AsyncLocalStorageContextManager } = loadPackage(
    '@opentelemetry/context-async-hooks',
  ) as typeof import('@opentelemetry/context-async-hooks');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [
        new W3CTraceContextPropagator(),
        new AttributionBaggagePropagator({
          ...(options.baggageAllowList ? { allowedKeys: options.baggageAllowList } : {}),
          ...(options.trustInboundAttribution === undefined
            ? {}
            : { trustInbound: options.trustInboundAttribution }),
        }),
      ],
    }),
  );
  const resource = detectResource(loadPackage, options.serviceName, options.resourceAttributes);

  let meterProvider: MeterProvider | undefined;
  if (metricReaders.length > 0) {
    const { MeterProvider } = loadPackage('@opentelemetry/sdk-metrics') as SdkMetrics;
    meterProvider = new MeterProvider({ resource, readers: metricReaders, views: options.views ?? [] });
    metrics.setGlobalMeterProvider(meterProvider);
  }
  const sampler = samplerFromEnv(sdkTrace);
  const tracerProvider = new sdkTrace.TracerProvider({
    resource,
    spanProcessors,
    spanLimits: spanLimitsFromEnv(),
    ...(sampler ? { sampler } : {}),
  });
  trace.setGlobalTracerProvider(tracerProvider);

  const { registerInstrumentations } = loadPackage(
    '@opentelemetry/instrumentation',
  ) as typeof import('@opentelemetry/instrumentation');
  const unregisterInstrumentations = registerInstrumentations({
    instrumentations,
    tracerProvider,
    meterProvider,
  });
  warnSdksLoadedBefore(instrumentations);

  let stopped: Promise<void> | undefined;
  let removeExitHooks = () => {};
  const forceFlush = async () => {
    try {
      await Promise.all([tracerProvider.forceFlush(), meterProvider?.forceFlush()]);
    } catch (error) {
      if (!exportErrorReported(error))
        warnOnce('flush-failed', `flushing telemetry failed: ${describeError(error)}`);
    }
  };
  const shutdown = () => {
    stopped ??= (async () => {
      removeExitHooks();
      unregisterInstrumentations();
      // Shutting a provider down flushes its span processors or metric readers once.
      try {
        await Promise.all([tracerProvider.shutdown(), meterProvider?.shutdown()]);
      } catch (error) {
        if (!exportErrorReported(error)) {
          warnOnce('shutdown-failed', `shutting down telemetry failed: ${describeError(error)}`);
        }
      }
    })();
    return stopped;
  };
  // Only the default OTLP exporters' endpoints are known; with the user's own exporters the flush is not cut short.
  const defaultEndpoints = [
    ...(options.traceExporter === undefined && exportersFromEnv('TRACES').includes('otlp')
      ? [otlpEndpoint('TRACES', otlpTransport('TRACES'))]
      : []),
    ...(options.metricReaders === undefined && exportersFromEnv('METRICS').includes('otlp')
      ? [otlpEndpoint('METRICS', otlpTransport('METRICS'))]
      : []),
  ];
  const collectorReachable = async () =>
    defaultEndpoints.length === 0 ||
    (await Promise.all(defaultEndpoints.map((url) => endpointAccepts(url)))).some(Boolean);
  if (options.exitHooks !== false)
    removeExitHooks = installExitHooks(shutdown, forceFlush, collectorReachable);
  return { tracerProvider, meterProvider, forceFlush, shutdown };
}

/**
 * `OTEL_LOG_LEVEL` installs OpenTelemetry's console logger at that level (as
 * the Node SDK does); otherwise aicost's own warning logger, unless the
 * application configured diag itself.
 */
function installDiagLogger(): void {
  const level = getStringFromEnv('OTEL_LOG_LEVEL');
  if (level !== undefined)
    diag.setLogger(new DiagConsoleLogger(), { logLevel: diagLogLevelFromString(level) });
  else installAicostWarningLogger();
}

/** What `register(options)` names the equivalent environment variable for, once the SDK is running. */
const LATE_OPTION_HINTS: Partial<Record<keyof RegisterOptions, string>> = {
  serviceName: 'OTEL_SERVICE_NAME',
  resourceAttributes: 'OTEL_RESOURCE_ATTRIBUTES',
  disabledInstrumentations: 'AICOST_DISABLED_INSTRUMENTATIONS',
  baggageAllowList: 'AICOST_BAGGAGE_ALLOWLIST',
};

/**
 * `register(options)` after aicost is already running (typically `--import
 * @aicost/node/register` plus a `register({...})` in the code): price
 * overrides still apply (the price book is process-wide and can change at any
 * time); every other option would need the SDK rebuilt, so it is named in one
 * warning with the way to set it instead.
 */
function applyLateOptions(options: RegisterOptions): void {
  if (options.prices !== undefined) installPriceOverrides(options.prices);
  const ignored = (Object.keys(options) as (keyof RegisterOptions)[]).filter(
    (key) => key !== 'prices' && options[key] !== undefined,
  );
  if (ignored.length === 0) return;
  const hints = ignored.map((key) =>
    LATE_OPTION_HINTS[key] ? `${key} (set ${LATE_OPTION_HINTS[key]})` : key,
  );
  warnOnce(
    'late-options',
    `register() was called again after aicost was set up (by --import/-r @aicost/node/register or an earlier register()); ` +
      `these options are ignored: ${hints.join(', ')}. Pass them in the first call, or drop the preload and call register() first thing`,
  );
}

/**
 * The span export: the application's exporter, else what `OTEL_TRACES_EXPORTER` names: OTLP
 * (batched, loaded in the background) and/or the console (each span printed as it ends, as the
 * Node SDK does for `console`).
 */
function createExportProcessors(sdkTrace: SdkTrace, options: RegisterOptions): SpanProcessor[] {
  if (options.traceExporter === null) return [];
  if (options.traceExporter !== undefined) return [createBatchSpanProcessor(sdkTrace, options.traceExporter)];
  return exportersFromEnv('TRACES').map((name) =>
    name === 'console'
      ? new sdkTrace.SimpleSpanProcessor({ exporter: new sdkTrace.ConsoleSpanExporter() })
      : createBackgroundExportProcessor(sdkTrace, new LazyOtlpTraceExporter()),
  );
}

/** One periodic reader per exporter `OTEL_METRICS_EXPORTER` names (`otlp`, `console`). */
function defaultMetricReaders(loadPackage: PackageLoader): IMetricReader[] {
  const exporters = exportersFromEnv('METRICS');
  if (exporters.length === 0) return [];
  const sdkMetrics = loadPackage('@opentelemetry/sdk-metrics') as SdkMetrics;
  return exporters.map((name) =>
    createPeriodicMetricReader(
      sdkMetrics,
      name === 'console' ? new sdkMetrics.ConsoleMetricExporter() : new LazyOtlpMetricExporter(),
    ),
  );
}

/**
 * The OpenTelemetry packages `register()` loads from outside this package's bundle (the ESM
 * entry imports them ahead, as ES modules); the SDK itself is bundled (`bundled-sdk.ts`).
 */
export function sdkPackagesNeeded(): string[] {
  return ['@opentelemetry/instrumentation'];
}
