import { instrumentModule } from '@aicost/core';
import { OllamaInstrumentation } from './instrumentation.js';
import type { OllamaInstrumentationConfig } from './types.js';

export { OllamaInstrumentation, SUPPORTED_VERSIONS } from './instrumentation.js';
export type { OllamaInstrumentationConfig } from './types.js';
export { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/**
 * Instruments an `ollama` module (or its `Ollama` class) that was loaded without the
 * OpenTelemetry `require`/`import` hooks (bundlers, serverless builds):
 *
 * ```ts
 * import * as ollama from 'ollama';
 * instrument(ollama);
 * ```
 *
 * Creates the instrumentation with `enabled: false`, so no `require`/`import` hook is
 * registered, and patches the module given; `disable()` removes the patches. Instrumenting
 * twice is harmless. Anything that is not the SDK is warned about once through `diag` and left
 * alone: it never throws.
 */
export function instrument(
  sdkModule: unknown,
  config: OllamaInstrumentationConfig = {},
): OllamaInstrumentation {
  return instrumentModule(OllamaInstrumentation, sdkModule, config);
}
