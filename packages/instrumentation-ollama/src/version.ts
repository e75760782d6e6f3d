// Kept in step with package.json by hand: a JSON import would not survive every bundler.
/** The instrumentation scope name; `@aicost/` marks our spans for the aicost span processors. */
export const PACKAGE_NAME = '@aicost/instrumentation-ollama';
export const PACKAGE_VERSION = '0.1.0';
/** The `ollama` versions whose `Ollama` class this instrumentation knows (`chat`, `generate`, `embed`). */
export const SUPPORTED_VERSIONS = ['>=0.5.0 <1'];
