import type { GenAIInstrumentationConfig } from '@aicost/core';

/** Configuration of {@link OpenRouterInstrumentation}: what every aicost instrumentation takes. */
export type OpenRouterInstrumentationConfig = GenAIInstrumentationConfig;
