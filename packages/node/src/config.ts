import { ENV, envFlag } from '@aicost/core';
import {
  getBooleanFromEnv,
  getNumberFromEnv,
  getStringFromEnv,
  getStringListFromEnv,
} from '@opentelemetry/core';
import { warnOnce } from './log.js';

// OpenTelemetry's own readers, as the Node SDK reads these variables: an empty or blank value is unset.
const envList = (name: string): string[] => getStringListFromEnv(name) ?? [];

/**
 * `AICOST_ENABLED` (`false`/`0`/`no`/`off`, read by core's `envFlag` like every
 * aicost flag) turns aicost off; `OTEL_SDK_DISABLED=true` turns the whole SDK
 * off. The latter is read by OpenTelemetry's own parser (only `true`, any
 * case), so aicost and the Node SDK never disagree about it.
 */
export function aicostEnabledFromEnv(): boolean {
  return envFlag(ENV.ENABLED) !== false && !getBooleanFromEnv('OTEL_SDK_DISABLED');
}

export function disabledInstrumentationsFromEnv(): string[] {
  return envList(ENV.DISABLED_INSTRUMENTATIONS).map((name) => name.toLowerCase());
}

/**
 * The OTLP protocol for one signal, per the OTel spec: the signal-specific
 * variable, then the general one, default `http/protobuf`.
 */
export function otlpProtocolFromEnv(signal: 'TRACES' | 'METRICS'): string {
  return (
    getStringFromEnv(`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`) ??
    getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL') ??
    'http/protobuf'
  ).trim();
}

/** The exporters `@aicost/node` can build for `OTEL_TRACES_EXPORTER` / `OTEL_METRICS_EXPORTER`. */
export type ExporterName = 'otlp' | 'console';

const EXPORTER_NAMES: readonly string[] = ['otlp', 'console'] satisfies ExporterName[];

/**
 * `OTEL_TRACES_EXPORTER` / `OTEL_METRICS_EXPORTER`, as the OTel spec defines them: a
 * comma-separated list, `otlp` when unset, `none` for no export. Values this package does not
 * build (`zipkin`, `jaeger`, `prometheus`, a typo) are named in one warning per signal and
 * ignored; when nothing it builds is left, `otlp` is used rather than exporting nothing.
 */
export function exportersFromEnv(signal: 'TRACES' | 'METRICS'): ExporterName[] {
  const variable = `OTEL_${signal}_EXPORTER`;
  const values = envList(variable).map((value) => value.toLowerCase());
  if (values.includes('none')) return [];
  const unsupported = values.filter((value) => !EXPORTER_NAMES.includes(value));
  const chosen = [...new Set(values.filter((value) => EXPORTER_NAMES.includes(value)))] as ExporterName[];
  if (unsupported.length > 0) {
    warnOnce(
      `exporter-${signal}`,
      `${variable}: ${unsupported.map((value) => `"${value}"`).join(', ')} not supported (otlp, console, none); ${
        chosen.length > 0 ? `using ${chosen.join(', ')}` : 'using otlp'
      }`,
    );
  }
  return chosen.length > 0 ? chosen : ['otlp'];
}

/** A count or duration: a finite number >= 0, else unset (OpenTelemetry's reader names a non-number). */
export function numberFromEnv(name: string): number | undefined {
  const value = getNumberFromEnv(name);
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : undefined;
}
