import { instrumentModule } from '@aicost/core';
import { OpenAIInstrumentation } from './instrumentation.js';
import type { OpenAIInstrumentationConfig } from './types.js';

export { OpenAIInstrumentation, SUPPORTED_VERSIONS } from './instrumentation.js';
export type { InstrumentOptions, ManualInstrumentation } from './manual.js';
export type { OpenAIInstrumentationConfig } from './types.js';
export { OpenAIResponseFailedError } from './utils.js';
export { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/**
 * Instruments an `openai` module (or its `OpenAI` / `AzureOpenAI` class) that
 * was loaded without the OpenTelemetry `require`/`import` hooks (bundlers,
 * serverless builds):
 *
 * ```ts
 * import OpenAI from 'openai';
 * instrument(OpenAI);
 * ```
 *
 * Creates the instrumentation with `enabled: false`, so no `require`/`import`
 * hook is registered, and patches the module given. Returns the
 * instrumentation: spans and metrics go to the global tracer and meter
 * providers unless given others (`setTracerProvider`, `setMeterProvider`);
 * `disable()` removes the patches, `enable()` puts them back (and registers
 * the hooks). Instrumenting twice is harmless. Anything that is not the SDK
 * is warned about once through `diag` and left alone: it never throws.
 *
 * Edge runtimes that cannot load `@opentelemetry/instrumentation` use
 * `instrument` from `@aicost/instrumentation-openai/manual` instead.
 */
export function instrument(
  sdkModule: unknown,
  config: OpenAIInstrumentationConfig = {},
): OpenAIInstrumentation {
  return instrumentModule(OpenAIInstrumentation, sdkModule, config);
}
