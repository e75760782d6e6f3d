import { createConnection } from 'node:net';
import { numberFromEnv } from './config.js';
import { describeError, warnOnce } from './log.js';

/** Longest a signal or exit waits for telemetry to flush, unless `AICOST_SHUTDOWN_TIMEOUT_MS` says otherwise. */
const EXIT_FLUSH_TIMEOUT_MS = 2_000;

function exitFlushTimeoutMs(): number {
  return numberFromEnv('AICOST_SHUTDOWN_TIMEOUT_MS') ?? EXIT_FLUSH_TIMEOUT_MS;
}

/** Resolves `true` when `promise` settled in time, `false` when `ms` ran out first. */
function withTimeout(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      (error) => {
        clearTimeout(timer);
        warnOnce('flush-failed', `flushing telemetry failed: ${describeError(error)}`);
        resolve(true);
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
export function installExitHooks(
  shutdown: () => Promise<void>,
  forceFlush: () => Promise<void>,
  collectorReachable: () => Promise<boolean> = () => Promise.resolve(true),
): () => void {
  const timeoutMs = exitFlushTimeoutMs();
  let finalShutdown: Promise<boolean> | undefined;
  const shutdownOnce = () => {
    finalShutdown ??= withTimeout(shutdown(), timeoutMs);
    return finalShutdown;
  };

  const onBeforeExit = () => {
    void shutdownOnce().then(async (inTime) => {
      // A collector that answers but is slow gets its data: the exporter's own timeout bounds that wait.
      if (inTime || (await collectorReachable())) return;
      // The application had finished (Node emits beforeExit on an empty event loop); only the
      // exporters' retries against a collector that is down keep it alive now. End it as it would
      // have ended, with its own exit code.
      warnOnce(
        'exit-timeout',
        `telemetry not flushed within ${timeoutMs} ms (AICOST_SHUTDOWN_TIMEOUT_MS); exiting`,
      );
      process.exit();
    });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) {
      // The application shuts itself down and may still make calls while draining: flush, keep exporting.
      void withTimeout(forceFlush(), timeoutMs);
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

/** Whether something accepts TCP connections at `url`'s host and port (within `timeoutMs`). */
export function endpointAccepts(url: string, timeoutMs = 500): Promise<boolean> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve(true); // not ours to judge: keep waiting as the exporter does
  }
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(timeoutMs, () => done(true)); // no answer is not a refusal: it may be slow
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.unref();
  });
}
