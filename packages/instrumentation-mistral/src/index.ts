import { MistralInstrumentation } from './instrumentation.js';
import type { MistralInstrumentationConfig } from './types.js';

export {
  MistralInstrumentation,
  PACKAGE_NAME,
  PACKAGE_VERSION,
  SUPPORTED_VERSIONS,
} from './instrumentation.js';
export type { MistralInstrumentationConfig } from './types.js';

/**
 * Instruments a `@mistralai/mistralai` module that was loaded without the
 * OpenTelemetry `require`/`import` hooks (bundlers, serverless builds):
 *
 * ```ts
 * import * as mistralSdk from '@mistralai/mistralai';
 * instrument(mistralSdk);
 * ```
 *
 * Returns the instrumentation, which uses the globally registered tracer and
 * meter providers unless given others (`setTracerProvider`, `setMeterProvider`).
 */
export function instrument(
  sdkModule: unknown,
  config: MistralInstrumentationConfig = {},
): MistralInstrumentation {
  const instrumentation = new MistralInstrumentation(config);
  instrumentation.manuallyInstrument(sdkModule);
  return instrumentation;
}
