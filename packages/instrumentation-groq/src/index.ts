import { instrumentModule } from '@aicost/core';
import { GroqInstrumentation } from './instrumentation.js';
import type { GroqInstrumentationConfig } from './types.js';

export { GroqInstrumentation, SUPPORTED_VERSIONS } from './instrumentation.js';
export type { GroqInstrumentationConfig } from './types.js';
export { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/**
 * Instruments a `groq-sdk` module (or its `Groq` class) that was loaded without the
 * OpenTelemetry `require`/`import` hooks (bundlers, serverless builds):
 *
 * ```ts
 * import Groq from 'groq-sdk';
 * instrument(Groq);
 * ```
 *
 * Creates the instrumentation with `enabled: false`, so no `require`/`import` hook is
 * registered, and patches the module given; `disable()` removes the patches. Instrumenting
 * twice is harmless. Anything that is not the SDK is warned about once through `diag` and left
 * alone: it never throws.
 */
export function instrument(sdkModule: unknown, config: GroqInstrumentationConfig = {}): GroqInstrumentation {
  return instrumentModule(GroqInstrumentation, sdkModule, config);
}
