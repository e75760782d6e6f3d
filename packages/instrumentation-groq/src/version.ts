// Kept in step with package.json by hand: a JSON import would not survive every bundler.
/** The instrumentation scope name; `@aicost/` marks our spans for the aicost span processors. */
export const PACKAGE_NAME = '@aicost/instrumentation-groq';
export const PACKAGE_VERSION = '0.1.0';
/** The `groq-sdk` majors whose Stainless client this instrumentation knows. */
export const SUPPORTED_VERSIONS = ['>=0.30.0 <2'];
