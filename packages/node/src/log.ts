import { warnOnce as warnOnceThrough } from '@aicost/core';

/**
 * Setup-time messages go to the console as one line each, once per kind:
 * aicost runs inside someone else's process and must not repeat itself, but a
 * user who set it up needs to see why something was skipped. Debug-level
 * details go to the OpenTelemetry diag logger (`OTEL_LOG_LEVEL`).
 */
export function warnOnce(kind: string, message: string): void {
  warnOnceThrough(`node:${kind}`, `aicost: ${message}`, 'console');
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
