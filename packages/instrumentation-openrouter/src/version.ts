// Kept in step with package.json by hand: a JSON import would not survive every bundler.
/** The instrumentation scope name; `@aicost/` marks our spans for the aicost span processors. */
export const PACKAGE_NAME = '@aicost/instrumentation-openrouter';
export const PACKAGE_VERSION = '0.1.0';
