import { diag } from '@opentelemetry/api';

/**
 * Instrumentation must never break the program it observes: a failure inside
 * our own code is reported once per kind (so a hot path cannot flood the log)
 * and then swallowed.
 */
const reported = new Set<string>();

/** Logs `error` through OpenTelemetry's `diag` the first time `what` fails; later failures of `what` are silent. */
export function logOnce(what: string, error: unknown): void {
  if (reported.has(what)) return;
  reported.add(what);
  diag.warn(`aicost: ${what} failed; telemetry for this call may be incomplete`, error);
}

/**
 * Logs `message` the first time `key` is seen; later calls with `key` are
 * silent. It goes through `diag.warn`, or, for setup messages a user must see
 * without configuring a diag logger (`@aicost/node`), to `console.warn` with a
 * copy at `diag.debug`.
 */
export function warnOnce(key: string, message: string, to: 'diag' | 'console' = 'diag'): void {
  if (reported.has(key)) return;
  reported.add(key);
  if (to === 'console') {
    console.warn(message);
    diag.debug(message);
  } else {
    diag.warn(message);
  }
}

/**
 * Runs `fn` and returns its result; if it throws, logs once under `what` and
 * returns `fallback` instead. Use it around every piece of telemetry work that
 * runs inside the user's call.
 */
export function runSafely<T>(what: string, fn: () => T): T | undefined;
export function runSafely<T>(what: string, fn: () => T, fallback: T): T;
export function runSafely<T>(what: string, fn: () => T, fallback?: T): T | undefined {
  try {
    return fn();
  } catch (error) {
    logOnce(what, error);
    return fallback;
  }
}

/** Forgets which failures were reported (tests only). */
export function resetLogOnce(): void {
  reported.clear();
}
