import { AnthropicInstrumentation } from './instrumentation.js';
import type { AnthropicInstrumentationConfig } from './types.js';

export {
  AnthropicInstrumentation,
  PACKAGE_NAME,
  PACKAGE_VERSION,
  SUPPORTED_VERSIONS,
} from './instrumentation.js';
export type { AnthropicInstrumentationConfig } from './types.js';

/**
 * Instruments an `@anthropic-ai/sdk` module that was loaded without the
 * OpenTelemetry `require`/`import` hooks (bundlers, serverless builds):
 *
 * ```ts
 * import * as anthropicSdk from '@anthropic-ai/sdk';
 * instrument(anthropicSdk);
 * ```
 *
 * Returns the instrumentation, which uses the globally registered tracer and
 * meter providers unless given others (`setTracerProvider`, `setMeterProvider`).
 */
export function instrument(
  sdkModule: unknown,
  config: AnthropicInstrumentationConfig = {},
): AnthropicInstrumentation {
  const instrumentation = new AnthropicInstrumentation(config);
  instrumentation.manuallyInstrument(sdkModule);
  return instrumentation;
}
