/**
 * The OpenTelemetry SDK parts `register()` builds with, and the OTLP/HTTP exporters, bundled
 * into this package's own files at build time (tsup `noExternal`, with `@opentelemetry/core`,
 * which `@aicost/core` bundles too). Node's module loader pays per file (resolving, reading
 * `package.json`, compiling): these packages are about 200 small ES module files, which cost
 * an empty program more start-up time than everything else aicost does together. Bundled,
 * they are one file, and what is not called is never compiled.
 *
 * Left outside the bundle, so there is one copy in the process shared with the application and
 * with the instrumentations: `@opentelemetry/api` (a peer dependency),
 * `@opentelemetry/instrumentation` (its module hooks are process-wide), the optional gRPC
 * exporters, and every `@aicost/*` package. `@opentelemetry/sdk-trace` and `sdk-metrics` stay
 * dependencies because the public types name them; the other bundled packages are
 * devDependencies, so `npm install @aicost/node` does not fetch them.
 */
import * as contextAsyncHooks from '@opentelemetry/context-async-hooks';
import * as metricExporterHttp from '@opentelemetry/exporter-metrics-otlp-http';
import * as metricExporterProto from '@opentelemetry/exporter-metrics-otlp-proto';
import * as traceExporterHttp from '@opentelemetry/exporter-trace-otlp-http';
import * as traceExporterProto from '@opentelemetry/exporter-trace-otlp-proto';
import * as resources from '@opentelemetry/resources';
import * as sdkMetrics from '@opentelemetry/sdk-metrics';
import * as sdkTrace from '@opentelemetry/sdk-trace';

/** The bundled packages by name (the names `register()` and the exporters ask for). */
export const BUNDLED_PACKAGES: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['@opentelemetry/context-async-hooks', contextAsyncHooks],
  ['@opentelemetry/exporter-metrics-otlp-http', metricExporterHttp],
  ['@opentelemetry/exporter-metrics-otlp-proto', metricExporterProto],
  ['@opentelemetry/exporter-trace-otlp-http', traceExporterHttp],
  ['@opentelemetry/exporter-trace-otlp-proto', traceExporterProto],
  ['@opentelemetry/resources', resources],
  ['@opentelemetry/sdk-metrics', sdkMetrics],
  ['@opentelemetry/sdk-trace', sdkTrace],
]);
