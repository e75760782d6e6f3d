import { ENV } from '../semconv.js';

/**
 * An environment variable, read through `globalThis.process` so that edge
 * runtimes without a Node `process` see every variable as unset.
 */
export function envValue(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

/**
 * A boolean environment variable: `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`
 * (any case); anything else, or no variable, is `undefined`.
 */
export function envFlag(name: string): boolean | undefined {
  const raw = envValue(name);
  if (raw === undefined) return undefined;
  const value = raw.trim().toLowerCase();
  if (value === 'true' || value === '1' || value === 'yes' || value === 'on') return true;
  if (value === 'false' || value === '0' || value === 'no' || value === 'off') return false;
  return undefined;
}

/**
 * Whether to record prompt and completion content: the instrumentation's
 * config when set, else `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`,
 * else off. Content is never captured by default.
 */
export function resolveCaptureContent(configured: boolean | undefined): boolean {
  return configured ?? envFlag(ENV.CAPTURE_CONTENT) ?? false;
}
