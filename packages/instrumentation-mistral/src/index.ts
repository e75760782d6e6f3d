import { instrumentModule } from '@aicost/core';
import { MistralInstrumentation } from './instrumentation.js';
import type { MistralInstrumentationConfig } from './types.js';

export { MistralInstrumentation, SUPPORTED_VERSIONS } from './instrumentation.js';
export type { MistralInstrumentationConfig } from './types.js';
export { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/**
 * Instruments a `@mistralai/mistralai` module that was loaded without the
 * OpenTelemetry `require`/`import` hooks (bundlers, serverless builds):
 *
 * ```ts
 * import * as mistralSdk from '@mistralai/mistralai';
 * instrument(mistralSdk);
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
  config: MistralInstrumentationConfig = {},
): MistralInstrumentation {
  return instrumentModule(MistralInstrumentation, sdkModule, config);
}
