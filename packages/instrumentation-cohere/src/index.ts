import { CohereInstrumentation } from './instrumentation.js';
import type { CohereInstrumentationConfig } from './types.js';

export {
  CohereInstrumentation,
  PACKAGE_NAME,
  PACKAGE_VERSION,
  SUPPORTED_VERSIONS,
} from './instrumentation.js';
export type { CohereInstrumentationConfig } from './types.js';

/**
 * Instruments a `cohere-ai` module that was loaded without the OpenTelemetry
 * `require`/`import` hooks (bundlers, serverless builds):
 *
 * ```ts
 * import * as cohere from 'cohere-ai';
 * instrument(cohere);
 * ```
 *
 * Returns the instrumentation, which uses the globally registered tracer and
 * meter providers unless given others (`setTracerProvider`, `setMeterProvider`).
 */
export function instrument(
  sdkModule: unknown,
  config: CohereInstrumentationConfig = {},
): CohereInstrumentation {
  const instrumentation = new CohereInstrumentation(config);
  instrumentation.manuallyInstrument(sdkModule);
  return instrumentation;
}
