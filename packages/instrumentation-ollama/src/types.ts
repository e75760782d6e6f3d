import type { GenAIInstrumentationConfig } from '@aicost/core';

/** Configuration of {@link OllamaInstrumentation}: what every aicost instrumentation takes. */
export type OllamaInstrumentationConfig = GenAIInstrumentationConfig;
