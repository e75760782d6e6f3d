import { instrumentModule } from '@aicost/core';
import { AnthropicInstrumentation } from './instrumentation.js';
import type { AnthropicInstrumentationConfig } from './types.js';

export { AnthropicInstrumentation, SUPPORTED_VERSIONS } from './instrumentation.js';
export type { AnthropicInstrumentationConfig } from './types.js';
export { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/**
 * Instruments an `@anthropic-ai/sdk` module that was loaded without the
 * OpenTelemetry `require`/`import` hooks (bundlers, serverless builds):
 *
 * ```ts
 * import * as anthropicSdk from '@anthropic-ai/sdk';
 * instrument(anthropicSdk);
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
  config: AnthropicInstrumentationConfig = {},
): AnthropicInstrumentation {
  return instrumentModule(AnthropicInstrumentation, sdkModule, config);
}
