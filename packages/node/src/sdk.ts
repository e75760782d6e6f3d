import {
  AttributionBaggagePropagator,
  type AttributionPropagatorOptions,
  aicostSpanProcessors,
  type CostSpanProcessorOptions,
  type HostMappingsInput,
  type PriceOverridesInput,
} from '@aicost/core';
import type { Attributes } from '@opentelemetry/api';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import type { IMetricReader, ViewOptions } from '@opentelemetry/sdk-metrics';
import { NodeSDK, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { aicostEnabledFromEnv, disabledInstrumentationsFromEnv, exporterDisabledFromEnv } from './config.js';
import { installAicostWarningLogger } from './diagnostics.js';
import {
  createBatchSpanProcessor,
  createOtlpMetricExporter,
  createOtlpTraceExporter,
  createPeriodicMetricReader,
} from './exporters.js';
import {
  type AicostInstrumentationName,
  loadAicostInstrumentations,
  type PackageLoader,
} from './instrumentations.js';
import { describeError, warnOnce } from './log.js';
import { installHostMappings, installPriceOverrides } from './prices.js';
import { installExitHooks } from './shutdown.js';

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
  /** The running OpenTelemetry Node SDK; `undefined` when aicost is disabled. */
  readonly sdk: NodeSDK | undefined;
  /** Exports everything buffered (spans and metrics) now. */
  forceFlush(): Promise<void>;
  /** Flushes, then stops exporting and unhooks. Idempotent. */
  shutdown(): Promise<void>;
}

/** One handle per process, shared by the ESM and CommonJS builds of this package. */
const HANDLE_KEY = Symbol.for('@aicost/node.handle');
type GlobalWithHandle = typeof globalThis & { [HANDLE_KEY]?: AicostHandle };

const DISABLED_HANDLE: AicostHandle = {
  sdk: undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/**
 * Sets up OpenTelemetry for this process with aicost in it: the Node SDK with
 * OTLP/HTTP trace and metric export, the aicost span processors (attribution,
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
 * {@link register} with a custom loader of the instrumentation packages: the
 * ESM entry hands in packages it imported as ES modules, so an ESM application
 * does not load a second, CommonJS copy of them and of `@aicost/core`.
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
  if (existing !== undefined) return existing;
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
  loadPackage: PackageLoader | undefined,
  beforeEnable: ((instrumentations: readonly Instrumentation[]) => void) | undefined,
): AicostHandle {
  installAicostWarningLogger();
  if (options.prices !== undefined) installPriceOverrides(options.prices);
  if (options.hosts !== undefined) installHostMappings(options.hosts);
  const exportProcessor = createExportProcessor(options);
  const metricReaders = options.metricReaders ?? defaultMetricReaders();
  const spanProcessors: SpanProcessor[] = [
    ...aicostSpanProcessors({ cost: options.costProcessor ?? {} }),
    ...(options.spanProcessors ?? []),
    ...(exportProcessor ? [exportProcessor] : []),
  ];
  const disabled = options.disabledInstrumentations ?? disabledInstrumentationsFromEnv();

  const instrumentations = [
    ...loadAicostInstrumentations(disabled, options.instrumentationConfig, loadPackage),
    ...(options.instrumentations ?? []),
  ];
  beforeEnable?.(instrumentations.flat());

  const configuration: Partial<NodeSDKConfiguration> = {
    spanProcessors,
    metricReaders,
    // aicost sends no logs; an unset OTEL_LOGS_EXPORTER would otherwise make the SDK export empty batches.
    ...(process.env.OTEL_LOGS_EXPORTER === undefined ? { logRecordProcessors: [] } : {}),
    textMapPropagator: new CompositePropagator({
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
    instrumentations,
  };
  if (options.views) configuration.views = options.views;
  if (options.serviceName) configuration.serviceName = options.serviceName;
  if (options.resourceAttributes) {
    // Keep the SDK's default attributes (telemetry.sdk.*); detected ones, OTEL_RESOURCE_ATTRIBUTES included, still win.
    configuration.resource = defaultResource().merge(resourceFromAttributes(options.resourceAttributes));
  }

  const sdk = new NodeSDK(configuration);
  sdk.start();

  let stopped: Promise<void> | undefined;
  let removeExitHooks = () => {};
  const forceFlush = async () => {
    try {
      await Promise.all([
        ...spanProcessors.map((processor) => processor.forceFlush()),
        ...metricReaders.map((reader) => reader.forceFlush()),
      ]);
    } catch (error) {
      warnOnce('flush-failed', `flushing telemetry failed: ${describeError(error)}`);
    }
  };
  const shutdown = () => {
    stopped ??= (async () => {
      removeExitHooks();
      // The SDK's shutdown flushes every span processor and metric reader once.
      try {
        await sdk.shutdown();
      } catch (error) {
        warnOnce('shutdown-failed', `shutting down telemetry failed: ${describeError(error)}`);
      }
    })();
    return stopped;
  };
  if (options.exitHooks !== false) removeExitHooks = installExitHooks(shutdown, forceFlush);
  return { sdk, forceFlush, shutdown };
}

function createExportProcessor(options: RegisterOptions): SpanProcessor | undefined {
  if (options.traceExporter === null) return undefined;
  if (options.traceExporter !== undefined) return createBatchSpanProcessor(options.traceExporter);
  if (exporterDisabledFromEnv('TRACES')) return undefined;
  return createBatchSpanProcessor(createOtlpTraceExporter());
}

function defaultMetricReaders(): IMetricReader[] {
  if (exporterDisabledFromEnv('METRICS')) return [];
  return [createPeriodicMetricReader(createOtlpMetricExporter())];
}
