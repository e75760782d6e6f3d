import { instrumentModule } from '@aicost/core';
import { GoogleGenAIInstrumentation } from './instrumentation.js';
import type { GoogleGenAIInstrumentationConfig } from './types.js';

export { GoogleGenAIInstrumentation, SUPPORTED_VERSIONS } from './instrumentation.js';
export type { GoogleGenAIInstrumentationConfig } from './types.js';
export { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/**
 * Instruments an SDK module the application has already loaded, without the
 * module-loader hook (bundled applications, ESM started without `--import`):
 * the exports of `@google/genai` or of `@google/generative-ai` (call once per SDK).
 *
 * ```ts
 * import * as genai from '@google/genai';
 * instrument(genai);
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
  config: GoogleGenAIInstrumentationConfig = {},
): GoogleGenAIInstrumentation {
  return instrumentModule(GoogleGenAIInstrumentation, sdkModule, config);
}
