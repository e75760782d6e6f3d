import { type CostSpanProcessorOptions, aicostSpanProcessors as coreSpanProcessors } from '@aicost/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { disabledInstrumentationsFromEnv } from './config.js';
import { type AicostInstrumentationName, loadAicostInstrumentations } from './instrumentations.js';

/**
 * For an application that sets up OpenTelemetry itself (`NodeSDK`, a
 * `NodeTracerProvider`/`TracerProvider`): what aicost adds to it, without
 * `register()`.
 *
 * ```ts
 * const sdk = new NodeSDK({
 *   spanProcessors: [...aicostSpanProcessors(), new BatchSpanProcessor(exporter)],
 *   instrumentations: [...aicostInstrumentations(), ...yourInstrumentations],
 * });
 * ```
 */
export interface AicostInstrumentationsOptions {
  /** aicost instrumentations to skip; default `AICOST_DISABLED_INSTRUMENTATIONS`. */
  disabled?: AicostInstrumentationName[];
  /** Config passed to an instrumentation's constructor, by name. */
  config?: Partial<Record<AicostInstrumentationName, Record<string, unknown>>>;
}

/**
 * The aicost instrumentations installed next to the application whose
 * provider SDK it can load, constructed disabled: the SDK (or
 * `registerInstrumentations`) enables them. Call it before the provider SDKs
 * are loaded.
 */
export function aicostInstrumentations(options: AicostInstrumentationsOptions = {}): Instrumentation[] {
  return loadAicostInstrumentations(options.disabled ?? disabledInstrumentationsFromEnv(), options.config);
}

/**
 * The aicost span processors, in the order they must run: attribution, then
 * cost. Put them before the export processor (a `BatchSpanProcessor`), since
 * they add attributes while the span is still open.
 */
export function aicostSpanProcessors(
  options: { costProcessor?: CostSpanProcessorOptions | false } = {},
): SpanProcessor[] {
  return coreSpanProcessors({ cost: options.costProcessor ?? {} });
}
