import { instrumentModule } from '@aicost/core';
import { OpenRouterInstrumentation } from './instrumentation.js';
import type { OpenRouterInstrumentationConfig } from './types.js';

export { OpenRouterInstrumentation, SUPPORTED_VERSIONS } from './instrumentation.js';
export type { OpenRouterInstrumentationConfig } from './types.js';
export { OpenRouterStreamError } from './utils.js';
export { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/**
 * Instruments an `@openrouter/sdk` module (or its `OpenRouter` class) that was loaded without
 * the OpenTelemetry `require`/`import` hooks (bundlers, serverless builds):
 *
 * ```ts
 * import * as openrouter from '@openrouter/sdk';
 * instrument(openrouter);
 * ```
 *
 * Creates the instrumentation with `enabled: false`, so no `require`/`import` hook is
 * registered, and patches the module given; `disable()` removes the patches. Instrumenting
 * twice is harmless. Anything that is not the SDK is warned about once through `diag` and left
 * alone: it never throws.
 */
export function instrument(
  sdkModule: unknown,
  config: OpenRouterInstrumentationConfig = {},
): OpenRouterInstrumentation {
  return instrumentModule(OpenRouterInstrumentation, sdkModule, config);
}
