import { GoogleGenAIInstrumentation } from './instrumentation.js';
import type { GoogleGenAIInstrumentationConfig } from './types.js';

export { GoogleGenAIInstrumentation } from './instrumentation.js';
export type { GoogleGenAIInstrumentationConfig } from './types.js';
export { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/**
 * Instruments SDK modules the application has already loaded, without the
 * module-loader hook (bundled applications, ESM started without `--import`):
 *
 * ```ts
 * import * as genai from '@google/genai';
 * instrument({ genai });
 * ```
 *
 * Spans and metrics go to the global tracer and meter providers unless
 * `setTracerProvider` / `setMeterProvider` is called on the returned instance.
 */
export function instrument(
  modules: { genai?: object; generativeAi?: object },
  config: GoogleGenAIInstrumentationConfig = {},
): GoogleGenAIInstrumentation {
  // Disabled: the loader hook is not wanted here; the modules are patched directly.
  const instrumentation = new GoogleGenAIInstrumentation({ ...config, enabled: false });
  if (modules.genai) instrumentation.manuallyInstrument(modules.genai);
  if (modules.generativeAi) instrumentation.manuallyInstrument(modules.generativeAi);
  return instrumentation;
}
