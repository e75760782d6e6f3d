// Kept in step with package.json by hand: a JSON import would not survive every bundler.
export const PACKAGE_NAME = '@aicost/instrumentation-google-genai';
export const PACKAGE_VERSION = '0.1.0';
