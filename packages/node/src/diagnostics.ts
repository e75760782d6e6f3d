import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { getStringFromEnv } from '@opentelemetry/core';
import { describeError } from './log.js';

/**
 * aicost reports what a user must know through OpenTelemetry's `diag` API,
 * each once: a model with no price (its cost is left unknown), an internal
 * failure that was swallowed, an attribution value that was dropped. With no
 * diag logger OpenTelemetry discards them, and by default there is none, so a
 * user would never learn why a cost is missing.
 *
 * `register()` therefore installs this logger when nobody else has configured
 * diag: it prints aicost's own warnings and errors (messages starting with
 * `aicost:`) as one line each on stderr, and drops everything else, exactly as
 * OpenTelemetry does without a logger. It stays out of the way of:
 * - `OTEL_LOG_LEVEL`: the Node SDK then installs its console logger at that
 *   level (which shows aicost's lines too), so nothing is installed here;
 * - a logger the application registered before `register()`: kept as it is.
 * A logger registered later replaces this one.
 */
const AICOST_PREFIX = 'aicost:';

const aicostWarningLogger: DiagLogger = {
  error: (message, ...args) => printAicostLine(message, args),
  warn: (message, ...args) => printAicostLine(message, args),
  info: () => {},
  debug: () => {},
  verbose: () => {},
};

function printAicostLine(message: string, args: unknown[]): void {
  if (typeof message !== 'string' || !message.startsWith(AICOST_PREFIX)) return;
  const details = args.flatMap((arg) =>
    arg instanceof Error || typeof arg === 'string' ? [describeError(arg)] : [],
  );
  console.warn(details.length > 0 ? `${message}: ${details.join('; ')}` : message);
}

/** Where `@opentelemetry/api` 1.x keeps its globals (shared by every copy of the API in the process). */
const OTEL_API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

function diagLoggerRegistered(): boolean {
  const api = (globalThis as Record<symbol, { diag?: unknown } | undefined>)[OTEL_API_GLOBAL];
  return api?.diag !== undefined;
}

/** Installs {@link aicostWarningLogger} unless diag is configured otherwise; `true` when installed. */
export function installAicostWarningLogger(): boolean {
  // Read as the Node SDK reads it (an empty value counts as unset), so exactly one of us installs a logger.
  if (getStringFromEnv('OTEL_LOG_LEVEL') !== undefined) return false;
  if (diagLoggerRegistered()) return false;
  return diag.setLogger(aicostWarningLogger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}
