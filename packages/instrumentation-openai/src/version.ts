/** The instrumentation scope name; `@aicost/` marks our spans for the aicost span processors. */
export const PACKAGE_NAME = '@aicost/instrumentation-openai';
export const PACKAGE_VERSION = '0.1.0';
/** The `openai` majors this instrumentation patches. */
export const SUPPORTED_VERSIONS = ['>=6 <8'];
