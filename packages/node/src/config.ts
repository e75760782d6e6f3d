import { ENV, envFlag } from '@aicost/core';
import { getBooleanFromEnv } from '@opentelemetry/core';
import { warnOnce } from './log.js';

function envList(name: string): string[] {
  return (process.env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

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
    process.env[`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`] ??
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL ??
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

export function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}
