export { OpenAIInstrumentation } from './instrumentation.js';
export { type InstrumentOptions, instrument } from './manual.js';
export type { OpenAIInstrumentationConfig } from './types.js';
export { OpenAIResponseFailedError } from './utils.js';
export { PACKAGE_NAME, PACKAGE_VERSION, SUPPORTED_VERSIONS } from './version.js';
