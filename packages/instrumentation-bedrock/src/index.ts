import { instrumentModule } from '@aicost/core';
import { BedrockInstrumentation } from './instrumentation.js';
import type { BedrockInstrumentationConfig } from './types.js';

export { BedrockInstrumentation, MIDDLEWARE_NAME, SUPPORTED_VERSIONS } from './instrumentation.js';
export type { BedrockInstrumentationConfig } from './types.js';
export { modelIdFromArn } from './utils.js';
export { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

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
  return instrumentModule(BedrockInstrumentation, sdkModule, config);
}
