import { describeError, warnOnce } from './log.js';

/** Longest a signal or exit may wait for telemetry to flush. */
export const EXIT_FLUSH_TIMEOUT_MS = 5_000;

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error) => {
        clearTimeout(timer);
        warnOnce('flush-failed', `flushing telemetry failed: ${describeError(error)}`);
        resolve();
      },
    );
  });
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Flushes telemetry when the process ends, without changing how it ends.
 *
 * - Natural exit (`beforeExit`): shut down once, then let Node exit as it would.
 * - SIGTERM/SIGINT with no handler of the application's: Node would terminate
 *   by the signal. Listening for it removes that default, so after flushing we
 *   remove our listener and re-raise the signal: the process dies of it, with
 *   the same exit status a shell sees without aicost.
 * - SIGTERM/SIGINT with application handlers: they decide what happens; we
 *   only flush what is buffered, and keep exporting while the application
 *   drains (its natural exit then shuts down as above).
 * `process.exit()` called by the application cannot be delayed; spans not yet
 * exported then are lost (call `forceFlush()` before it).
 */
export function installExitHooks(shutdown: () => Promise<void>, forceFlush: () => Promise<void>): () => void {
  let finalShutdown: Promise<void> | undefined;
  const shutdownOnce = () => {
    finalShutdown ??= withTimeout(shutdown(), EXIT_FLUSH_TIMEOUT_MS);
    return finalShutdown;
  };

  const onBeforeExit = () => {
    void shutdownOnce();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) {
      // The application shuts itself down and may still make calls while draining: flush, keep exporting.
      void withTimeout(forceFlush(), EXIT_FLUSH_TIMEOUT_MS);
      return;
    }
    void shutdownOnce().then(() => {
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    });
  };

  process.once('beforeExit', onBeforeExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return () => {
    process.removeListener('beforeExit', onBeforeExit);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
}
