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
 * Creates the instrumentation with `enabled: false`, so no `require`/`import`
 * hook is registered, and patches the module given. Returns the
 * instrumentation: spans and metrics go to the global tracer and meter
 * providers unless given others (`setTracerProvider`, `setMeterProvider`);
 * `disable()` removes the patches, `enable()` puts them back (and registers
 * the hooks). Instrumenting twice is harmless. Anything that is not the SDK
 * is warned about once through `diag` and left alone: it never throws.
 */
export function instrument(
  sdkModule: unknown,
  config: BedrockInstrumentationConfig = {},
): BedrockInstrumentation {
  // Not enabled: no loader hook is wanted here, the module is patched directly.
  const instrumentation = new BedrockInstrumentation({ ...config, enabled: false });
  instrumentation.manuallyInstrument(sdkModule);
  return instrumentation;
}
