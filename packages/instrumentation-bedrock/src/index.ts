import { BedrockInstrumentation } from './instrumentation.js';
import type { BedrockInstrumentationConfig } from './types.js';

export {
  BedrockInstrumentation,
  MIDDLEWARE_NAME,
  PACKAGE_NAME,
  PACKAGE_VERSION,
  SUPPORTED_VERSIONS,
} from './instrumentation.js';
export type { BedrockInstrumentationConfig } from './types.js';
export { modelIdFromArn } from './utils.js';

/**
 * Instruments an `@aws-sdk/client-bedrock-runtime` module that was loaded
 * without the OpenTelemetry `require`/`import` hooks (bundlers, serverless builds):
 *
 * ```ts
 * import * as bedrockRuntime from '@aws-sdk/client-bedrock-runtime';
 * instrument(bedrockRuntime);
 * ```
 *
 * Returns the instrumentation, which uses the globally registered tracer and
 * meter providers unless given others (`setTracerProvider`, `setMeterProvider`).
 */
export function instrument(
  sdkModule: unknown,
  config: BedrockInstrumentationConfig = {},
): BedrockInstrumentation {
  const instrumentation = new BedrockInstrumentation(config);
  instrumentation.manuallyInstrument(sdkModule);
  return instrumentation;
}
