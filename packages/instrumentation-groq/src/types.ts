import type { GenAIInstrumentationConfig } from '@aicost/core';

/** Configuration of {@link GroqInstrumentation}: what every aicost instrumentation takes. */
export type GroqInstrumentationConfig = GenAIInstrumentationConfig;
