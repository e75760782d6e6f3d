import { ENV, envFlag } from '@aicost/core';
import { getBooleanFromEnv } from '@opentelemetry/core';

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

/** `OTEL_TRACES_EXPORTER` / `OTEL_METRICS_EXPORTER` = `none` turns a signal's export off. */
export function exporterDisabledFromEnv(signal: 'TRACES' | 'METRICS'): boolean {
  return envList(`OTEL_${signal}_EXPORTER`).includes('none');
}

export function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}
